"""Exports of people and households, the import template and the demo's sample register."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from fangkong.accounts.models import User
from fangkong.areas import demo as areas_demo
from fangkong.areas.models import Area
from fangkong.areas.tests.factories import AreaFactory
from fangkong.core.choices import AccessKind
from fangkong.core.models import AccessEvent
from fangkong.registry.exports import (
    export_households,
    export_people,
    write_sample_register,
    write_template,
)
from fangkong.registry.imports import TEMPLATE_HEADERS, preview, run_import
from fangkong.registry.models import Building, Household, Person
from fangkong.registry.services import do_update_household
from fangkong.registry.tests.factories import (
    BuildingFactory,
    HouseholdFactory,
    PersonFactory,
    valid_id_number,
)

CANARY_ID = valid_id_number(birth=dt.date(1961, 8, 9), sex="F", area="210102", seq=68)
CANARY_PHONE = "13987654321"


@pytest.fixture
def resident(grid_a1: Area) -> Person:
    building = BuildingFactory(grid=grid_a1, number="3", name="东园3号楼")
    household = HouseholdFactory(building=building, unit=2, room="401", floor=4)
    return PersonFactory(
        household=household,
        name="周淑兰",
        id_number=CANARY_ID,
        phone=CANARY_PHONE,
        relation="head",
        tags=["chronic", "veteran"],
    )


def cells(data: bytes) -> list[list[Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def export(user: User, fmt: str = "xlsx", **kwargs: Any) -> bytes:
    out = io.BytesIO()
    export_people(Person.objects.restrict(user), fmt, out, user=user, **kwargs)
    return out.getvalue()


def test_an_export_is_masked_by_default_and_shows_ages_not_birth_dates(
    resident: Person,
    officer_a: User,
) -> None:
    rows = cells(export(officer_a))

    assert rows[0][:4] == list(TEMPLATE_HEADERS[:4])
    assert "出生日期" not in rows[0]
    line = dict(zip(rows[0], rows[1], strict=True))
    assert line["身份证号"] == CANARY_ID[:6] + "********" + CANARY_ID[-4:]
    assert line["手机号"] == "139****4321"
    assert line["年龄"] == resident.age
    assert (line["楼栋"], line["单元"], line["房号"], line["姓名"]) == (
        "东园3号楼",
        2,
        "401",
        "周淑兰",
    )
    assert (line["性别"], line["与户主关系"], line["标签"]) == ("女", "户主", "慢性病、退役军人")
    flat = repr(rows)
    assert CANARY_ID not in flat
    assert CANARY_PHONE not in flat
    assert "1961" not in flat


def test_an_export_is_an_access_event_with_counts_and_filters_but_no_values(
    resident: Person,
    officer_a: User,
) -> None:
    export(officer_a, filters={"q": CANARY_ID, "residency": "permanent", "page": "2"})

    event = AccessEvent.objects.get()
    assert (event.kind, event.actor) == (AccessKind.EXPORT, officer_a)
    assert event.detail["rows"] == 1
    assert event.detail["masked"] is True
    assert event.detail["filters"] == {"q": True, "residency": "permanent"}
    assert CANARY_ID not in repr(event.detail)


def test_a_gb18030_csv_export_decodes_and_a_utf8_one_has_a_bom(
    resident: Person,
    officer_a: User,
) -> None:
    gb = export(officer_a, "csv").decode("gb18030")
    utf8 = export(officer_a, "csv", encoding="utf-8")

    assert gb.splitlines()[0].startswith("楼栋,单元,房号,姓名")
    assert "周淑兰" in gb
    assert utf8.startswith(b"\xef\xbb\xbf")
    assert "周淑兰" in utf8.decode("utf-8-sig")


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_cells_that_would_be_formulas_are_neutralised(
    resident: Person,
    officer_a: User,
    fmt: str,
) -> None:
    PersonFactory(household=resident.household, name='=HYPERLINK("http://x")')
    PersonFactory(household=resident.household, name="@SUM(A1)")

    data = export(officer_a, fmt)

    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
        names = [row[3].value for row in sheet.iter_rows(min_row=2)]
    else:
        names = [line[3] for line in list(csv.reader(io.StringIO(data.decode("gb18030"))))[1:]]
    assert "'@SUM(A1)" in names
    assert any(n.startswith("'=HYPERLINK") for n in names)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_full_width_formula_imported_as_text_is_exported_neutralised(
    tmp_path: Path,
    community_a: Area,
    grid_a1: Area,
    officer_a: User,
    fmt: str,
) -> None:
    # Given a register whose names start with = and its full-width forms, imported as text
    BuildingFactory(community=community_a, grid=grid_a1, number="1", floors=6, units=1)
    names = ['＝HYPERLINK("http://x","点我")', "＠SUM(A1)", "=1+1", "＋86", "－1"]
    path = tmp_path / "register.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(
            [["楼栋", "房号", "姓名"], *[["1", str(301 + i), n] for i, n in enumerate(names)]]
        )
    assert run_import(path, community_a, officer_a).created == len(names)
    assert sorted(Person.objects.values_list("name", flat=True)) == sorted(names)

    # When it is exported, then every such name reads back behind an apostrophe
    data = export(officer_a, fmt)
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
        exported = [row[3].value for row in sheet.iter_rows(min_row=2)]
    else:
        exported = [line[3] for line in csv.reader(io.StringIO(data.decode("gb18030")))][1:]
    assert sorted(exported) == sorted("'" + n for n in names)


def test_an_export_holds_only_the_users_rows(
    resident: Person,
    grid_worker_a2: User,
    officer_b: User,
    grid_a2: Area,
) -> None:
    PersonFactory(
        household=HouseholdFactory(building=BuildingFactory(grid=grid_a2)), name="吴在二格"
    )

    assert "周淑兰" not in repr(cells(export(grid_worker_a2)))
    assert "吴在二格" in repr(cells(export(grid_worker_a2)))
    assert len(cells(export(officer_b))) == 1  # the header only


def test_an_unmasked_export_needs_the_right_and_a_reason(
    resident: Person,
    officer_a: User,
    grid_worker_a2: User,
) -> None:
    with pytest.raises(PermissionDenied):
        export(officer_a, reveal=True, reason="")
    with pytest.raises(PermissionDenied):
        export(grid_worker_a2, reveal=True, reason="上报区里")

    rows = cells(export(officer_a, reveal=True, reason="区防控办要求上报"))

    line = dict(zip(rows[0], rows[1], strict=True))
    assert line["身份证号"] == CANARY_ID
    assert line["手机号"] == CANARY_PHONE
    assert line["出生日期"] == "1961-08-09"
    event = AccessEvent.objects.get()
    assert (event.detail["masked"], event.reason) == (False, "区防控办要求上报")


def test_households_export_with_counts_and_masked_landlines(
    resident: Person,
    officer_a: User,
) -> None:
    do_update_household(resident.household, by=None, head=resident, phone="024-23456789")
    out = io.BytesIO()
    export_households(Household.objects.restrict(officer_a), "csv", out, user=officer_a)

    lines = out.getvalue().decode("gb18030").splitlines()
    assert lines[0] == "楼栋,单元,楼层,房号,户号,户主,人数,手机号,在住"
    assert lines[1] == "东园3号楼,2,4,401,3-2-401,周淑兰,1,024-****6789,是"
    assert AccessEvent.objects.get().detail["model"] == "household"


# --- The template ---------------------------------------------------------------------------


def test_the_template_has_the_headers_an_example_and_a_guide(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
) -> None:
    path = tmp_path / "template.xlsx"
    with path.open("wb") as out:
        write_template(out, user=officer_a, community=community_a)

    workbook = openpyxl.load_workbook(path)
    register, guide = workbook.worksheets
    assert [c.value for c in register[1]] == list(TEMPLATE_HEADERS)
    assert register["D2"].value.startswith("示例")
    assert register.column_dimensions["F"].number_format == "@"  # ID numbers stay text
    assert [r[0].value for r in guide.iter_rows(min_row=2) if r[0].value][:3] == [
        "楼栋",
        "单元",
        "房号",
    ]
    event = AccessEvent.objects.get()
    assert (event.kind, event.detail["what"]) == (AccessKind.EXPORT, "import_template")


def test_the_template_imports_as_nothing_until_filled_in(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
) -> None:
    path = tmp_path / "template.xlsx"
    with path.open("wb") as out:
        write_template(out, user=officer_a, community=community_a)

    result = preview(path, community_a, officer_a)

    assert (result.rows, result.created, result.rejected) == (0, 0, 0)


# --- The demo's sample register -------------------------------------------------------------


@pytest.fixture
def demo_community(street: Area) -> Area:
    community = AreaFactory(parent=street, name="在水一方社区", code=areas_demo.COMMUNITY[1])
    for number in (1, 2):
        grid = AreaFactory(parent=community, name=f"第{number}网格")
        BuildingFactory(
            grid=grid,
            community=community,
            number=str(number),
            name=f"东园{number}号楼",
            section="东园",
            units=2,
            floors=6,
        )
    return community


def test_the_sample_register_shows_each_kind_of_bad_row(
    tmp_path: Path,
    demo_community: Area,
    superuser: User,
) -> None:
    path = tmp_path / "sample.xlsx"
    with path.open("wb") as out:
        write_sample_register(out, user=superuser, community=demo_community)

    result = preview(path, demo_community, superuser)

    assert {e.code for e in result.errors} == {
        "id_checksum",
        "id_excel",
        "building_unknown",
        "name_missing",
        "phone_invalid",
        "duplicate_id",
        "id_birth_date",
    }
    assert result.rejected == 7
    assert result.created >= 8
    assert result.unknown_headers == ["籍贯"]
    assert AccessEvent.objects.get().detail["what"] == "sample_register"


def test_the_sample_register_imports_its_good_rows_once(
    tmp_path: Path,
    demo_community: Area,
    superuser: User,
) -> None:
    path = tmp_path / "sample.xlsx"
    with path.open("wb") as out:
        write_sample_register(out, user=superuser, community=demo_community)
    from fangkong.registry.imports import run_import

    first = run_import(path, demo_community, superuser)
    again = run_import(path, demo_community, superuser)

    assert first.created == Person.objects.filter(community=demo_community).count()
    assert (again.created, again.unchanged) == (0, first.created)


def test_there_is_no_sample_register_outside_the_demo(
    community_a: Area,
    officer_a: User,
    resident: Person,
) -> None:
    with pytest.raises(PermissionDenied):
        write_sample_register(io.BytesIO(), user=officer_a, community=community_a)
    assert not Building.objects.filter(community=community_a, number="99").exists()
