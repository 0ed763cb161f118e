"""Imports and exports: rows go through the same services as the pages (and count towards the
four-eyes rule), a preview writes nothing, refusals name the row and column; exports are
masked, logged and safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fangkong.core.models import AccessEvent, Job
from fangkong.health.imports import run_import
from fangkong.health.models import Case, Disinfection, HealthReport, Quarantine, StatusChange
from fangkong.health.tests.factories import (
    NOTICE,
    CaseFactory,
    QuarantineFactory,
    family,
    members,
)
from fangkong.registry.tests.factories import BuildingFactory, PersonFactory, next_id_number

pytestmark = pytest.mark.django_db

QUARANTINE_HEADER = [
    "身份证号",
    "姓名",
    "楼栋",
    "单元",
    "房号",
    "隔离方式",
    "范围",
    "开始日期",
    "末次接触日期",
    "原因",
    "依据类型",
    "依据编号",
]


def _csv(header: list[str], rows: list[list[Any]]) -> io.BytesIO:
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO(text.getvalue().encode("utf-8-sig"))


def _quarantine_row(person: Any, number: str = "", **extra: Any) -> list[Any]:
    household = person.household
    row = {
        "id_number": number,
        "name": person.name,
        "building": household.building.number,
        "unit": household.unit,
        "room": household.room,
        "kind": "居家隔离",
        "scope": "个人",
        "start": timezone.localdate().isoformat(),
        "exposure": "",
        "reason": "疾控通知",
        "evidence": "通知",
        "ref": "浑南疾控〔2020〕12号",
        **extra,
    }
    return list(row.values())


def test_a_preview_writes_nothing_and_the_import_writes_the_valid_rows(
    grid_a1: Any, community_a: Any, health_a: Any
) -> None:
    household = family(grid_a1, 3)
    a, b, c = members(household)
    number = next_id_number()
    stranger_row = _quarantine_row(a, number=number)  # an ID number unknown here
    rows = [
        _quarantine_row(a),
        _quarantine_row(b, start="2020-02-31"),
        stranger_row,
        _quarantine_row(c, ref=""),
    ]
    preview = run_import(
        _csv(QUARANTINE_HEADER, rows),
        kind="quarantines",
        community=community_a,
        user=health_a,
        preview=True,
    )
    assert (preview.rows, preview.applied, preview.pending, preview.rejected) == (4, 1, 0, 3)
    assert not Quarantine.objects.exists()
    assert not StatusChange.objects.exists()
    problems = {(e.row, e.column) for e in preview.errors}
    assert (3, "开始日期") in problems
    assert (4, "身份证号") in problems
    assert (5, "依据编号") in problems
    assert all(number not in e.value for e in preview.errors)  # masked

    result = run_import(
        _csv(QUARANTINE_HEADER, rows),
        kind="quarantines",
        community=community_a,
        user=health_a,
        preview=False,
    )
    assert result.applied == 1
    quarantine = Quarantine.objects.get()
    assert quarantine.person == a
    assert StatusChange.objects.get().source == "import"


def test_a_whole_household_by_import(grid_a1: Any, community_a: Any, health_a: Any) -> None:
    household = family(grid_a1, 3)
    first = members(household)[0]
    result = run_import(
        _csv(QUARANTINE_HEADER, [_quarantine_row(first, scope="全户")]),
        kind="quarantines",
        community=community_a,
        user=health_a,
        preview=False,
    )
    assert result.applied == 3
    assert Quarantine.objects.filter(household=household, whole_household=True).count() == 3


def test_an_import_is_counted_in_the_four_eyes_rule(
    grid_a1: Any, community_a: Any, health_a: Any
) -> None:
    household = family(grid_a1, 0)
    people = [PersonFactory(household=household) for _ in range(12)]
    result = run_import(
        _csv(QUARANTINE_HEADER, [_quarantine_row(p) for p in people]),
        kind="quarantines",
        community=community_a,
        user=health_a,
        preview=False,
    )
    assert (result.applied, result.pending) == (10, 2)
    assert Quarantine.objects.count() == 10


def test_batches_of_ten_through_the_api_then_the_import_all_wait(
    client: Client, grid_a1: Any, community_a: Any, health_a: Any
) -> None:
    household = family(grid_a1, 0)
    people = [PersonFactory(household=household) for _ in range(20)]
    client.force_login(health_a)
    for person in people[:10]:
        response = client.post(
            reverse("api:health-quarantine-list"),
            {"person": person.pk, "kind": "monitoring", "reason": "official_notice", **NOTICE},
            content_type="application/json",
        )
        assert response.status_code == 201
    result = run_import(
        _csv(QUARANTINE_HEADER, [_quarantine_row(p) for p in people[10:]]),
        kind="quarantines",
        community=community_a,
        user=health_a,
        preview=False,
    )
    assert (result.applied, result.pending) == (0, 10)
    assert StatusChange.objects.filter(status="pending", source="import").count() == 10


def test_reports_cases_contacts_and_disinfections_import(
    grid_a1: Any, community_a: Any, health_a: Any
) -> None:
    household = family(grid_a1, 2)
    patient, relative = members(household)
    QuarantineFactory(person=relative, start_date=timezone.localdate() - dt.timedelta(days=2))
    building = household.building
    place = [building.number, household.unit, household.room]
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()

    cases = run_import(
        _csv(
            [
                "姓名",
                "楼栋",
                "单元",
                "房号",
                "分类",
                "报告日期",
                "隔离日期",
                "原因",
                "依据类型",
                "依据编号",
            ],
            [
                [
                    patient.name,
                    *place,
                    "确诊",
                    yesterday,
                    yesterday,
                    "核酸阳性",
                    "检测报告",
                    "报告 2020-001",
                ]
            ],
        ),
        kind="cases",
        community=community_a,
        user=health_a,
        preview=False,
    )
    assert cases.applied == 1, cases.errors
    case = Case.objects.get(person=patient)

    contacts = run_import(
        _csv(
            ["病例编号", "姓名", "楼栋", "单元", "房号", "接触类型", "末次接触日期"],
            [[case.pk, relative.name, *place, "同住", yesterday]],
        ),
        kind="contacts",
        community=community_a,
        user=health_a,
        preview=False,
    )
    assert contacts.created == 1, contacts.errors

    reports = run_import(
        _csv(
            ["姓名", "楼栋", "单元", "房号", "测量时间", "体温", "症状"],
            [
                [relative.name, *place, f"{yesterday} 08:30", "36.6", "无"],
                [relative.name, *place, f"{yesterday} 15:10", "37.9", "咳嗽、乏力"],
                [relative.name, *place, f"{yesterday} 16:00", "44", ""],
            ],
        ),
        kind="reports",
        community=community_a,
        user=health_a,
        preview=False,
    )
    assert (reports.created, reports.rejected) == (2, 1)
    assert HealthReport.objects.filter(is_fever=True).count() == 1

    disinfections = run_import(
        _csv(
            ["地点类型", "楼栋", "单元", "消杀时间", "消毒剂", "浓度", "操作人"],
            [
                [
                    "楼栋",
                    building.number,
                    "",
                    f"{yesterday} 09:00",
                    "84消毒液",
                    "500 mg/L",
                    "消杀队",
                ],
                ["单元", building.number, "1", f"{yesterday} 09:30", "二氧化氯", "", "消杀队"],
            ],
        ),
        kind="disinfections",
        community=community_a,
        user=health_a,
        preview=False,
    )
    assert disinfections.created == 2, disinfections.errors
    assert Disinfection.objects.filter(place_kind="unit", unit=1).exists()


def test_the_import_pages_preview_then_import(client: Client, grid_a1: Any, health_a: Any) -> None:
    person = PersonFactory(household=family(grid_a1, 0))
    client.force_login(health_a)
    upload = SimpleUploadedFile(
        "隔离.csv", _csv(QUARANTINE_HEADER, [_quarantine_row(person)]).getvalue()
    )
    response = client.post(reverse("health:import_start"), {"kind": "quarantines", "file": upload})
    assert response.status_code == 302
    preview = Job.objects.get(kind="health.import")
    assert preview.result["applied"] == 1
    assert not Quarantine.objects.exists()
    page = client.get(response["Location"])
    assert page.context["can_confirm"]
    confirmed = client.post(
        reverse("health:import_confirm", args=[preview.pk]), {"action": "import"}
    )
    assert confirmed.status_code == 302
    assert Quarantine.objects.filter(person=person).exists()


def test_a_file_that_is_not_a_spreadsheet_is_refused_on_the_page(
    client: Client, health_a: Any
) -> None:
    client.force_login(health_a)
    upload = SimpleUploadedFile("x.csv", b"%PDF-1.4 not a register")
    response = client.post(reverse("health:import_start"), {"kind": "cases", "file": upload})
    assert response.status_code == 400
    assert response.context["form"].errors["file"]


def test_only_the_health_role_imports(client: Client, officer_a: Any) -> None:
    client.force_login(officer_a)
    assert client.get(reverse("health:import_start")).status_code == 403


def test_the_export_is_masked_logged_and_neutralised(
    client: Client, officer_a: Any, grid_a1: Any
) -> None:
    number = next_id_number()
    household = family(grid_a1, 0)
    person = PersonFactory(household=household, id_number=number, name="=HYPERLINK(1)")
    CaseFactory(person=person)
    client.force_login(officer_a)
    url = reverse("health:export", args=["cases"])
    assert client.get(url).context["count"] == 1
    response = client.post(url, {"format": "xlsx"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    cells = [
        str(c)
        for row in book.worksheets[0].iter_rows(values_only=True)
        for c in row
        if c is not None
    ]
    assert number not in cells
    assert person.id_number_mask in cells
    assert "'=HYPERLINK(1)" in cells
    event = AccessEvent.objects.get(kind="export")
    assert event.detail["model"] == "health.case"
    assert event.detail["rows"] == 1
    assert event.detail["masked"] is True


def test_every_kind_exports_and_has_a_template(client: Client, health_a: Any, grid_a1: Any) -> None:
    QuarantineFactory(person=PersonFactory(household=family(grid_a1, 0)))
    client.force_login(health_a)
    for kind in ("cases", "contacts", "quarantines", "reports", "disinfections"):
        assert (
            client.post(reverse("health:export", args=[kind]), {"format": "csv"}).status_code == 200
        )
        template = client.get(reverse("health:import_template", args=[kind]))
        assert template.status_code == 200
        assert template["Content-Type"].startswith("application/vnd.openxmlformats")
    assert client.get(reverse("health:export", args=["nothing"])).status_code == 404


def test_a_disinfection_import_refuses_an_unknown_building(
    grid_a1: Any, community_a: Any, health_a: Any
) -> None:
    BuildingFactory(grid=grid_a1, community=community_a, number="7")
    result = run_import(
        _csv(
            ["地点类型", "楼栋", "消杀时间", "消毒剂", "操作人"],
            [["楼栋", "99号楼", "2020-02-13 09:00", "84", "消杀队"]],
        ),
        kind="disinfections",
        community=community_a,
        user=health_a,
        preview=False,
    )
    assert result.rejected == 1
    assert result.errors[0].column == "楼栋"


def test_an_import_refuses_a_cell_with_an_invisible_character_and_names_its_column(
    grid_a1: Any, community_a: Any, health_a: Any
) -> None:
    building = BuildingFactory(grid=grid_a1, community=community_a)
    yesterday = (timezone.localdate() - dt.timedelta(days=1)).isoformat()

    result = run_import(
        _csv(
            ["地点类型", "楼栋", "消杀时间", "消毒剂", "操作人"],
            [
                ["楼栋", building.number, f"{yesterday} 09:00", "84消毒液", "消杀队\u202e"],
                ["楼栋", building.number, f"{yesterday} 10:00", "84消毒液", "消杀队"],
            ],
        ),
        kind="disinfections",
        community=community_a,
        user=health_a,
        preview=False,
    )

    assert (result.created, result.rejected) == (1, 1)
    assert [(e.row, e.column, e.code) for e in result.errors] == [(2, "操作人", "text_invalid")]
    assert Disinfection.objects.get().operator == "消杀队"
