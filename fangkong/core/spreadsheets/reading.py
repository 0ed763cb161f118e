"""Reading an upload: the file measured and sniffed, then read as .xlsx (through python-calamine,
once the zip guard has passed it) or as .csv (its encoding and delimiter sniffed, its size
counted in one streaming pass)."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO

from django.utils.translation import gettext as _

from fangkong.core.spreadsheets.base import (
    CSV_DELIMITERS,
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_LINE_CHARS,
    MAX_ROWS,
    SNIFF_BYTES,
    SheetRow,
    SpreadsheetError,
    _binary,
    _not_a_spreadsheet,
    _read_head,
    _size_of,
)
from fangkong.core.spreadsheets.zip_guard import _refuse_size, _vet_zip


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


# --- Opening --------------------------------------------------------------------------------


def open_spreadsheet(file: str | os.PathLike[str] | IO[bytes], name: str = "") -> Spreadsheet:
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
            _(
                "This is an old Excel (.xls) file or a password-protected workbook. Open it in "
                "Excel or WPS, remove any password and save it as .xlsx."
            ),
        )
    if head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"PK")):
        raise _not_a_spreadsheet()
    return _open_csv(source)


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
            m.name
            for m in workbook.sheets_metadata
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
        kind="xlsx",
        row_count=(end[0] + 1) if end else 0,
        sheet_name=visible[0],
        _source=sheet,
        _workbook=workbook,
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
            i
            for i, v in enumerate(cells)
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
        _(
            "The file's text is in no encoding we know (UTF-8, GB18030 or UTF-16). Save it "
            "again as .xlsx, or as CSV (UTF-8)."
        ),
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
                kind="csv",
                row_count=rows,
                encoding=encoding,
                delimiter=delimiter,
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
