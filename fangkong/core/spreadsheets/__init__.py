"""Spreadsheets in and out: open an uploaded .xlsx or .csv safely, stream its rows, write exports.

Reading is model-agnostic: ``open_spreadsheet(file)`` returns a ``Spreadsheet`` whose
``rows()`` yields ``SheetRow(number, values, numeric)`` — the row number as Excel shows it,
the cells as text, and which cells were numbers in the file (an ID number Excel turned into
``1.10105E+17`` is a numeric cell). Apps map headers with ``locate_header``.

Uploaded files are hostile until proven otherwise (issue 3, "Hostile files"). Nothing is
loaded whole and nothing is trusted before it has been measured:

* .xlsx is a zip of XML. Before python-calamine sees it, the zip's directory is checked
  (total unpacked size, compression ratio: zip bombs), every XML part is streamed once
  looking for ``<!DOCTYPE``/``<!ENTITY`` (entity tricks) and, for worksheets, measuring the
  area calamine would allocate: calamine keeps a sheet as a dense grid of its used range, so
  two cells at A1 and XFD300000 would cost gigabytes. Only then does calamine read it.
* .csv is decoded as UTF-8 (with or without BOM), GB18030 or UTF-16 (Excel's "Unicode text",
  tab-separated), with the delimiter sniffed. A first streaming pass checks the encoding and
  counts the rows, stopping at the row limit, so a million-row file is refused in a second
  with bounded memory, and a file in no known encoding is refused before any row is used.

Writing (exports, templates): every text cell that a spreadsheet would run as a formula
(starting with ``= + - @``, their full-width forms ``＝ ＋ － ＠`` that a Chinese input method
types, a tab or a line break, even behind leading spaces) gets a leading apostrophe, then rows
go to .xlsx through xlsxwriter's constant-memory mode or to .csv in GB18030 (what Excel in
China opens by double-click) or UTF-8 with a BOM, streamed row by row: memory stays flat
whatever the size. openpyxl is kept for the few small workbooks that need random access
(the import templates).

Limits are module constants on purpose: they are what keeps a laptop alive, not a setting.
"""

# The parts live in this package's modules; importers name the package alone.
from fangkong.core.spreadsheets.base import (
    CHUNK,
    CSV_DELIMITERS,
    FORMULA_CONTROLS,
    FORMULA_STARTS,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_COMPRESSION_RATIO,
    MAX_FILE_BYTES,
    MAX_LINE_CHARS,
    MAX_ROW_XML_BYTES,
    MAX_ROWS,
    MAX_SHARED_STRINGS,
    MAX_TEXT_XML_BYTES,
    MAX_UNCOMPRESSED_BYTES,
    MAX_ZIP_MEMBERS,
    RATIO_CHECK_FROM,
    SNIFF_BYTES,
    SheetRow,
    SpreadsheetError,
)
from fangkong.core.spreadsheets.headers import (
    HeaderMatch,
    locate_header,
    match_headers,
    normalise_header,
)
from fangkong.core.spreadsheets.reading import (
    Spreadsheet,
    open_spreadsheet,
)
from fangkong.core.spreadsheets.writing import (
    CSV_ENCODINGS,
    PROGRESS_EVERY,
    Progress,
    SheetSpec,
    _clean_row,
    neutralise,
    starts_like_formula,
    write_csv,
    write_xlsx,
)

# The package's names, for its importers (mypy: explicit re-exports).
__all__ = [
    "CHUNK",
    "CSV_DELIMITERS",
    "CSV_ENCODINGS",
    "FORMULA_CONTROLS",
    "FORMULA_STARTS",
    "MAX_CELLS",
    "MAX_COLUMNS",
    "MAX_COMPRESSION_RATIO",
    "MAX_FILE_BYTES",
    "MAX_LINE_CHARS",
    "MAX_ROWS",
    "MAX_ROW_XML_BYTES",
    "MAX_SHARED_STRINGS",
    "MAX_TEXT_XML_BYTES",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_ZIP_MEMBERS",
    "PROGRESS_EVERY",
    "RATIO_CHECK_FROM",
    "SNIFF_BYTES",
    "HeaderMatch",
    "Progress",
    "SheetRow",
    "SheetSpec",
    "Spreadsheet",
    "SpreadsheetError",
    "_clean_row",
    "locate_header",
    "match_headers",
    "neutralise",
    "normalise_header",
    "open_spreadsheet",
    "starts_like_formula",
    "write_csv",
    "write_xlsx",
]
