"""The .xlsx guard: the zip and its XML parts measured before calamine reads a byte of them."""

from __future__ import annotations

import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext as _

from fangkong.core.spreadsheets.base import (
    CHUNK,
    MAX_CELLS,
    MAX_COLUMNS,
    MAX_COMPRESSION_RATIO,
    MAX_ROW_XML_BYTES,
    MAX_ROWS,
    MAX_SHARED_STRINGS,
    MAX_TEXT_XML_BYTES,
    MAX_UNCOMPRESSED_BYTES,
    MAX_ZIP_MEMBERS,
    RATIO_CHECK_FROM,
    SpreadsheetError,
    _binary,
    _not_a_spreadsheet,
)

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
            _(
                "The sheet claims more than %(limit)s columns, more than any spreadsheet has; "
                "it is refused."
            )
            % {"limit": f"{MAX_COLUMNS:,}"},
        )
    if rows * columns > MAX_CELLS:
        raise SpreadsheetError(
            "too_many_cells",
            _(
                "The sheet's used area (%(rows)s rows by %(columns)s columns) is too large. "
                "Delete unused rows and columns, or split the file."
            )
            % {"rows": f"{rows:,}", "columns": f"{columns:,}"},
        )


def _zip_bomb() -> SpreadsheetError:
    return SpreadsheetError(
        "zip_bomb",
        _(
            "The workbook would unpack to more than %(limit)s MB or is packed suspiciously "
            "tightly; it is refused."
        )
        % {"limit": MAX_UNCOMPRESSED_BYTES // (1024 * 1024)},
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
                    _(
                        "The workbook contains XML declarations (DOCTYPE or ENTITY) that "
                        "spreadsheets never need; it is refused."
                    ),
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
                        "text_too_long",
                        _(
                            "A cell of the workbook holds more text than Excel "
                            "allows; it is refused."
                        ),
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
                    _(
                        "This file is not an Excel workbook. Save it as .xlsx or .csv and try "
                        "again."
                    ),
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
