"""Opening spreadsheets safely, streaming their rows, matching headers, writing exports."""

from __future__ import annotations

import codecs
import csv
import io
import random
import time
import tracemalloc
import zipfile
from collections.abc import Iterable
from pathlib import Path

import openpyxl
import pytest

from fangkong.core import spreadsheets
from fangkong.core.spreadsheets import (
    SheetSpec,
    SpreadsheetError,
    locate_header,
    match_headers,
    neutralise,
    open_spreadsheet,
    write_csv,
    write_xlsx,
)

ROWS = [["楼栋", "房号", "姓名"], ["1", "502", "张三"], ["东园2号楼", "1-101", "李四"]]
SHEET = "xl/worksheets/sheet1.xml"


def read_all(path: Path | io.BytesIO) -> list[list[str]]:
    with open_spreadsheet(path) as sheet:
        return [row.values for row in sheet.rows()]


def refused(path: Path | io.BytesIO) -> SpreadsheetError:
    with pytest.raises(SpreadsheetError) as caught:
        read_all(path)
    assert caught.value.message
    return caught.value


def xlsx(path: Path, rows: Iterable[list[object]] = ROWS) -> Path:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(path)
    return path


def with_member(source: Path, target: Path, name: str, chunks: Iterable[bytes]) -> Path:
    """A copy of ``source`` whose member ``name`` is replaced by ``chunks``, streamed."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for item in old.infolist():
            if item.filename != name:
                new.writestr(item, old.read(item.filename))
        with new.open(name, "w") as member:
            for chunk in chunks:
                member.write(chunk)
    return target


def sheet_xml(body: bytes, head: bytes = b"") -> list[bytes]:
    return [
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + head,
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
        body,
        b"</worksheet>",
    ]


# --- Reading what workers bring ----------------------------------------------------------------


def test_an_xlsx_streams_its_rows_as_text(tmp_path: Path) -> None:
    assert read_all(xlsx(tmp_path / "r.xlsx")) == ROWS


def test_row_numbers_are_those_excel_shows_even_below_empty_rows(tmp_path: Path) -> None:
    path = tmp_path / "r.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active["B3"] = "姓名"
    workbook.active["B5"] = "张三"
    workbook.save(path)

    with open_spreadsheet(path) as sheet:
        rows = [(r.number, r.values) for r in sheet.rows() if not r.is_blank()]

    assert rows == [(3, ["姓名"]), (5, ["张三"])]


def test_numbers_in_xlsx_cells_are_flagged_and_written_as_excel_shows_them(tmp_path: Path) -> None:
    path = xlsx(
        tmp_path / "r.xlsx",
        [["房号", "身份证号", "手机号"], [502, 110101199003071234, 13812345678]],
    )

    with open_spreadsheet(path) as sheet:
        row = list(sheet.rows())[1]

    assert row.values[0] == "502"
    assert row.values[2] == "13812345678"
    assert row.values[1] != "110101199003071234"  # Excel kept only 15 digits of it
    assert row.numeric == frozenset({0, 1, 2})


CSV_TEXT = "楼栋,房号,姓名\r\n1,502,张三\r\n东园2号楼,1-101,李四\r\n"
TAB_TEXT = CSV_TEXT.replace(",", "\t")


@pytest.mark.parametrize(
    ("encoding", "data"),
    [
        ("utf-8", CSV_TEXT.encode()),
        ("utf-8-sig", codecs.BOM_UTF8 + CSV_TEXT.replace("\r\n", "\n").encode()),
        ("gb18030", CSV_TEXT.encode("gb18030")),
        # Excel's "Unicode text": UTF-16 little-endian with a BOM, separated by tabs.
        ("utf-16", TAB_TEXT.encode("utf-16")),
        ("utf-16", codecs.BOM_UTF16_BE + TAB_TEXT.encode("utf-16-be")),
        ("utf-8", CSV_TEXT.replace(",", ";").encode()),
    ],
    ids=["utf-8", "utf-8-bom", "gb18030", "utf-16-le", "utf-16-be", "semicolons"],
)
def test_a_csv_is_read_in_each_encoding_excel_writes(
    tmp_path: Path, encoding: str, data: bytes
) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(data)

    with open_spreadsheet(path) as sheet:
        assert sheet.encoding == encoding
        assert read_all(path) == ROWS


def test_a_gb18030_file_is_not_mistaken_for_utf8_after_a_long_ascii_start(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(("a,b,c\n" * 20_000 + "东园,502,张三\n").encode("gb18030"))

    with open_spreadsheet(path) as sheet:
        last = list(sheet.rows())[-1]

    assert sheet.encoding == "gb18030"
    assert last.values == ["东园", "502", "张三"]


def test_an_uploaded_file_object_is_read_like_a_path(tmp_path: Path) -> None:
    data = xlsx(tmp_path / "r.xlsx").read_bytes()

    assert read_all(io.BytesIO(data)) == ROWS
    assert read_all(io.BytesIO("楼栋,房号,姓名\n1,502,张三\n".encode("gb18030")))[1][2] == "张三"


# --- Hostile files --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(300), "not_spreadsheet"),
        (b"%PDF-1.7\n" + bytes(300), "not_spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(300), "old_excel"),
        (b"PK\x03\x04 broken zip", "not_spreadsheet"),
        (b"", "empty"),
        (bytes(range(128, 256)) * 40, "encoding"),
        (b"a,b\n\x00\x01\x02\x03\x00\x00\x07" * 50, "not_spreadsheet"),
    ],
    ids=["png", "pdf", "old-xls", "broken-zip", "empty", "no-encoding", "binary"],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused_with_a_reason(
    tmp_path: Path, data: bytes, code: str
) -> None:
    path = tmp_path / "upload.xlsx"
    path.write_bytes(data)

    assert refused(path).code == code


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sheet.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")

    assert refused(path).code == "not_xlsx"


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path: Path) -> None:
    # 64 MB of one repeated row packs into a few dozen kilobytes.
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    body = (row * (1024 * 1024 // len(row) + 1) for _ in range(64))
    path = with_member(
        xlsx(tmp_path / "base.xlsx"),
        tmp_path / "bomb.xlsx",
        SHEET,
        sheet_xml(b"<sheetData>", b"") + list(body) + [b"</sheetData>"],
    )
    tracemalloc.start()

    error = refused(path)

    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert error.code == "zip_bomb"
    assert peak < 20 * 1024 * 1024


def test_a_workbook_unpacking_beyond_the_limit_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spreadsheets.zip_guard, "MAX_UNCOMPRESSED_BYTES", 4096)

    assert refused(xlsx(tmp_path / "r.xlsx")).code == "zip_bomb"


@pytest.mark.parametrize("member", [SHEET, "xl/sharedStrings.xml", "xl/workbook.xml"])
def test_entity_tricks_in_any_xml_part_are_refused(tmp_path: Path, member: str) -> None:
    base = xlsx(tmp_path / "base.xlsx", [["姓名"], ["张三"]])
    with zipfile.ZipFile(base) as archive:
        original = archive.read(member) if member in archive.namelist() else b"<sst/>"
    laughs = b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
    declaration, _, rest = original.partition(b"?>")
    poisoned = declaration + b"?>" + laughs + rest if rest else laughs + original

    path = with_member(base, tmp_path / "laughs.xlsx", member, [poisoned])

    assert refused(path).code == "xml_entities"


def test_xml_in_utf16_is_refused(tmp_path: Path) -> None:
    body = '<?xml version="1.0" encoding="UTF-16"?><worksheet/>'.encode("utf-16")
    path = with_member(xlsx(tmp_path / "base.xlsx"), tmp_path / "u16.xlsx", SHEET, [body])

    assert refused(path).code == "xml_encoding"


def test_a_sheet_claiming_a_million_columns_is_refused(tmp_path: Path) -> None:
    # BDWGN is column 1,000,000.
    xml = sheet_xml(
        b'<dimension ref="A1:BDWGN2"/><sheetData><row r="1"><c r="A1" t="inlineStr">'
        b"<is><t>x</t></is></c></row></sheetData>"
    )
    path = with_member(xlsx(tmp_path / "base.xlsx"), tmp_path / "wide.xlsx", SHEET, xml)

    assert refused(path).code == "too_many_columns"


def test_a_sheet_lying_about_its_size_is_measured_not_believed(tmp_path: Path) -> None:
    # Two cells, at A1 and XFD2000: calamine would allocate 2,000 × 16,384 cells (1 GB).
    xml = sheet_xml(
        b'<dimension ref="A1"/><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>x</t></is></c></row>'
        b'<row r="2000"><c r="XFD2000" t="inlineStr"><is><t>y</t></is></c></row>'
        b"</sheetData>"
    )
    path = with_member(xlsx(tmp_path / "base.xlsx"), tmp_path / "sparse.xlsx", SHEET, xml)

    assert refused(path).code == "too_many_cells"


def test_cells_without_positions_count_towards_the_size(tmp_path: Path) -> None:
    # Cells without r="…" take the next column: 20,000 of them in a row far down.
    wide = b"<row>" + b"<c/>" * 20_000 + b"</row>"
    xml = sheet_xml(
        b'<sheetData><row r="1000"><c r="A1000" t="inlineStr"><is><t>x</t></is></c>'
        b"</row>" + wide + b"</sheetData>"
    )
    path = with_member(xlsx(tmp_path / "base.xlsx"), tmp_path / "implicit.xlsx", SHEET, xml)

    assert refused(path).code in {"too_many_columns", "too_many_cells"}


def test_a_giant_text_is_refused_before_calamine_holds_it(tmp_path: Path) -> None:
    strings = [
        b'<?xml version="1.0" encoding="UTF-8"?><sst count="1" uniqueCount="1" '
        b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>',
        # Incompressible text, or the zip-bomb check would refuse it first.
        *(random.Random(n).randbytes(512 * 1024).hex().encode() for n in range(4)),
        b"</t></si></sst>",
    ]
    path = with_member(
        xlsx(tmp_path / "base.xlsx", [["姓名"], ["张三"]]),
        tmp_path / "big.xlsx",
        "xl/sharedStrings.xml",
        strings,
    )

    assert refused(path).code == "text_too_long"


def test_a_million_row_xlsx_is_refused_with_bounded_memory(tmp_path: Path) -> None:
    rows = (
        b"".join(
            b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i)
            for i in range(start, start + 10_000)
        )
        for start in range(1, 1_000_001, 10_000)
    )
    path = with_member(
        xlsx(tmp_path / "base.xlsx"),
        tmp_path / "tall.xlsx",
        SHEET,
        sheet_xml(b"<sheetData>") + list(rows) + [b"</sheetData>"],
    )
    tracemalloc.start()
    started = time.monotonic()

    error = refused(path)

    elapsed = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert error.code == "too_many_rows"
    assert elapsed < 30  # seconds, on a busy CI machine; about 2 s alone
    assert peak < 50 * 1024 * 1024


def test_a_million_row_csv_is_refused_quickly_with_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "million.csv"
    with path.open("wb") as out:
        out.write("楼栋,房号,姓名\n".encode("gb18030"))
        line = "1,502,张三\n".encode("gb18030")
        for _ in range(100):
            out.write(line * 10_000)
    tracemalloc.start()
    started = time.monotonic()

    error = refused(path)

    elapsed = time.monotonic() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert error.code == "too_many_rows"
    assert elapsed < 30  # seconds, on a busy CI machine; about 2 s alone
    assert peak < 20 * 1024 * 1024


def test_a_csv_without_line_breaks_is_never_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "one-line.csv"
    path.write_bytes(b"a," * 2_000_000)

    assert refused(path).code == "line_too_long"


def test_a_file_beyond_the_size_limit_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(spreadsheets.reading, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.csv"
    path.write_bytes(b"a,b\n" * 1000)

    assert refused(path).code == "too_large"


# --- Headers --------------------------------------------------------------------------------

ALIASES = {"身份证号": ["身份证号码", "证件号码"], "姓名": [], "楼栋": ["楼号"]}


def test_headers_match_by_alias_with_width_spaces_and_marks_ignored() -> None:
    mapping, unknown = match_headers(
        ["楼号", " 姓名* ", "证件号码（必填）", "籍贯", "", "姓名"], ALIASES
    )

    assert mapping == {"楼栋": 0, "姓名": 1, "身份证号": 2}
    assert unknown == ["籍贯", "姓名"]  # a second 姓名 column is ignored, and said so


def test_the_header_is_found_below_a_title_row() -> None:
    rows = iter(
        [
            spreadsheets.SheetRow(1, ["文化社区居民登记表", "", ""]),
            spreadsheets.SheetRow(2, ["", "", ""]),
            spreadsheets.SheetRow(3, ["楼号", "姓名", "身份证号"]),
            spreadsheets.SheetRow(4, ["1", "张三", "x"]),
        ]
    )

    found = locate_header(rows, ALIASES)

    assert found is not None
    assert found.row.number == 3
    assert found.column_name("楼栋") == "楼号"
    assert [r.number for r in found.rest] == [4]


# --- Writing: formula neutralisation and encodings ------------------------------------------

DANGEROUS = ["=1+1", "@SUM(A1)", "+86 138", "-2+3", "\t=cmd", "\r=x", '=HYPERLINK("x")']


def test_cells_that_would_run_as_formulas_are_neutralised() -> None:
    assert [neutralise(v) for v in DANGEROUS] == ["'" + v for v in DANGEROUS]
    assert neutralise("024-23456789") == "024-23456789"
    assert neutralise(42) == 42


def test_an_exported_xlsx_holds_no_formula_cell(tmp_path: Path) -> None:
    path = tmp_path / "export.xlsx"
    with path.open("wb") as out:
        written = write_xlsx(
            out, [SheetSpec("人员", ["=HEADER", "姓名"], [[v, "张三"] for v in DANGEROUS])]
        )

    workbook = openpyxl.load_workbook(path)
    cells = [c for row in workbook.active.iter_rows() for c in row]
    assert written == len(DANGEROUS)
    assert all(c.data_type != "f" for c in cells)
    assert workbook.active["A2"].value == "'=1+1"
    assert workbook.active["A3"].value == "'@SUM(A1)"


#: Formula starts beyond ASCII: the full-width forms a Chinese input method types (Excel and
#: WPS take ＝ for =), the small forms, and a start hidden behind spaces or invisible marks.
WIDE_DANGEROUS = [
    "＝1+1",
    "＋86 138",
    "－2+3",
    "＠SUM(A1)",
    '＝HYPERLINK("http://x")',
    "﹦1+1",
    "﹢1",
    "﹣1",
    "﹫SUM(A1)",
    " =1+1",
    "\u3000＝1+1",
    "\u00a0@SUM(A1)",
    "\u200b=1+1",
    "\ufeff=1+1",
    "\n=1+1",
]
HARMLESS = ["024-23456789", "张三", "a=b", "1+1", "", "  张三", "（备注）", "×2"]


def test_full_width_and_hidden_formula_starts_are_neutralised() -> None:
    assert [neutralise(v) for v in WIDE_DANGEROUS] == ["'" + v for v in WIDE_DANGEROUS]
    assert [neutralise(v) for v in HARMLESS] == HARMLESS


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_every_formula_start_reads_back_neutralised_from_a_real_export(
    tmp_path: Path,
    fmt: str,
) -> None:
    values = DANGEROUS + WIDE_DANGEROUS
    path = tmp_path / f"export.{fmt}"
    with path.open("wb") as out:
        if fmt == "xlsx":
            write_xlsx(out, [SheetSpec("人员", ["＝表头", "姓名"], [[v, "张三"] for v in values])])
        else:
            write_csv(out, ["＝表头", "姓名"], [[v, "张三"] for v in values])

    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(path).active
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
        read = [row[0] for row in sheet.iter_rows(values_only=True)]
        # XML reads a carriage return back as a line feed; either still follows the '.
        values = [v.replace("\r", "\n") for v in values]
    else:
        with path.open(encoding="gb18030", newline="") as text:
            read = [row[0] for row in csv.reader(text)]
    assert read == ["'＝表头"] + ["'" + v for v in values]


def test_a_cell_starting_with_an_equals_sign_is_read_as_text_never_run(tmp_path: Path) -> None:
    # A CSV cell, and an .xlsx text cell, are what they say; a formula in an .xlsx is never
    # calculated (no stored result: it reads as empty).
    csv_path = tmp_path / "r.csv"
    csv_path.write_text(
        '姓名,备注\n=1+1,"=HYPERLINK(""http://x"")"\n＝1+1,@SUM(A1)\n', encoding="utf-8"
    )
    workbook = openpyxl.Workbook()
    workbook.active.append(["姓名", "备注"])
    workbook.active.append(["=1+1", "张三"])  # openpyxl writes this one as a formula
    text_cell = workbook.active.cell(row=3, column=1, value="=1+1")
    text_cell.data_type = "s"  # and this one as text that starts with =
    workbook.active.cell(row=3, column=2, value="＝2+2")
    xlsx_path = tmp_path / "r.xlsx"
    workbook.save(xlsx_path)

    assert read_all(csv_path)[1:] == [["=1+1", '=HYPERLINK("http://x")'], ["＝1+1", "@SUM(A1)"]]
    assert read_all(xlsx_path)[1:] == [["", "张三"], ["=1+1", "＝2+2"]]


def test_an_exported_csv_is_gb18030_by_default_and_neutralised() -> None:
    out = io.BytesIO()
    write_csv(out, ["姓名", "备注"], [["张三", "=1+1"], ["李四", "@SUM(A1)"]])

    text = out.getvalue().decode("gb18030")
    assert text.splitlines() == ["姓名,备注", "张三,'=1+1", "李四,'@SUM(A1)"]


def test_an_exported_csv_in_utf8_has_a_bom_for_excel() -> None:
    out = io.BytesIO()
    write_csv(out, ["姓名"], [["张三"]], encoding="utf-8")

    assert out.getvalue().startswith(codecs.BOM_UTF8)
    assert out.getvalue().decode("utf-8-sig").splitlines() == ["姓名", "张三"]


def test_an_export_reads_back_as_it_was_written(tmp_path: Path) -> None:
    path = tmp_path / "roundtrip.xlsx"
    with path.open("wb") as out:
        write_xlsx(out, [SheetSpec("表", ROWS[0], ROWS[1:], text_columns=[1])])

    assert read_all(path) == ROWS
