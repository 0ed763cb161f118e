"""What reading and writing spreadsheets share: the limits, the error, a row, a sheet."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from django.utils.translation import gettext as _

#: Largest upload accepted, as stored (an .xlsx is compressed; a CSV is not).
MAX_FILE_BYTES = 100 * 1024 * 1024
#: Largest total an .xlsx may unpack to.
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
#: Largest unpacked/packed ratio of a zip member bigger than RATIO_CHECK_FROM. Real sheets
#: compress 5–30×; very repetitive ones reach ~100×; bombs are in the thousands.
MAX_COMPRESSION_RATIO = 200
RATIO_CHECK_FROM = 1024 * 1024
MAX_ZIP_MEMBERS = 2000
#: Rows of a sheet (the header included) and columns of a row.
MAX_ROWS = 300_000
MAX_COLUMNS = 16_384  # Excel's own limit (XFD); a claim beyond it is not from a spreadsheet
#: Cells of the dense used range calamine allocates (about 32 bytes each).
MAX_CELLS = 6_000_000
#: Longest CSV line, and longest run of worksheet XML without a row's end.
MAX_LINE_CHARS = 256 * 1024
MAX_ROW_XML_BYTES = 16 * 1024 * 1024
#: Shared strings of a workbook (one per distinct text; more than cells is absurd), and the
#: XML of one of them (Excel allows 32,767 characters in a cell).
MAX_SHARED_STRINGS = MAX_CELLS
MAX_TEXT_XML_BYTES = 1024 * 1024

CHUNK = 1024 * 1024
SNIFF_BYTES = 64 * 1024
CSV_DELIMITERS = (",", "\t", ";", "|")
#: Characters that make a spreadsheet treat a cell as a formula (OWASP "CSV injection"). Their
#: full-width (＝ ＋ － ＠) and small (﹦ ﹢ ﹣ ﹫) forms count too: Excel and WPS take a typed
#: ＝ for =, and NFKC folds each of them to the ASCII character checked here.
FORMULA_STARTS = frozenset("=+-@")
#: Control characters that start a formula on their own (a tab, a line break before one).
FORMULA_CONTROLS = frozenset("\t\r\n")
#: What a spreadsheet may skip before the first character it looks at: spaces (ASCII, no-break,
#: ideographic), zero-width and other format characters, controls.
_SKIPPED_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Cc", "Cf"})


class SpreadsheetError(Exception):
    """The whole file is refused. ``code`` is stable; ``message`` is for the user."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One row: its number as Excel shows it, its cells as text, and which were numbers."""

    number: int
    values: list[str]
    numeric: frozenset[int] = frozenset()

    def is_blank(self) -> bool:
        return not any(v.strip() for v in self.values)

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        # Rows may be sent to worker processes: plain arguments pickle much faster than the
        # state a slots dataclass generates.
        return SheetRow, (self.number, self.values, self.numeric)


def _not_a_spreadsheet() -> SpreadsheetError:
    return SpreadsheetError(
        "not_spreadsheet",
        _("This file is not a spreadsheet. Save it as .xlsx or .csv and try again."),
    )


def _size_of(source: Path | BinaryIO) -> int:
    if isinstance(source, Path):
        return source.stat().st_size
    position = source.tell()
    source.seek(0, io.SEEK_END)
    size = source.tell()
    source.seek(position)
    return size


def _read_head(source: Path | BinaryIO, n: int) -> bytes:
    if isinstance(source, Path):
        with source.open("rb") as f:
            return f.read(n)
    source.seek(0)
    head = source.read(n)
    source.seek(0)
    return head


def _binary(source: Path | BinaryIO) -> BinaryIO:
    """A binary stream at offset 0 (a fresh handle for paths; the caller's file rewound)."""
    if isinstance(source, Path):
        return source.open("rb")
    source.seek(0)
    return source
