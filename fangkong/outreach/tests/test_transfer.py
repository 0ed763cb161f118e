"""Outreach's imports and exports as an office uses them: real .xlsx files checked, refused
rows with their reasons, a re-run that adds nothing twice, and exports read back."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from fangkong.core.models import ObjectChange
from fangkong.core.spreadsheets import SpreadsheetError
from fangkong.outreach.imports import KINDS, run_import
from fangkong.outreach.models import Announcement, Guidance, NotificationScript
from fangkong.outreach.tests.factories import (
    announcement,
    broadcast_round,
    broadcast_script,
    guidance,
    notification_script,
)
from fangkong.registry.tests.factories import BuildingFactory

pytestmark = pytest.mark.django_db


def workbook(header: list[str], rows: list[list[Any]]) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["某社区宣传资料"])  # a title row above the header, as offices write them
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def cells(content: bytes) -> list[list[Any]]:
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


ANNOUNCEMENT_HEADER = ["标题", "内容", "开始日期", "结束日期", "仅隔离户"]
SCRIPT_HEADER = ["标题", "话术"]


def test_good_announcement_rows_are_placed_on_the_officers_community(
    officer_a: Any, community_a: Any
) -> None:
    rows = [
        ["停水通知", "明日上午停水。", "2026-03-01", "2026-03-02", "否"],
        ["核酸检测", "请到北门广场。", "2026/3/3", "2026年3月4日", "是"],
    ]

    result = run_import(
        workbook(ANNOUNCEMENT_HEADER, rows), KINDS["announcements"], community_a, officer_a
    )

    assert (result.rows, result.created, result.rejected, result.written) == (2, 2, 0, True)
    test = Announcement.objects.get(area=community_a, title="核酸检测")
    assert (test.valid_from.isoformat(), test.valid_until.isoformat()) == (
        "2026-03-03",
        "2026-03-04",
    )
    assert test.quarantined_only
    assert ObjectChange.objects.filter(
        content_type__model="announcement", object_id=str(test.pk)
    ).exists()


def test_bad_rows_are_refused_with_the_reason_for_each_row(
    officer_a: Any, community_a: Any
) -> None:
    rows = [
        ["好的通知", "内容", "2026-03-01", "2026-03-02", ""],
        ["", "没有标题", "2026-03-01", "2026-03-02", ""],
        ["日期颠倒", "内容", "2026-03-05", "2026-03-01", ""],
        ["日期错误", "内容", "三月一日", "2026-03-01", ""],
        ["是否错误", "内容", "2026-03-01", "2026-03-01", "也许"],
    ]

    result = run_import(
        workbook(ANNOUNCEMENT_HEADER, rows),
        KINDS["announcements"],
        community_a,
        officer_a,
        dry_run=True,
    )

    assert (result.rows, result.created, result.rejected, result.written) == (5, 1, 4, False)
    reasons = {error.row: (error.column, error.message) for error in result.errors}
    assert reasons[4][0] == "标题"
    assert reasons[5][0] == "结束日期"
    assert reasons[6][0] == "开始日期"
    assert "2020-02-13" in reasons[6][1]
    assert reasons[7][0] == "仅隔离户"
    assert not Announcement.objects.exists()


def test_a_script_with_an_unknown_field_is_a_row_error(officer_a: Any, community_a: Any) -> None:
    rows = [
        ["安抚话术", "您好，{姓名}家，{楼栋}今天一切正常。"],
        ["错误话术", "您好，{年龄}岁的居民。"],
        ["缺括号", "您好，{姓名家。"],
    ]

    result = run_import(workbook(SCRIPT_HEADER, rows), KINDS["scripts"], community_a, officer_a)

    assert (result.created, result.rejected) == (1, 2)
    by_row = {error.row: error for error in result.errors}
    assert by_row[4].column == "话术"
    assert "{年龄}" in by_row[4].message
    assert by_row[5].column == "话术"
    script = NotificationScript.objects.get(title="安抚话术")
    assert script.area == community_a
    assert script.current_version.text == "您好，{姓名}家，{楼栋}今天一切正常。"


def test_running_the_same_file_again_creates_no_duplicates(
    officer_a: Any, community_a: Any
) -> None:
    header = ["标题", "内容", "顺序"]
    rows = [["居家防护", "勤洗手、戴口罩", "1"], ["心理调适", "稳心态、树信心", "2"]]

    first = run_import(workbook(header, rows), KINDS["guidance"], community_a, officer_a)
    again = run_import(workbook(header, rows), KINDS["guidance"], community_a, officer_a)

    assert (first.created, first.unchanged) == (2, 0)
    assert (again.created, again.unchanged, again.written) == (0, 2, False)
    assert Guidance.objects.filter(area=community_a).count() == 2
    assert Guidance.objects.get(title="心理调适").position == 2


def test_a_title_twice_in_one_file_is_refused_the_second_time(
    officer_a: Any, community_a: Any
) -> None:
    rows = [["同名", "话术一"], ["同名", "话术二"]]

    result = run_import(workbook(SCRIPT_HEADER, rows), KINDS["scripts"], community_a, officer_a)

    assert (result.created, result.rejected) == (1, 1)
    assert result.errors[0].code == "duplicate_in_file"


def test_a_file_without_the_required_columns_is_refused(officer_a: Any, community_a: Any) -> None:
    with pytest.raises(SpreadsheetError) as refused:
        run_import(workbook(["标题"], [["x"]]), KINDS["scripts"], community_a, officer_a)

    assert "话术" in refused.value.message


def test_an_officer_checks_then_imports_a_file_from_the_page(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    client.force_login(officer_a)
    upload = workbook(SCRIPT_HEADER, [["通知话术", "您好，{姓名}家。"], ["坏话术", "{未知}"]])
    upload.name = "话术.xlsx"

    checked = client.post(reverse("outreach:import_start", args=["scripts"]), {"file": upload})
    assert checked.status_code == 302
    page = client.get(checked["Location"])
    assert "{未知}" in page.content.decode()
    assert not NotificationScript.objects.exists()

    preview_pk = int(checked["Location"].rstrip("/").rsplit("/", 1)[1])
    done = client.post(reverse("outreach:import_confirm", args=[preview_pk]), {"action": "import"})

    assert done.status_code == 302
    assert list(NotificationScript.objects.values_list("title", flat=True)) == ["通知话术"]


def test_the_list_pages_offer_import_and_export_to_the_officer_only(
    client: Any, officer_a: Any, grid_worker_a1: Any
) -> None:
    client.force_login(officer_a)
    page = client.get(reverse("outreach:script_list")).content.decode()
    assert reverse("outreach:import_start", args=["scripts"]) in page
    assert reverse("outreach:export", args=["scripts"]) in page

    client.force_login(grid_worker_a1)
    page = client.get(reverse("outreach:script_list")).content.decode()
    assert reverse("outreach:export", args=["scripts"]) not in page
    answer = client.get(reverse("outreach:export", args=["scripts"]))
    assert answer.status_code == 403


def test_the_announcement_export_reads_back_with_a_formula_title_neutralised(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    announcement(community_a, title="=cmd|' /C calc'!A0", body="正文")
    client.force_login(officer_a)

    answer = client.get(reverse("outreach:export", args=["announcements"]))

    rows = cells(answer.content)
    assert len(rows) == 2
    assert len(rows[0]) == 9
    assert rows[1][0] == community_a.name
    assert rows[1][1] == "'=cmd|' /C calc'!A0"
    assert rows[1][2] == "正文"


def test_the_script_export_shows_the_current_text_origin_and_recommendation(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    notification_script(community_a, title="安抚话术", text="您好，{姓名}家。")
    client.force_login(officer_a)

    rows = cells(client.get(reverse("outreach:export", args=["scripts"])).content)

    assert rows[1][:4] == ["安抚话术", "您好，{姓名}家。", 1, community_a.name]
    assert len(rows) == 2


def test_guidance_and_rounds_export_and_csv_is_offered(
    client: Any, officer_a: Any, community_a: Any, grid_a1: Any
) -> None:
    building = BuildingFactory(community=community_a, grid=grid_a1)
    guidance(community_a, title="居家防护", body="勤洗手")
    broadcast_round(broadcast_script(community_a, title="宣传词"), buildings=[building])
    client.force_login(officer_a)

    advice = cells(client.get(reverse("outreach:export", args=["guidance"])).content)
    rounds = cells(client.get(reverse("outreach:export", args=["rounds"])).content)
    csv = client.get(reverse("outreach:export", args=["guidance"]), {"format": "csv"})

    assert advice[1][1:3] == ["居家防护", "勤洗手"]
    assert rounds[1][2] == "宣传词"
    assert str(building) in rounds[1][4]
    assert csv["Content-Type"].startswith("text/csv")
    assert "居家防护" in csv.content.decode("gb18030")


def test_another_communitys_officer_exports_none_of_its_rows(
    client: Any, officer_b: Any, community_a: Any
) -> None:
    announcement(community_a, title="甲社区通知")
    client.force_login(officer_b)

    rows = cells(client.get(reverse("outreach:export", args=["announcements"])).content)

    assert len(rows) == 1
