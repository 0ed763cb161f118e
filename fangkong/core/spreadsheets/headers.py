"""Finding and matching a sheet's header row."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from fangkong.core.spreadsheets.base import SheetRow

# --- Headers --------------------------------------------------------------------------------


def normalise_header(text: str) -> str:
    """``" 身份证号码（必填）* "`` → ``身份证号码``: width, spaces, marks and hints removed."""
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub(r"\(.*?\)|\[.*?\]", "", text)  # hints: (必填), (选填), [示例]
    text = re.sub(r"[\s*:：]", "", text)
    return text.casefold()


def match_headers(
    header: Sequence[str], aliases: Mapping[str, Sequence[str]]
) -> tuple[dict[str, int], list[str]]:
    """Map a header row to columns: ``({canonical: column index}, [unknown headers])``.

    ``aliases`` maps each canonical header to the other names it goes by. A canonical header
    found twice keeps its first column; the later one is listed as unknown (ignored).
    """
    lookup: dict[str, str] = {}
    for canonical, names in aliases.items():
        for name in (canonical, *names):
            lookup.setdefault(normalise_header(name), canonical)
    mapping: dict[str, int] = {}
    unknown: list[str] = []
    for index, text in enumerate(header):
        if not (text or "").strip():
            continue
        found = lookup.get(normalise_header(text))
        if found is None or found in mapping:
            unknown.append(text.strip())
        else:
            mapping[found] = index
    return mapping, unknown


@dataclass
class HeaderMatch:
    """The header row found in a sheet, its column mapping, and the rows after it."""

    row: SheetRow
    mapping: dict[str, int]
    unknown: list[str]
    rest: Iterator[SheetRow]

    def column_name(self, canonical: str) -> str:
        """The header as written in the file (what a worker looks for in their sheet)."""
        index = self.mapping.get(canonical)
        if index is None or index >= len(self.row.values):
            return canonical
        return self.row.values[index].strip() or canonical


def locate_header(
    rows: Iterator[SheetRow], aliases: Mapping[str, Sequence[str]], *, scan: int = 10
) -> HeaderMatch | None:
    """Find the header among the first ``scan`` non-blank rows: the one matching most names.

    Registers often open with a title row (``XX社区居民登记表``) above the header. Rows read
    while looking are not lost: those after the header come first in ``rest``.
    """
    seen: list[SheetRow] = []
    for row in rows:
        if row.is_blank():
            continue
        seen.append(row)
        if len(seen) >= scan:
            break
    best: tuple[int, int] | None = None  # (matches, position)
    for position, row in enumerate(seen):
        mapping, _unknown = match_headers(row.values, aliases)
        if mapping and (best is None or len(mapping) > best[0]):
            best = (len(mapping), position)
    if best is None:
        return None
    header = seen[best[1]]
    mapping, unknown = match_headers(header.values, aliases)

    def rest() -> Iterator[SheetRow]:
        yield from seen[best[1] + 1 :]
        yield from rows

    return HeaderMatch(header, mapping, unknown, rest())
