"""English words a person reads on a page: text, and the attributes a browser shows or reads
out (placeholder, title, aria-label, alt, a button input's value). Used by the check that a
Chinese page shows no English (test_chinese_pages.py)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: Words that are English on purpose: the language switch names its language in that language;
#: formats, units and kinds of code that Chinese users also call by these letters.
ALLOWED_WORDS = frozenset(
    {
        "English",  # the language switch, written in its own language
        "QR",
        "PDF",
        "Excel",
        "CSV",
        "xlsx",
        "csv",
        "mg",  # mg/L, a disinfectant's strength
        "Markdown",  # the plan editor's syntax, known by that name
        "API",
        "ID",
        "2FA",
        "OpenAPI",
        "WiFi",
    }
)

#: Elements whose text nobody reads on the page.
UNSHOWN = {"script", "style", "template", "noscript"}
#: Elements that show a code as it is typed or stored (a question's column code in an import,
#: a field's name in the change log): identifiers, not sentences.
CODES = {"code", "kbd", "samp"}
#: Attributes a browser shows (a tooltip, a placeholder) or a screen reader reads out.
SHOWN_ATTRIBUTES = ("placeholder", "title", "aria-label", "alt")
#: Inputs whose ``value`` is their visible label.
BUTTON_INPUTS = {"submit", "button", "reset"}

# A word: two letters or more, not part of a code (officer_a, WA1, a file name's stem stays a
# word on purpose: "health.delivery" is two English words on a page).
WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z]{2,}(?![A-Za-z0-9_])")


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipping = 0
        self.pieces: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in UNSHOWN or tag in CODES:
            self.skipping += 1
            return
        values = dict(attrs)
        if values.get("type") == "hidden":
            return
        for name in SHOWN_ATTRIBUTES:
            if values.get(name):
                self.pieces.append((f"<{tag} {name}>", values[name] or ""))
        if tag == "input" and values.get("type") in BUTTON_INPUTS and values.get("value"):
            self.pieces.append((f"<{tag} value>", values["value"] or ""))

    def handle_endtag(self, tag: str) -> None:
        if (tag in UNSHOWN or tag in CODES) and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping and data.strip():
            self.pieces.append(("text", data.strip()))


def _code(word: str) -> bool:
    """Capitals only, four at most: a code or an abbreviation (an area code WA, MB, UTF), not
    a sentence's word."""
    return word.isupper() and len(word) <= 4


def english_words(html: str) -> list[str]:
    """Each piece of shown text holding an English word outside ALLOWED_WORDS, as
    ``where: text`` (the text cut to 80 characters)."""
    reader = _Reader()
    reader.feed(html)
    found = []
    for i, (where, text) in enumerate(reader.pieces):
        words = [w for w in WORD.findall(text) if w not in ALLOWED_WORDS and not _code(w)]
        if words:
            after = reader.pieces[i - 1][1][:30] if i else ""
            found.append(f"{where}: {text[:80]} (after: {after})")
    return found
