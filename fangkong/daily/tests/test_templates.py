"""Report templates: an upload is checked whole (each bad input refused with its reason,
nothing stored), and a report fills it (reopened with openpyxl: figures, notes, the date's
format, a row per community with its numbers, totals equal to the sum)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import translation
from openpyxl.styles import Font

from fangkong.core.choices import AccessKind
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.models import AccessEvent, ObjectChange
from fangkong.daily.choices import TemplateLevel
from fangkong.daily.models import ReportTemplate
from fangkong.daily.services import (
    do_correct_report,
    do_deactivate_template,
    do_submit_report,
    do_upload_template,
    fill_report_template,
    templates_for,
)
from fangkong.daily.shipped import COMMUNITY_FILE, STREET_FILE, install_shipped_templates
from fangkong.daily.tests.factories import DailyReportFactory, stored_day, workbook
from fangkong.daily.xlsx import MAX_TEMPLATE_BYTES, parse_template
from fangkong.reports.daily import DAILY_KEYS

pytestmark = pytest.mark.django_db


def reopen(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data)).active


def refusal(area: Any, content: bytes, by: Any, level: str = TemplateLevel.COMMUNITY) -> str:
    with pytest.raises(ValidationError) as caught:
        do_upload_template(area, name="上级表", level=level, content=content, by=by)
    assert ReportTemplate.objects.count() == 0  # nothing stored
    return " ".join(caught.value.messages)


# --- Upload ---------------------------------------------------------------------------------


def test_an_upload_keeps_the_workbook_and_the_placeholders_found(
    community_a: Any, officer_a: Any
) -> None:
    content = workbook(
        {"A1": "截至{{date}}", "B2": "{{quarantine.home}}", "B3": "{{notes.events}}"}
    )

    template = do_upload_template(
        community_a, name="区里的表", level="community", content=content, by=officer_a
    )

    assert bytes(template.content) == content
    assert template.tokens() == ["date", "quarantine.home", "notes.events"]
    assert template.placeholders[1] == {"sheet": "表1", "cell": "B2", "token": "quarantine.home"}
    assert ObjectChange.objects.filter(object_id=str(template.pk)).exists()


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (workbook({"A1": "{{quarantine.hom}}"}), "不是本模板能填写的占位符"),
        (workbook({"A1": "{{each community}}", "B1": "{{community.name}}"}), "街道汇总"),
        (workbook({"A1": "=SUM({{quarantine.home}})"}), "公式"),
        (workbook({"A1": "没有占位符"}), "没有"),
        (b"name,phone\n", "不是 .xlsx"),
        (b"PK\x03\x04" + b"\x00" * 200, "不是表格文件"),
        (b"PK\x03\x04" + b"\x00" * MAX_TEMPLATE_BYTES, "KB"),
    ],
    ids=["unknown", "each-in-community", "formula", "none", "not-xlsx", "broken", "too-big"],
)
def test_a_bad_template_is_refused_with_the_reason_and_nothing_is_stored(
    community_a: Any, officer_a: Any, content: bytes, reason: str
) -> None:
    with translation.override("zh-hans"):
        assert reason in refusal(community_a, content, officer_a)


def test_a_zip_that_is_not_a_workbook_is_refused(community_a: Any, officer_a: Any) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    assert refusal(community_a, out.getvalue(), officer_a)


def test_a_street_template_has_one_each_community_row_and_community_names_only_in_it(
    street: Any, street_official: Any
) -> None:
    two_rows = workbook({"A3": "{{each community}}", "A5": "{{each community}}"})
    assert refusal(street, two_rows, street_official, TemplateLevel.STREET)
    outside = workbook({"A3": "{{each community}}", "A5": "{{community.name}}"})
    assert refusal(street, outside, street_official, TemplateLevel.STREET)


def test_each_office_keeps_its_own_templates(
    street: Any, community_a: Any, street_official: Any, officer_b: Any, health_a: Any
) -> None:
    content = workbook({"A1": "{{date}}"})
    with pytest.raises(PermissionDeniedError):  # the street's office, not the community's
        do_upload_template(
            community_a, name="x", level="community", content=content, by=street_official
        )
    with pytest.raises(Http404):  # another community's
        do_upload_template(community_a, name="x", level="community", content=content, by=officer_b)
    with pytest.raises(PermissionDeniedError):
        do_upload_template(community_a, name="x", level="community", content=content, by=health_a)
    with pytest.raises(ValidationError):  # a community's template fills its own report
        do_upload_template(community_a, name="x", level="street", content=content, by=None)
    assert ReportTemplate.objects.count() == 0


def test_a_deactivated_template_is_no_longer_filled(community_a: Any, officer_a: Any) -> None:
    template = do_upload_template(
        community_a, name="t", level="community", content=workbook({"A1": "{{date}}"}), by=None
    )
    report = DailyReportFactory(area=community_a)
    assert templates_for(report) == [template]

    do_deactivate_template(template, expected_version=template.version, by=officer_a)

    assert templates_for(report) == []
    with pytest.raises(ValidationError):
        fill_report_template(template, report)


# --- Filling --------------------------------------------------------------------------------


def test_a_community_report_fills_figures_notes_and_the_date_in_its_format(
    community_a: Any, officer_a: Any
) -> None:
    day = community_a.local_today()
    stored_day(community_a, day, households=12, people=30, **{"quarantine.home": 4})
    report = do_submit_report(
        community_a,
        day,
        {"key_events": '=HYPERLINK("http://x")', "problems": "缺口罩"},
        by=officer_a,
    )
    content = workbook(
        {
            "A1": "{{area.name}}日报",
            "A2": "截至{{date:%Y年%m月%d日}}",
            "A3": "{{date}}",
            "B4": "{{households.total}}",
            "B5": "{{quarantine.home}}",
            "B6": "{{notes.key_events}}",
            "B7": "问题：{{notes.problems}}",
            "B8": "{{street.name}}",
            "C9": "第{{revision}}版",
        }
    )
    template = do_upload_template(
        community_a, name="t", level="community", content=content, by=officer_a
    )

    sheet = reopen(fill_report_template(template, report))

    assert sheet["A1"].value == f"{community_a.name}日报"
    assert sheet["A2"].value == f"截至{day:%Y}年{day:%m}月{day:%d}日"
    assert sheet["A3"].value.date() == day
    assert sheet["B4"].value == 12
    assert sheet["B5"].value == 4
    assert sheet["B6"].value == '\'=HYPERLINK("http://x")'  # text, never a formula
    assert sheet["B6"].data_type == "s"
    assert sheet["B7"].value == "问题：缺口罩"
    assert sheet["B8"].value == community_a.parent.name
    assert sheet["C9"].value == "第1版"


def test_a_street_summary_has_a_row_per_community_and_totals_equal_their_sum(
    street: Any, community_a: Any, community_b: Any, street_official: Any
) -> None:
    day = street.local_today()
    stored_day(community_a, day, households=10, exits=2)
    stored_day(community_b, day, households=5, exits=7)
    DailyReportFactory(area=community_a, key_events="甲")
    DailyReportFactory(area=community_b, key_events="乙")
    street_report = do_submit_report(street, day, {"key_events": "街道平稳"}, by=street_official)
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws["A1"] = "{{street.name}}汇总"
    for column, value in zip("ABCDE", ("序号", "社区", "户数", "外出", "状态"), strict=True):
        ws[f"{column}2"] = value
    for column, value in zip(
        "ABCDE",
        (
            "{{each community}}",
            "{{community.name}}",
            "{{households.total}}",
            "{{gate.exits}}",
            "{{community.state}}",
        ),
        strict=True,
    ):
        ws[f"{column}3"] = value
        ws[f"{column}3"].font = Font(bold=True, color="FF0000")
    ws["A4"] = "合计"
    ws["C4"] = "{{total.households.total}}"
    ws["D4"] = "{{total.gate.exits}}"
    ws.merge_cells("A5:E5")
    ws["A5"] = "{{notes.key_events}}"
    out = io.BytesIO()
    book.save(out)
    template = do_upload_template(
        street, name="汇总", level="street", content=out.getvalue(), by=street_official
    )

    sheet = reopen(fill_report_template(template, street_report))

    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3, max_row=4)]
    names = sorted([community_a, community_b], key=lambda a: a.path)
    assert [r[0] for r in rows] == [1, 2]
    assert [r[1] for r in rows] == [a.name for a in names]
    figures = {community_a.name: (10, 2), community_b.name: (5, 7)}
    assert [(r[2], r[3]) for r in rows] == [figures[a.name] for a in names]
    assert {r[4] for r in rows} == {"已提交"} or {r[4] for r in rows} == {"Submitted"}
    assert sheet["B4"].font.bold
    assert sheet["B4"].font.color.rgb.endswith("FF0000")
    assert [sheet["C5"].value, sheet["D5"].value] == [15, 9]  # totals = the rows' sum
    assert sheet["C5"].value == sum(r[2] for r in rows)
    assert street_report.figures["households.total"] == 15
    assert sheet["A6"].value == "街道平稳"
    assert "A6:E6" in {str(m) for m in sheet.merged_cells.ranges}  # moved down with its row


def test_a_community_not_reported_has_an_empty_row_not_zeros(
    street: Any, community_a: Any, community_b: Any, street_official: Any
) -> None:
    day = street.local_today()
    stored_day(community_a, day, households=10)
    stored_day(community_b, day, households=5)
    DailyReportFactory(area=community_a)
    street_report = do_submit_report(street, day, {}, by=street_official)
    template = do_upload_template(
        street,
        name="汇总",
        level="street",
        content=workbook(
            {
                "A1": "{{each community}}{{community.name}}",
                "B1": "{{households.total}}",
                "B3": "{{total.households.total}}",
            }
        ),
        by=street_official,
    )

    sheet = reopen(fill_report_template(template, street_report))

    values = {sheet["A1"].value: sheet["B1"].value, sheet["A2"].value: sheet["B2"].value}
    assert values == {community_a.name: 10, community_b.name: None}
    assert sheet["B4"].value == 10


def test_a_street_template_for_its_communities_fills_their_reports(
    street: Any, community_a: Any, street_official: Any, officer_a: Any
) -> None:
    template = do_upload_template(
        street,
        name="街道要的社区表",
        level="community",
        content=workbook({"A1": "{{area.name}}"}),
        by=street_official,
    )
    report = DailyReportFactory(area=community_a)

    assert templates_for(report, officer_a) == [template]
    assert reopen(fill_report_template(template, report))["A1"].value == community_a.name


# --- The shipped templates ------------------------------------------------------------------


def test_the_shipped_templates_open_and_every_placeholder_is_known() -> None:
    community = parse_template(COMMUNITY_FILE.read_bytes(), TemplateLevel.COMMUNITY)
    street = parse_template(STREET_FILE.read_bytes(), TemplateLevel.STREET)

    assert {f.token for f in community} >= {*DAILY_KEYS, "date:%Y年%m月%d日", "notes.key_events"}
    assert "each community" in {f.token for f in street}
    assert openpyxl.load_workbook(STREET_FILE).active["B2"].value is None  # merged title row


def test_installing_the_shipped_templates_twice_installs_them_once(
    street: Any, community_a: Any, street_official: Any
) -> None:
    first = install_shipped_templates(street, by=street_official)
    again = install_shipped_templates(street, by=street_official)

    assert len(first) == 1
    assert again == []
    assert first[0].level == TemplateLevel.STREET
    assert install_shipped_templates(community_a, by=None)[0].level == TemplateLevel.COMMUNITY


def test_the_shipped_street_summary_fills_from_the_streets_report(
    street: Any, community_a: Any, community_b: Any, street_official: Any
) -> None:
    day = street.local_today()
    stored_day(community_a, day, households=3, people=8)
    stored_day(community_b, day - dt.timedelta(days=1), households=99)
    DailyReportFactory(area=community_a)
    report = do_submit_report(street, day, {}, by=street_official)
    (template,) = install_shipped_templates(street, by=street_official)

    sheet = reopen(fill_report_template(template, report))

    names = {sheet.cell(row=r, column=2).value: r for r in (4, 5)}
    assert set(names) == {community_a.name, community_b.name}
    assert sheet.cell(row=names[community_a.name], column=4).value == 3
    assert sheet.cell(row=names[community_b.name], column=4).value is None
    assert sheet["A6"].value == "合计"
    assert sheet["D6"].value == 3
    assert AccessEvent.objects.filter(kind=AccessKind.EXPORT).count() == 0  # pages audit


def test_a_street_summary_shows_the_reports_it_summed_not_a_later_correction(
    street: Any, community_a: Any, street_official: Any
) -> None:
    day = street.local_today()
    stored_day(community_a, day, households=10)
    first = DailyReportFactory(area=community_a)
    street_report = do_submit_report(street, day, {}, by=street_official)
    stored_day(community_a, day, households=12)
    do_correct_report(first, {}, reason="补录两户", by=None)
    template = do_upload_template(
        street,
        name="汇总",
        level="street",
        content=workbook(
            {"A1": "{{each community}}{{community.name}}", "B1": "{{households.total}}"}
        ),
        by=street_official,
    )

    sheet = reopen(fill_report_template(template, street_report))

    assert sheet["B1"].value == 10  # as the street summed it
    assert street_report.figures["households.total"] == 10
