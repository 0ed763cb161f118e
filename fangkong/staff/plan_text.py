"""The prevention plan's text: a small, safe Markdown, and the difference between versions.

No Markdown library: a plan needs headings, lists, paragraphs and bold, nothing more, and a
dependency that renders HTML is one more thing to keep from running a script. Every
character of the text is escaped first; only the tags made here reach the page.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

HEADING = re.compile(r"^(#{1,4})\s+(.*)$")
BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
# "1." or "1)" or "1、" (the enumeration comma Chinese writers number lists with)
NUMBERED = re.compile(r"^\s*\d+[.\u3001)]\s*(.*)$")
BOLD = re.compile(r"\*\*(.+?)\*\*")


def _inline(text: str) -> str:
    """Escape, then turn **bold** into <strong> (on the escaped text: nothing else slips in)."""
    return BOLD.sub(r"<strong>\1</strong>", escape(text))


def render_plan(text: str) -> SafeString:
    """The plan's Markdown as HTML: # headings (shown one level down: the page has the h1),
    - and 1. lists, paragraphs, **bold**. Anything else is text."""
    html: list[str] = []
    paragraph: list[str] = []
    list_tag: str | None = None

    def close_paragraph() -> None:
        if paragraph:
            html.append("<p>" + "<br>".join(_inline(line) for line in paragraph) + "</p>")
            paragraph.clear()

    def close_list() -> None:
        nonlocal list_tag
        if list_tag:
            html.append(f"</{list_tag}>")
            list_tag = None

    for raw in (text or "").replace("\r\n", "\n").split("\n"):
        line = raw.rstrip()
        if not line.strip():
            close_paragraph()
            close_list()
            continue
        if heading := HEADING.match(line):
            close_paragraph()
            close_list()
            level = min(len(heading[1]) + 1, 5)
            html.append(f"<h{level}>{_inline(heading[2])}</h{level}>")
            continue
        item = BULLET.match(line)
        tag = "ul"
        if item is None:
            item, tag = NUMBERED.match(line), "ol"
        if item is not None:
            close_paragraph()
            if list_tag != tag:
                close_list()
                html.append(f"<{tag}>")
                list_tag = tag
            html.append(f"<li>{_inline(item[1])}</li>")
            continue
        close_list()
        paragraph.append(line.strip())
    close_paragraph()
    close_list()
    return mark_safe("\n".join(html))  # noqa: S308 -- every piece of text went through escape()


@dataclass(frozen=True)
class DiffLine:
    """One line of a comparison: ``kind`` is "same", "added" or "removed"."""

    kind: str
    text: str
    old_number: int | None
    new_number: int | None


def diff_lines(old: str, new: str, context: int = 2) -> list[DiffLine | None]:
    """Lines of ``new`` against ``old`` with ``context`` unchanged lines around each change;
    ``None`` marks lines left out between hunks. Text only: the template escapes it."""
    a = (old or "").replace("\r\n", "\n").split("\n")
    b = (new or "").replace("\r\n", "\n").split("\n")
    result: list[DiffLine | None] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        if result:
            result.append(None)
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                result.extend(
                    DiffLine("same", a[i], i + 1, j1 + (i - i1) + 1) for i in range(i1, i2)
                )
                continue
            if tag in ("replace", "delete"):
                result.extend(DiffLine("removed", a[i], i + 1, None) for i in range(i1, i2))
            if tag in ("replace", "insert"):
                result.extend(DiffLine("added", b[j], None, j + 1) for j in range(j1, j2))
    return result
