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

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, BinaryIO

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


@dataclass
class Spreadsheet:
    """An opened, already-vetted file. ``rows()`` streams it; call ``close()`` when done."""

    kind: str  # "xlsx" or "csv"
    row_count: int  # rows in the sheet, the header included (for progress bars)
    encoding: str = ""
    delimiter: str = ""
    sheet_name: str = ""
    _source: Any = field(default=None, repr=False)
    _workbook: Any = field(default=None, repr=False)

    def rows(self) -> Iterator[SheetRow]:
        if self.kind == "xlsx":
            return _xlsx_rows(self._source)
        return _csv_rows(self._source, self.encoding, self.delimiter)

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()
            self._workbook = None

    def __enter__(self) -> Spreadsheet:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


# --- Opening --------------------------------------------------------------------------------


def open_spreadsheet(file: str | os.PathLike[str] | BinaryIO, name: str = "") -> Spreadsheet:
    """Vet ``file`` (a path or a seekable binary file) and open it for streaming.

    The kind is decided by the bytes, not by the name: a zip is an .xlsx, anything else must
    be text. Raises ``SpreadsheetError`` when the file is refused.
    """
    source: Any = Path(file) if isinstance(file, (str, os.PathLike)) else file
    size = _size_of(source)
    if size == 0:
        raise SpreadsheetError("empty", _("The file is empty."))
    if size > MAX_FILE_BYTES:
        raise SpreadsheetError(
            "too_large",
            _("The file is larger than %(limit)s MB; split it into several files.")
            % {"limit": MAX_FILE_BYTES // (1024 * 1024)},
        )
    head = _read_head(source, 8)
    if head.startswith(b"PK\x03\x04"):
        return _open_xlsx(source)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        # OLE2: an old .xls workbook, or any workbook saved with a password.
        raise SpreadsheetError(
            "old_excel",
            _("This is an old Excel (.xls) file or a password-protected workbook. Open it in "
              "Excel or WPS, remove any password and save it as .xlsx."),
        )
    if head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK")):
        raise _not_a_spreadsheet()
    return _open_csv(source)


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


# --- XLSX -----------------------------------------------------------------------------------

_ENTITY_RE = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_DIMENSION_RE = re.compile(
    rb'<dimension\s+ref="([A-Za-z]{0,7})(\d{0,10})(?::([A-Za-z]{0,7})(\d{0,10}))?"'
)
_ROW_REF_RE = re.compile(rb'<row\b[^>]*?\sr="(\d{1,12})"')
_CELL_REF_RE = re.compile(rb'<c r="([A-Z]{1,7})\d')
_SHARED_STRING_RE = re.compile(rb"<si[\s>/]")


def _column_number(letters: str) -> int:
    number = 0
    for char in letters.upper():
        number = number * 26 + (ord(char) - 64)
    return number


def _refuse_size(rows: int, columns: int) -> None:
    if rows > MAX_ROWS:
        raise SpreadsheetError(
            "too_many_rows",
            _("The sheet has more than %(limit)s rows; split it into several files.")
            % {"limit": f"{MAX_ROWS:,}"},
        )
    if columns > MAX_COLUMNS:
        raise SpreadsheetError(
            "too_many_columns",
            _("The sheet claims more than %(limit)s columns, more than any spreadsheet has; "
              "it is refused.") % {"limit": f"{MAX_COLUMNS:,}"},
        )
    if rows * columns > MAX_CELLS:
        raise SpreadsheetError(
            "too_many_cells",
            _("The sheet's used area (%(rows)s rows by %(columns)s columns) is too large. "
              "Delete unused rows and columns, or split the file.")
            % {"rows": f"{rows:,}", "columns": f"{columns:,}"},
        )


def _zip_bomb() -> SpreadsheetError:
    return SpreadsheetError(
        "zip_bomb",
        _("The workbook would unpack to more than %(limit)s MB or is packed suspiciously "
          "tightly; it is refused.") % {"limit": MAX_UNCOMPRESSED_BYTES // (1024 * 1024)},
    )


@dataclass
class _SheetMeasure:
    """What a streaming pass over one worksheet's XML found out."""

    row_tags: int = 0
    explicit_rows: int = 0
    max_row_ref: int = 0
    cells: int = 0
    explicit_cells: int = 0
    max_column_ref: int = 0
    max_cells_in_row: int = 0

    def feed(self, piece: bytes) -> None:
        """Measure a piece of sheet XML that ends at a row's end (no tag is cut in two)."""
        self.row_tags += piece.count(b"<row ") + piece.count(b"<row>")
        refs = _ROW_REF_RE.findall(piece)
        self.explicit_rows += len(refs)
        if refs:
            self.max_row_ref = max(self.max_row_ref, max(int(r) for r in refs))
        columns = _CELL_REF_RE.findall(piece)
        self.explicit_cells += len(columns)
        # Few distinct letters per piece: the set makes the maximum cheap.
        for letters in set(columns):
            self.max_column_ref = max(self.max_column_ref, _column_number(letters.decode()))
        for row in piece.split(b"</row>"):
            n = row.count(b"<c ") + row.count(b"<c>") + row.count(b"<c/>")
            self.cells += n
            self.max_cells_in_row = max(self.max_cells_in_row, n)

    def extent(self) -> tuple[int, int]:
        """Rows and columns of the dense range calamine will allocate (an upper bound).

        Rows and cells without an ``r`` attribute take the next position, so where some lack
        it the bound adds their count to the largest explicit position.
        """
        rows = self.max_row_ref + (self.row_tags - self.explicit_rows)
        columns = self.max_column_ref
        if self.explicit_cells != self.cells:
            columns += self.max_cells_in_row
        return rows, columns


def _check_xml_start(data: bytes) -> None:
    # UTF-16 XML would hide "<!DOCTYPE" from a byte search; real workbooks are UTF-8.
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:200]:
        raise SpreadsheetError(
            "xml_encoding", _("The workbook's XML is not UTF-8; save it again as .xlsx.")
        )


def _scan_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]) -> None:
    """Stream one XML member once: entity declarations, real size, and sheet extent."""
    is_sheet = info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")
    is_shared = info.filename == "xl/sharedStrings.xml"
    measure = _SheetMeasure() if is_sheet else None
    shared = 0
    since_text = 0
    pending = b""
    tail = b""
    first = True
    with archive.open(info) as member:
        while chunk := member.read(CHUNK):
            budget[0] += len(chunk)
            if budget[0] > MAX_UNCOMPRESSED_BYTES:
                raise _zip_bomb()
            if first:
                _check_xml_start(chunk)
                if measure is not None and (dim := _DIMENSION_RE.search(chunk[:4096])):
                    _check_dimension(dim)
                first = False
            # The tail of the previous chunk catches a declaration cut in two.
            if _ENTITY_RE.search(tail + chunk):
                raise SpreadsheetError(
                    "xml_entities",
                    _("The workbook contains XML declarations (DOCTYPE or ENTITY) that "
                      "spreadsheets never need; it is refused."),
                )
            tail = chunk[-32:]
            if is_shared:
                shared += len(_SHARED_STRING_RE.findall(chunk))
                if shared > MAX_SHARED_STRINGS:
                    raise SpreadsheetError(
                        "too_many_strings",
                        _("The workbook holds more texts than any register; it is refused."),
                    )
                # One text is at most 32,767 characters in Excel; calamine would hold a
                # giant one whole, and Python a copy of it.
                end = chunk.rfind(b"</si>")
                since_text = since_text + len(chunk) if end == -1 else len(chunk) - end
                if since_text > MAX_TEXT_XML_BYTES:
                    raise SpreadsheetError(
                        "text_too_long", _("A cell of the workbook holds more text than Excel "
                                           "allows; it is refused."),
                    )
            if measure is not None:
                pending += chunk
                cut = pending.rfind(b"</row>")
                if cut == -1:
                    if len(pending) > MAX_ROW_XML_BYTES:
                        raise SpreadsheetError(
                            "row_too_large", _("A row of the sheet is too large; it is refused.")
                        )
                    continue
                cut += len(b"</row>")
                measure.feed(pending[:cut])
                pending = pending[cut:]
                _refuse_size(*measure.extent())
    if measure is not None:
        measure.feed(pending)
        _refuse_size(*measure.extent())


def _check_dimension(match: re.Match[bytes]) -> None:
    """Refuse a sheet whose declared used range is already beyond the limits."""
    first_col, first_row, last_col, last_row = (g.decode() if g else "" for g in match.groups())
    last_col, last_row = last_col or first_col, last_row or first_row
    columns = _column_number(last_col) if last_col else 0
    rows = int(last_row) if last_row else 0
    if columns > MAX_COLUMNS or rows > MAX_ROWS:
        _refuse_size(rows, columns)


def _vet_zip(source: Path | BinaryIO) -> None:
    """Check an .xlsx's zip directory and stream its XML before calamine touches it."""
    stream = _binary(source)
    try:
        try:
            archive = zipfile.ZipFile(stream)
        except (zipfile.BadZipFile, OSError, ValueError):
            raise _not_a_spreadsheet() from None
        with archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
            if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
                # An .ods, a .docx or any other zip.
                raise SpreadsheetError(
                    "not_xlsx",
                    _("This file is not an Excel workbook. Save it as .xlsx or .csv and try "
                      "again."),
                )
            if len(infos) > MAX_ZIP_MEMBERS:
                raise _zip_bomb()
            if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED_BYTES:
                raise _zip_bomb()
            for info in infos:
                if info.flag_bits & 0x1:
                    raise SpreadsheetError(
                        "encrypted", _("The workbook is encrypted; save it without a password.")
                    )
                if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                    raise _not_a_spreadsheet()
                if (
                    info.file_size > RATIO_CHECK_FROM
                    and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1)
                ):
                    raise _zip_bomb()
            budget = [0]  # bytes really unpacked: headers can lie about file_size
            for info in infos:
                if info.filename.endswith((".xml", ".rels")):
                    try:
                        _scan_member(archive, info, budget)
                    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
                        raise SpreadsheetError(
                            "damaged", _("The workbook is damaged and cannot be read.")
                        ) from None
    finally:
        if isinstance(source, Path):
            stream.close()


def _damaged() -> SpreadsheetError:
    return SpreadsheetError("damaged", _("The workbook is damaged and cannot be read."))


def _open_xlsx(source: Path | BinaryIO) -> Spreadsheet:
    import python_calamine

    _vet_zip(source)
    try:
        if isinstance(source, Path):
            workbook = python_calamine.CalamineWorkbook.from_path(str(source))
        else:
            source.seek(0)
            workbook = python_calamine.CalamineWorkbook.from_filelike(source)
    except python_calamine.CalamineError:
        raise _damaged() from None
    try:
        visible = [
            m.name for m in workbook.sheets_metadata
            if m.typ == python_calamine.SheetTypeEnum.WorkSheet
            and m.visible == python_calamine.SheetVisibleEnum.Visible
        ]
        if not visible:
            raise SpreadsheetError("no_sheet", _("The workbook has no visible worksheet."))
        # Parses the sheet once; rows() iterates over what calamine holds.
        sheet = workbook.get_sheet_by_name(visible[0])
    except python_calamine.CalamineError:
        workbook.close()
        raise _damaged() from None
    except SpreadsheetError:
        workbook.close()
        raise
    end = sheet.end
    return Spreadsheet(
        kind="xlsx", row_count=(end[0] + 1) if end else 0, sheet_name=visible[0],
        _source=sheet, _workbook=workbook,
    )


def _cell_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        # 502.0 is "502"; beyond 15 digits a float has lost digits, so keep its own spelling.
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _xlsx_rows(sheet: Any) -> Iterator[SheetRow]:
    if sheet.end is None:
        return
    # python-calamine's iter_rows pads the empty rows above the used range, so the n-th row
    # it yields is Excel's row n (test_spreadsheets pins this for a header in row 3).
    none: frozenset[int] = frozenset()
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        if all(type(v) is str for v in cells):  # the common row: text only, nothing to convert
            yield SheetRow(number, cells, none)
            continue
        numeric = frozenset(
            i for i, v in enumerate(cells)
            if isinstance(v, (int, float)) and not isinstance(v, bool)
        )
        yield SheetRow(number, [_cell_text(v) for v in cells], numeric)


# --- CSV ------------------------------------------------------------------------------------


def _sniff_encoding(sample: bytes) -> list[str]:
    """Encodings to try, in order, from a file's first bytes."""
    if sample.startswith(codecs.BOM_UTF8):
        return ["utf-8-sig"]
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return ["utf-16"]  # the codec reads the BOM and picks the byte order
    if b"\x00" in sample:
        # UTF-16 without a BOM: every other byte of ASCII text is zero.
        evens, odds = sample[0::2], sample[1::2]
        if odds.count(0) > len(odds) * 0.3 and evens.count(0) < len(evens) * 0.05:
            return ["utf-16-le"]
        if evens.count(0) > len(evens) * 0.3 and odds.count(0) < len(odds) * 0.05:
            return ["utf-16-be"]
        raise _not_a_spreadsheet()
    return ["utf-8", "gb18030"]


def _sniff_delimiter(first_line: str) -> str:
    """The delimiter of a header line: the candidate seen most often outside quotes."""
    unquoted = re.sub(r'"[^"]*"', "", first_line)
    counts = {d: unquoted.count(d) for d in CSV_DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _text(raw: BinaryIO, encoding: str) -> io.TextIOWrapper:
    raw.seek(0)
    return io.TextIOWrapper(raw, encoding=encoding, errors="strict", newline="")


def _bounded_lines(text: IO[str]) -> Iterator[str]:
    """Lines of at most MAX_LINE_CHARS: a file without line breaks is never read whole."""
    number = 0
    while line := text.readline(MAX_LINE_CHARS + 1):
        number += 1
        if len(line) > MAX_LINE_CHARS:
            raise SpreadsheetError(
                "line_too_long",
                _("Line %(row)s is longer than %(limit)s characters; this is not a register.")
                % {"row": number, "limit": f"{MAX_LINE_CHARS:,}"},
            )
        if "\x00" in line:
            raise _not_a_spreadsheet()
        yield line


def _undecodable() -> SpreadsheetError:
    return SpreadsheetError(
        "encoding",
        _("The file's text is in no encoding we know (UTF-8, GB18030 or UTF-16). Save it "
          "again as .xlsx, or as CSV (UTF-8)."),
    )


def _count_csv(raw: BinaryIO, encoding: str, delimiter: str) -> int:
    """Rows of the file, checking every byte decodes; stops at the row limit."""
    text = _text(raw, encoding)
    rows = 0
    try:
        for record in csv.reader(_bounded_lines(text), delimiter=delimiter):
            rows += 1
            if rows > MAX_ROWS:
                _refuse_size(rows, 0)
            if len(record) > MAX_COLUMNS:
                _refuse_size(rows, len(record))
    except csv.Error:
        raise SpreadsheetError(
            "csv_broken", _("Row %(row)s of the file cannot be read as CSV.") % {"row": rows + 1}
        ) from None
    finally:
        text.detach()
    return rows


def _open_csv(source: Path | BinaryIO) -> Spreadsheet:
    raw = _binary(source)
    try:
        sample = raw.read(SNIFF_BYTES)
        candidates = _sniff_encoding(sample)
        for encoding in candidates:
            # The sample may end inside a character: decode it incrementally.
            decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
            try:
                head = decoder.decode(sample, final=False)
            except UnicodeDecodeError:
                continue
            delimiter = _sniff_delimiter(head.lstrip("\ufeff").splitlines()[0] if head else "")
            try:
                rows = _count_csv(raw, encoding, delimiter)
            except UnicodeDecodeError:
                continue
            if rows == 0:
                raise SpreadsheetError("empty", _("The file is empty."))
            return Spreadsheet(
                kind="csv", row_count=rows, encoding=encoding, delimiter=delimiter,
                _source=source,
            )
        raise _undecodable()
    finally:
        if isinstance(source, Path):
            raw.close()


def _csv_rows(source: Path | BinaryIO, encoding: str, delimiter: str) -> Iterator[SheetRow]:
    raw = _binary(source)
    text = _text(raw, encoding)
    try:
        for number, record in enumerate(
            csv.reader(_bounded_lines(text), delimiter=delimiter), start=1
        ):
            if number > MAX_ROWS:
                _refuse_size(number, 0)  # the file grew since it was counted
            yield SheetRow(number, record)
    except UnicodeDecodeError:
        raise _undecodable() from None
    finally:
        text.detach()
        if isinstance(source, Path):
            raw.close()


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
        canonical = lookup.get(normalise_header(text))
        if canonical is None or canonical in mapping:
            unknown.append(text.strip())
        else:
            mapping[canonical] = index
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
        yield from seen[best[1] + 1:]
        yield from rows

    return HeaderMatch(header, mapping, unknown, rest())


# --- Writing --------------------------------------------------------------------------------


def starts_like_formula(text: str) -> bool:
    """Whether a spreadsheet might run ``text`` as a formula: its first character that is not a
    space or an invisible one is ``= + - @`` in any width, or it starts with a tab or a line
    break. (``"\u3000＝1+1"`` and ``"\u200b=1+1"`` count: a space hides nothing.)"""
    for char in text:
        if char in FORMULA_CONTROLS:
            return True
        if char.isalnum():  # the common case, settled at the first character
            return False
        if unicodedata.category(char) in _SKIPPED_CATEGORIES:
            continue
        return unicodedata.normalize("NFKC", char)[:1] in FORMULA_STARTS
    return False


def neutralise(value: Any) -> Any:
    """A cell value that no spreadsheet will run as a formula (text gets a leading ')."""
    if isinstance(value, str) and starts_like_formula(value):
        return "'" + value
    return value


def _clean_row(row: Iterable[Any]) -> list[Any]:
    return [neutralise("" if v is None else v) for v in row]


@dataclass
class SheetSpec:
    """One sheet of an .xlsx being written: a title, a header and rows (any iterable)."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Any]]
    widths: Sequence[int] = ()
    #: Columns (0-based) formatted as text, so that numbers typed later stay text.
    text_columns: Sequence[int] = ()


#: Told the rows written so far (a job's progress bar).
Progress = Callable[[int], None]
#: Rows between two calls of ``progress``.
PROGRESS_EVERY = 2000
#: Characters Excel refuses in a sheet's name.
_BAD_SHEET_TITLE = re.compile(r"[\\/*?:\[\]]")


def _sheet_title(title: str, taken: set[str]) -> str:
    """A name Excel accepts: no ``[]:*?/\\``, at most 31 characters, not quoted, unique."""
    base = _BAD_SHEET_TITLE.sub("_", title).strip("'")[:31] or "Sheet"
    name, n = base, 1
    while name.casefold() in taken:
        n += 1
        name = f"{base[:31 - len(str(n))]}{n}"
    taken.add(name.casefold())
    return name


def write_xlsx(
    target: BinaryIO | str | os.PathLike[str], sheets: Sequence[SheetSpec],
    *, progress: Progress | None = None,
) -> int:
    """Write sheets to ``target`` (a binary file or a path); returns the data rows written.
    ``progress`` is told the rows written so far every ``PROGRESS_EVERY`` rows and at the end.

    xlsxwriter in constant-memory mode: each row goes to a temporary file as it is written
    and is never held again, so memory stays flat for any export (a district's 300,000
    people included), and it writes about three times faster than openpyxl's write-only
    mode. Texts are written as texts: xlsxwriter's turning of ``=…`` into formulas,
    ``http…`` into links and ``"1"`` into numbers is off (cells are neutralised as well).
    """
    import xlsxwriter

    workbook = xlsxwriter.Workbook(target, {  # type: ignore[arg-type]
        "constant_memory": True,
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "remove_timezone": True,
        "default_date_format": "yyyy-mm-dd",
    })
    bold = workbook.add_format({"bold": True})
    text_format = workbook.add_format({"num_format": "@"})
    datetime_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    written = 0
    taken: set[str] = set()
    try:
        for spec in sheets:
            sheet = workbook.add_worksheet(_sheet_title(spec.title, taken))
            text_columns = frozenset(spec.text_columns)
            for index in range(max(len(spec.widths), max(text_columns, default=-1) + 1)):
                width = spec.widths[index] if index < len(spec.widths) else None
                sheet.set_column(index, index, width,
                                 text_format if index in text_columns else None)
            for column, text in enumerate(spec.header):
                sheet.write_string(0, column, neutralise(str(text)), bold)
            row_number = 0
            for row_number, row in enumerate(spec.rows, start=1):
                for column, value in enumerate(row):
                    cell_format = text_format if column in text_columns else None
                    _write_cell(sheet, row_number, column, value, cell_format,
                                date_format, datetime_format)
                if progress is not None and row_number % PROGRESS_EVERY == 0:
                    progress(written + row_number)
            written += row_number
    finally:
        workbook.close()
    if progress is not None:
        progress(written)
    return written


def _write_cell(sheet: Any, row: int, column: int, value: Any, cell_format: Any,
                date_format: Any, datetime_format: Any) -> None:
    """One cell by its type, as openpyxl's writer stored it (numbers as numbers, dates as
    dates, anything else as neutralised text)."""
    kind = type(value)
    if kind is str:
        if value:
            if "\r" in value:
                # XML reads a carriage return back as a line feed (openpyxl's files did);
                # xlsxwriter would write it as "_x000D_", which readers show literally.
                value = value.replace("\r\n", "\n").replace("\r", "\n")
            sheet.write_string(row, column, neutralise(value), cell_format)
        # An empty text is an empty cell, as openpyxl left it (None becomes "" first).
    elif kind is bool:
        sheet.write_boolean(row, column, value, cell_format)
    elif kind is int or kind is float or isinstance(value, Decimal):
        if value != value or value in (float("inf"), float("-inf")):  # NaN, infinities
            sheet.write_string(row, column, str(value), cell_format)
        else:
            sheet.write_number(row, column, value, cell_format)
    elif isinstance(value, dt.datetime):
        sheet.write_datetime(row, column, value, cell_format or datetime_format)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, column, value, cell_format or date_format)
    elif value is None:
        pass
    else:
        sheet.write_string(row, column, neutralise(str(value)), cell_format)


#: CSV encodings offered: GB18030 is what Excel in China opens on a double-click.
CSV_ENCODINGS = {"gb18030": "gb18030", "utf-8": "utf-8-sig"}


def write_csv(
    target: BinaryIO, header: Sequence[str], rows: Iterable[Sequence[Any]],
    *, encoding: str = "gb18030", progress: Progress | None = None,
) -> int:
    """Write a CSV to ``target``: GB18030 by default, ``utf-8`` gives UTF-8 with a BOM.

    Rows are written as they come (the csv module over a text wrapper of ``target``), so
    memory stays flat; ``progress`` as for ``write_xlsx``."""
    codec = CSV_ENCODINGS.get(encoding, encoding)
    text = io.TextIOWrapper(target, encoding=codec, errors="strict", newline="")
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(_clean_row(header))
    written = 0
    for row in rows:
        writer.writerow(_clean_row(row))
        written += 1
        if progress is not None and written % PROGRESS_EVERY == 0:
            progress(written)
    text.flush()
    text.detach()
    if progress is not None:
        progress(written)
    return written
