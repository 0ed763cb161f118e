"""The veterans' list import: good rows in bulk, bad rows with their reasons, and a re-run
that adds no one twice."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest

from fangkong.core.models import ObjectChange
from fangkong.core.spreadsheets import SpreadsheetError
from fangkong.volunteers.choices import Skill, VolunteerGroup
from fangkong.volunteers.imports import run_import
from fangkong.volunteers.models import Volunteer

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "手机号", "类别", "技能", "网格", "备注"]


def workbook(rows: list[list[Any]], header: list[str] = HEADER) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["某区退役军人名单"])  # a title row above the header, as registers have
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def test_good_rows_become_volunteers_with_groups_skills_and_grid(
    officer_a: Any, community_a: Any, grid_a1: Any
) -> None:
    rows = [
        ["张建军", "13800000001", "退役军人", "驾驶、医疗", grid_a1.name, "曾任连长"],
        ["李秀英", "13800000002", "军属", "", "", ""],
        ["王强", "13800000003", "", "搬运", "", ""],
    ]

    result = run_import(workbook(rows), community_a, officer_a)

    assert (result.rows, result.created, result.rejected, result.written) == (3, 3, 0, True)
    first = Volunteer.objects.get(community=community_a, name="张建军")
    assert first.groups == f"|{VolunteerGroup.VETERAN}|"
    assert first.skills == f"|{Skill.DRIVING}|{Skill.MEDICAL}|"
    assert first.area == grid_a1
    assert first.phone_mask == "138****0001"
    assert first.rank == 0
    assert Volunteer.objects.get(name="李秀英").rank == 1
    assert Volunteer.objects.get(name="王强").groups == f"|{VolunteerGroup.VETERAN}|"
    assert ObjectChange.objects.filter(
        content_type__model="volunteer", object_id=str(first.pk)
    ).exists()


def test_bad_rows_are_refused_with_reasons_and_the_good_ones_kept(
    officer_a: Any, community_a: Any
) -> None:
    rows = [
        ["张建军", "13800000001", "退役军人", "", "", ""],
        ["", "13800000002", "", "", "", ""],
        ["李四", "12345", "", "", "", ""],
        ["王五", "13800000004", "宇航员", "", "", ""],
        ["赵六", "13800000005", "", "飞行", "", ""],
        ["孙七", "13800000006", "", "", "不存在的网格", ""],
        ["周八", "13800000001", "", "", "", ""],
    ]

    result = run_import(workbook(rows), community_a, officer_a)

    assert result.created == 1
    assert result.rejected == 6
    reasons = {(e.row, e.column): e.message for e in result.errors}
    assert reasons[(4, "姓名")] == "请填写姓名。"
    assert (5, "手机号") in reasons
    assert reasons[(6, "类别")] == "无法识别的人员类别。"
    assert reasons[(7, "技能")] == "无法识别的技能。"
    assert reasons[(8, "网格")] == "本社区没有这个名称的网格。"
    assert reasons[(9, "手机号")] == "该手机号已出现在文件第 3 行。"
    assert all("12345" not in e.value for e in result.errors)  # phones masked in the report
    assert list(Volunteer.objects.values_list("name", flat=True)) == ["张建军"]


def test_running_the_same_list_again_adds_no_one_twice(officer_a: Any, community_a: Any) -> None:
    rows = [[f"老兵{i}", f"1380000{i:04d}", "", "", "", ""] for i in range(50)]
    run_import(workbook(rows), community_a, officer_a)

    again = run_import(
        workbook([*rows, ["新人", "13900000000", "", "", "", ""]]), community_a, officer_a
    )

    assert (again.created, again.unchanged, again.rejected) == (1, 50, 0)
    assert Volunteer.objects.filter(community=community_a).count() == 51


def test_a_preview_writes_nothing(officer_a: Any, community_a: Any) -> None:
    result = run_import(
        workbook([["张建军", "13800000001", "", "", "", ""]]), community_a, officer_a, dry_run=True
    )
    assert result.created == 1
    assert not result.written
    assert not Volunteer.objects.exists()


def test_a_file_without_the_phone_column_is_refused_as_a_whole(
    officer_a: Any, community_a: Any
) -> None:
    with pytest.raises(SpreadsheetError) as refused:
        run_import(workbook([["张建军"]], header=["姓名"]), community_a, officer_a)
    assert "手机号" in refused.value.message


def test_the_import_pages_preview_then_import_the_valid_rows(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    from django.urls import reverse

    client.force_login(officer_a)
    upload = workbook([["张建军", "13800000001", "", "", "", ""], ["", "1", "", "", "", ""]])
    upload.name = "名单.xlsx"
    response = client.post(
        reverse("volunteers:import_start", args=[community_a.pk]), {"file": upload}
    )
    assert response.status_code == 302
    preview = client.get(response["Location"])
    assert "待添加志愿者" in preview.content.decode()
    assert not Volunteer.objects.exists()

    job_pk = int(response["Location"].rstrip("/").split("/")[-1])
    done = client.post(reverse("volunteers:import_confirm", args=[job_pk]), {"action": "import"})
    assert done.status_code == 302
    assert list(Volunteer.objects.values_list("name", flat=True)) == ["张建军"]
