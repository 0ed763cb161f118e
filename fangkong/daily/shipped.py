"""The two report templates fangkong ships: a community's daily report and a street's summary
with a row per community (``templates_xlsx/``).

The files are built by ``python -m fangkong.daily.shipped`` (run it again when the daily
figures change: a test opens both files and checks every placeholder is still known) and
installed for an area by ``install_shipped_templates`` — the button on the templates page,
``manage.py install_report_templates`` and ``seed_demo``.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.utils import translation
from django.utils.translation import gettext as _

from fangkong.areas.choices import AreaLevel
from fangkong.daily.choices import TemplateLevel

if TYPE_CHECKING:
    from fangkong.accounts.models import User
    from fangkong.areas.models import Area
    from fangkong.daily.models import ReportTemplate

FOLDER = Path(__file__).resolve().parent / "templates_xlsx"
COMMUNITY_FILE = FOLDER / "community_daily.xlsx"
STREET_FILE = FOLDER / "street_summary.xlsx"

#: The street summary's columns: the figures a street's superior asks of each community.
STREET_COLUMNS = (
    "households.total",
    "people.total",
    "cases.confirmed",
    "cases.new",
    "contacts.new",
    "quarantine.home",
    "quarantine.centralised",
    "screening.pending",
    "gate.exits",
    "tasks.overdue",
)


def _styles() -> dict[str, Any]:
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="808080")
    return {
        "title": Font(bold=True, size=14),
        "bold": Font(bold=True),
        "fill": PatternFill("solid", fgColor="DDEBF7"),
        "border": Border(left=thin, right=thin, top=thin, bottom=thin),
        "wrap": Alignment(wrap_text=True, vertical="top"),
        "center": Alignment(horizontal="center", vertical="center", wrap_text=True),
    }


def build_community() -> bytes:
    """A community's daily report: title, date, every figure with its group, the notes."""
    import openpyxl

    from fangkong.reports.daily import DAILY_GROUPS, DAILY_LABELS

    s = _styles()
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "日报"
    sheet["A1"] = "{{area.name}}疫情防控日报"
    sheet["A1"].font = s["title"]
    sheet.merge_cells("A1:C1")
    sheet["A2"] = "报送日期：{{date:%Y年%m月%d日}}"
    sheet.merge_cells("A2:C2")
    for column, text in zip("ABC", ("类别", "指标", "数值"), strict=True):
        cell = sheet[f"{column}3"]
        cell.value = text
        cell.font, cell.fill, cell.border = s["bold"], s["fill"], s["border"]
    row = 4
    for group, keys in DAILY_GROUPS:
        for number, key in enumerate(keys):
            sheet.cell(row=row, column=1, value=str(group) if number == 0 else None)
            sheet.cell(row=row, column=2, value=str(DAILY_LABELS[key]))
            sheet.cell(row=row, column=3, value="{{%s}}" % key)  # noqa: UP031 (braces)
            for number_ in (1, 2, 3):
                sheet.cell(row=row, column=number_).border = s["border"]
            row += 1
    row += 1
    for label, token in (
        ("当日重点事项", "notes.key_events"),
        ("存在问题", "notes.problems"),
        ("需协调事项", "notes.requests"),
    ):
        sheet.cell(row=row, column=1, value=label).font = s["bold"]
        cell = sheet.cell(row=row, column=2, value="{{%s}}" % token)  # noqa: UP031
        cell.alignment = s["wrap"]
        sheet.merge_cells(start_row=row, start_column=2, end_row=row, end_column=3)
        sheet.row_dimensions[row].height = 48
        row += 1
    row += 1
    sheet.cell(row=row, column=1, value="报送人：{{submitted_by}}")
    sheet.cell(row=row, column=2, value="报送时间：{{submitted_at}}")
    sheet.cell(row=row, column=3, value="第{{revision}}版")
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 30
    sheet.column_dimensions["C"].width = 14
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def build_street() -> bytes:
    """A street's summary: a row per community (its state and figures), the totals, the
    street's notes."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    from fangkong.reports.daily import DAILY_KEYS, DAILY_LABELS

    s = _styles()
    keys = [k for k in STREET_COLUMNS if k in DAILY_KEYS]
    last = get_column_letter(3 + len(keys))
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "汇总"
    sheet["A1"] = "{{street.name}}各社区疫情防控日报汇总表"
    sheet["A1"].font = s["title"]
    sheet.merge_cells(f"A1:{last}1")
    sheet["A2"] = "统计日期：{{date:%Y年%m月%d日}}"
    sheet.merge_cells(f"A2:{last}2")
    headers = ["序号", "社区", "报送状态", *[str(DAILY_LABELS[k]) for k in keys]]
    each = ["{{each community}}", "{{community.name}}", "{{community.state}}"]
    each += ["{{%s}}" % k for k in keys]  # noqa: UP031
    totals = ["合计", "", ""] + ["{{total.%s}}" % k for k in keys]  # noqa: UP031
    for row, values in ((3, headers), (4, each), (5, totals)):
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=column, value=value or None)
            cell.border = s["border"]
            if row == 3:
                cell.font, cell.fill, cell.alignment = s["bold"], s["fill"], s["center"]
            if row == 5:
                cell.font = s["bold"]
    sheet.row_dimensions[3].height = 45
    sheet["A7"] = "街道重点事项：{{notes.key_events}}"
    sheet.merge_cells(f"A7:{last}7")
    sheet["A8"] = "存在问题：{{notes.problems}}"
    sheet.merge_cells(f"A8:{last}8")
    sheet["A9"] = "报送人：{{submitted_by}}　报送时间：{{submitted_at}}"
    sheet.merge_cells(f"A9:{last}9")
    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 16
    sheet.column_dimensions["C"].width = 10
    for index in range(len(keys)):
        sheet.column_dimensions[get_column_letter(4 + index)].width = 10
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def shipped_for(area: Area) -> list[tuple[str, str, Path]]:
    """(name, level, file) of the shipped templates an area installs."""
    if area.level == AreaLevel.COMMUNITY:
        return [(_("Community daily report"), TemplateLevel.COMMUNITY, COMMUNITY_FILE)]
    if area.level == AreaLevel.STREET:
        return [(_("Street summary of the communities"), TemplateLevel.STREET, STREET_FILE)]
    return []


def install_shipped_templates(area: Area, *, by: User | None) -> list[ReportTemplate]:
    """Install the shipped templates for ``area`` (a community or a street); one already
    active under the same name is kept as it is. Returns the templates installed now."""
    from fangkong.daily.models import ReportTemplate
    from fangkong.daily.services import _check_template_office, do_upload_template

    _check_template_office(area, by, "add")
    installed = []
    for name, level, path in shipped_for(area):
        if ReportTemplate.objects.filter(area=area, name=name, is_active=True).exists():
            continue
        installed.append(
            do_upload_template(
                area, name=name, level=level, content=path.read_bytes(), file_name=path.name, by=by
            )
        )
    return installed


def build() -> None:
    """Write both files (the figures' labels in Chinese)."""
    with translation.override("zh-hans"):
        FOLDER.mkdir(exist_ok=True)
        COMMUNITY_FILE.write_bytes(build_community())
        STREET_FILE.write_bytes(build_street())


if __name__ == "__main__":  # pragma: no cover (a maintainer's tool)
    import django

    django.setup()
    build()
