"""The resident import: every reason a row is rejected, from .xlsx and from GB18030 .csv;
header and building variants; idempotence; atomicity; scope; the job; no plaintext in reports.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType

from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
from fangkong.accounts.tests.factories import UserFactory
from fangkong.areas.models import Area
from fangkong.core.choices import ChangeAction, JobStatus
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.imports.uploads import store_upload, upload_exists
from fangkong.core.jobs import JobContext, enqueue_job
from fangkong.core.models import ObjectChange
from fangkong.core.personal_data import decrypt, id_number_index
from fangkong.core.spreadsheets import SpreadsheetError
from fangkong.core.tests.audit_parity import assert_changes_as_core_writes
from fangkong.core.tests.registers import HEADER, ID_1, ID_2, PHONE_1, row, write_register
from fangkong.registry import bulk, imports, jobs
from fangkong.registry.choices import PersonStatus, PersonTag, Relation, Residency
from fangkong.registry.imports import preview, run_import
from fangkong.registry.models import Building, Household, Person
from fangkong.registry.services import do_deactivate_person, do_update_household
from fangkong.registry.tests.factories import (
    BuildingFactory,
    HouseholdFactory,
    PersonFactory,
    id_check_digit,
    valid_id_number,
    valid_mobile,
)

ID_3 = valid_id_number(birth=dt.date(2010, 6, 1), sex="M", area="210102", seq=45)
FORMATS = ["xlsx", "csv"]


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def building_1(community_a: Area, grid_a1: Area) -> Building:
    return BuildingFactory(
        community=community_a,
        grid=grid_a1,
        number="1",
        name="东园1号楼",
        section="东园",
        units=2,
        floors=6,
    )


@pytest.fixture
def building_2(community_a: Area, grid_a2: Area) -> Building:
    return BuildingFactory(
        community=community_a,
        grid=grid_a2,
        number="2",
        name="西园2号楼",
        section="西园",
        units=1,
        floors=6,
    )


@pytest.fixture
def registry(building_1: Building, building_2: Building) -> dict[str, Building]:
    return {"1": building_1, "2": building_2}


def codes(result: Any) -> list[tuple[int, str, str]]:
    return [(e.row, e.column, e.code) for e in result.errors]


# --- The bad-input corpus: one case per reason -----------------------------------------------

BAD_CHECK_DIGIT = ID_2[:17] + ("0" if ID_2[17] != "0" else "1")
# 30 February 1990, with the check digit right for the digits.
IMPOSSIBLE_BIRTH = "21010219900230123" + id_check_digit("21010219900230123")

CORPUS: dict[str, tuple[list[Any], str, str]] = {
    # reason: (row, column in the file, error code)
    "bad check digit": (row(id_number=BAD_CHECK_DIGIT), "身份证号", "id_checksum"),
    "impossible birth date": (row(id_number=IMPOSSIBLE_BIRTH), "身份证号", "id_birth_date"),
    "ID turned into a number by Excel": (
        row(id_number=float(ID_2[:17] + "0")),
        "身份证号",
        "id_excel",
    ),
    "ID shown by Excel with its last digits zeroed": (
        row(id_number=ID_2[:15] + "000"),
        "身份证号",
        "id_excel",
    ),
    "old 15-digit ID": (row(id_number="210102560412241"), "身份证号", "id_old"),
    "invalid phone": (row(phone="1381234"), "手机号", "phone_invalid"),
    "unknown building": (row(building="99号楼"), "楼栋", "building_unknown"),
    "missing name": (row(name=""), "姓名", "name_missing"),
    "missing room": (row(room=""), "房号", "room_missing"),
    "unknown sex": (row(id_number="", sex="男女"), "性别", "sex_label"),
    "unknown relation": (row(relation="邻居"), "与户主关系", "relation_label"),
    "unknown residency": (row(residency="暂住证"), "居住类型", "residency_label"),
    "unknown tag": (row(tags="独居老人、高危"), "标签", "tag_label"),
    "unit beyond the building": (row(unit="3"), "单元", "unit_range"),
    "floor beyond the building": (row(room="1801"), "房号", "floor_range"),
    "name with a right-to-left override": (row(name="王\u202e英秀"), "姓名", "name_invalid"),
    "name with a zero-width space": (row(name="王\u200b秀英"), "姓名", "name_invalid"),
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("reason", sorted(CORPUS))
def test_a_bad_row_is_rejected_with_its_row_column_and_reason(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
    reason: str,
    fmt: str,
) -> None:
    bad, column, code = CORPUS[reason]
    good = row(id_number=ID_3, name="李强", room="601", relation="户主")
    path = write_register(tmp_path, [good, bad], fmt)

    result = preview(path, community_a, officer_a)

    # The header is row 1: the good row is row 2, the bad one row 3, as Excel shows them.
    assert codes(result) == [(3, column, code)]
    assert (result.created, result.rejected, result.rows) == (1, 1, 2)
    assert result.errors[0].message
    assert not Person.objects.filter(community=community_a).exists()  # a preview writes nothing


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_duplicate_id_keeps_the_first_row(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
    fmt: str,
) -> None:
    path = write_register(tmp_path, [row(), row(name="王秀", room="601")], fmt)

    result = run_import(path, community_a, officer_a)

    assert codes(result) == [(3, "身份证号", "duplicate_id")]
    assert "2" in result.errors[0].message  # the first row is named
    assert list(Person.objects.values_list("name", flat=True)) == ["王秀英"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_id_registered_in_another_household_is_rejected(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
    fmt: str,
) -> None:
    PersonFactory(household=HouseholdFactory(building=registry["1"], room="101"), id_number=ID_1)
    path = write_register(tmp_path, [row()], fmt)

    result = run_import(path, community_a, officer_a)

    assert codes(result) == [(2, "身份证号", "id_elsewhere")]
    assert result.errors[0].value == ID_1[:6] + "********" + ID_1[-4:]
    assert Person.objects.count() == 1


def test_a_person_who_moved_out_is_not_silently_brought_back(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
) -> None:
    person = PersonFactory(
        household=HouseholdFactory(building=registry["1"], unit=1, room="502", floor=5),
        id_number=ID_1,
        name="王秀英",
    )
    do_deactivate_person(
        person, by=None, status=PersonStatus.MOVED_OUT, date=dt.date(2025, 1, 1), reason="迁往外地"
    )
    result = run_import(write_register(tmp_path, [row()]), community_a, officer_a)

    assert codes(result) == [(2, "姓名", "inactive")]


def test_a_file_without_the_required_columns_is_refused(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
) -> None:
    path = write_register(tmp_path, [["王秀英", ID_1]], header=["姓名", "身份证号"])

    with pytest.raises(SpreadsheetError) as refused:
        preview(path, community_a, officer_a)

    assert refused.value.code == "missing_columns"
    assert "楼栋" in refused.value.message
    assert "房号" in refused.value.message


# --- What a good row becomes ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_good_row_becomes_a_protected_person_in_a_new_household(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
    fmt: str,
) -> None:
    path = write_register(tmp_path, [row(tags="独居老人、慢性病", phone=PHONE_1)], fmt)

    result = run_import(path, community_a, officer_a)

    assert (result.created, result.households_created, result.rejected) == (1, 1, 0)
    person = Person.objects.get()
    household = person.household
    assert (household.building, household.unit, household.room, household.floor) == (
        registry["1"],
        1,
        "502",
        5,
    )
    assert household.head == person
    assert household.number == "1-1-502"
    # Exactly what do_create_person stores: derived birth date and sex, pinyin, protection.
    assert (person.birth_date, person.sex) == (dt.date(1956, 4, 12), "F")
    assert (person.name_pinyin, person.name_initials) == ("wangxiuying", "wxy")
    assert person.id_number_index == id_number_index(ID_1)
    assert decrypt(person.id_number_cipher) == ID_1
    assert person.id_number_mask == ID_1[:6] + "********" + ID_1[-4:]
    assert decrypt(person.phone_cipher) == PHONE_1
    assert person.phone_mask == "139****5678"
    assert person.tag_list == [PersonTag.ELDERLY_ALONE, PersonTag.CHRONIC]
    assert (person.relation, person.residency) == (Relation.HEAD, Residency.PERMANENT)
    # One audit row each, naming the importer.
    person_changes = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(Person), object_id=str(person.pk)
    )
    assert [(c.action, c.actor) for c in person_changes] == [(ChangeAction.CREATE, officer_a)]
    # The very row core.audit.record_change would write for this person.
    change = person_changes.get()
    assert change.after == json.loads(json.dumps(person.audit_snapshot()))
    assert (
        change.area_path,
        change.object_repr,
        change.community_id,
        change.person_id,
        change.actor_name,
    ) == (person.area_path(), str(person), community_a.pk, person.pk, officer_a.username)
    household_changes = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(Household), object_id=str(household.pk)
    )
    assert household_changes.get().after["head"] == person.pk


def test_chinese_labels_become_codes(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
) -> None:
    rows = [
        row(name="赵大", relation="户主", residency="租户", id_number=ID_1),
        row(name="赵二", relation="配偶", residency="流动", id_number=ID_2),
        row(
            name="赵三",
            relation="子女",
            residency="人户分离",
            id_number=ID_3,
            tags="孕产妇,残疾;退役军人 低保",
        ),
        row(name="赵四", relation="父母", id_number="", sex="男", phone=""),
    ]
    run_import(write_register(tmp_path, rows), community_a, officer_a)

    people = {p.name: p for p in Person.objects.all()}
    assert people["赵大"].residency == Residency.TENANT
    assert people["赵二"].relation == Relation.SPOUSE
    assert people["赵二"].residency == Residency.FLOATING
    assert people["赵三"].residency == Residency.LIVES_ELSEWHERE
    assert set(people["赵三"].tag_list) == {
        PersonTag.PREGNANT,
        PersonTag.DISABLED,
        PersonTag.VETERAN,
        PersonTag.LOW_INCOME,
    }
    assert (people["赵四"].relation, people["赵四"].sex) == (Relation.PARENT, "M")
    assert len({p.household_id for p in people.values()}) == 1


@pytest.mark.parametrize("fmt", FORMATS)
def test_common_header_names_are_recognised_and_unknown_columns_listed(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
    fmt: str,
) -> None:
    header = [
        "楼号",
        "单元号",
        "房间号",
        "姓名",
        "公民身份号码",
        "联系电话",
        "户主关系",
        "人员类型",
        "籍贯",
        "备注",
    ]
    line = ["1", "1", "502", "王秀英", ID_1, PHONE_1, "户主", "常住", "辽宁沈阳", "新搬来"]
    # A title row above the header, as registers have.
    path = write_register(tmp_path, [line], fmt, header=header, above=[["文化社区居民登记表"], []])

    result = run_import(path, community_a, officer_a)

    assert (result.created, result.rejected) == (1, 0)
    assert result.unknown_headers == ["籍贯"]
    assert Person.objects.get().notes == "新搬来"


@pytest.mark.parametrize("fmt", FORMATS)
def test_errors_name_the_column_as_the_file_does(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
    fmt: str,
) -> None:
    header = ["楼号", "房间号", "姓名", "证件号码"]
    path = write_register(
        tmp_path,
        [["1", "1-502", "王秀英", BAD_CHECK_DIGIT]],
        fmt,
        header=header,
        above=[["登记表"]],
    )

    result = preview(path, community_a, officer_a)

    assert codes(result) == [(3, "证件号码", "id_checksum")]


@pytest.mark.parametrize(
    "reference",
    ["1", "01", "1号楼", "1栋", "1号", "1#", "东园1号楼", "东园1栋", " 1 号楼 ", "一号楼"],
)
def test_building_references_resolve_to_the_same_building(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
    reference: str,
) -> None:
    run_import(write_register(tmp_path, [row(building=reference)]), community_a, officer_a)

    assert Person.objects.get().household.building == registry["1"]


@pytest.mark.parametrize("reference", ["西园1号楼", "3号楼", "东园"])
def test_a_building_of_another_section_or_number_is_unknown(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
    reference: str,
) -> None:
    result = preview(write_register(tmp_path, [row(building=reference)]), community_a, officer_a)

    assert codes(result) == [(2, "楼栋", "building_unknown")]


@pytest.mark.parametrize(
    ("unit", "room"),
    [("1", "502"), ("", "1-502"), ("", "1单元502"), ("1单元", "502室"), ("", "1-502室")],
)
def test_room_spellings_give_the_same_household(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
    unit: str,
    room: str,
) -> None:
    household = HouseholdFactory(building=registry["1"], unit=1, room="502", floor=5)

    run_import(write_register(tmp_path, [row(unit=unit, room=room)]), community_a, officer_a)

    assert Person.objects.get().household == household


def test_without_a_unit_a_building_of_several_units_asks_for_one(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
) -> None:
    result = preview(write_register(tmp_path, [row(unit="")]), community_a, officer_a)

    assert codes(result) == [(2, "单元", "unit_missing")]


# --- Idempotence and updates ----------------------------------------------------------------


def _family() -> list[list[Any]]:
    return [
        row(name="王秀英", id_number=ID_1, relation="户主"),
        row(name="李强", id_number=ID_2, relation="配偶", phone="13800000001"),
        row(name="王小明", id_number="", relation="子女", phone="", sex="男"),
        row(building="2", unit="", room="101", name="张桂兰", id_number=ID_3, relation="户主"),
    ]


@pytest.mark.parametrize("fmt", FORMATS)
def test_importing_the_same_file_again_creates_nothing_new(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
    fmt: str,
) -> None:
    path = write_register(tmp_path, _family(), fmt)
    first = run_import(path, community_a, officer_a)
    changes = ObjectChange.objects.count()

    second = run_import(path, community_a, officer_a)

    assert (first.created, first.households_created) == (4, 2)
    assert (second.created, second.updated, second.unchanged, second.rejected) == (0, 0, 4, 0)
    assert second.households_created == 0
    assert Person.objects.count() == 4
    assert Household.objects.count() == 2
    assert ObjectChange.objects.count() == changes


def test_changed_cells_update_the_person_with_before_and_after(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
) -> None:
    run_import(write_register(tmp_path, _family(), name="first"), community_a, officer_a)
    changed = _family()
    changed[1] = row(
        name="李强", id_number=ID_2, relation="配偶", phone="13800000002", tags="退役军人"
    )
    changed[2] = row(
        name="王小明", id_number="", relation="子女", phone="", sex="男", residency="人户分离"
    )

    result = run_import(write_register(tmp_path, changed, name="second"), community_a, officer_a)

    assert (result.created, result.updated, result.unchanged) == (0, 2, 2)
    li = Person.objects.get(name="李强")
    assert decrypt(li.phone_cipher) == "13800000002"
    assert li.tag_list == [PersonTag.VETERAN]
    assert li.version == 2
    change = ObjectChange.objects.filter(
        object_id=str(li.pk),
        action=ChangeAction.UPDATE,
        content_type=ContentType.objects.get_for_model(Person),
    ).get()
    assert (change.before["phone_mask"], change.after["phone_mask"]) == (
        "138****0001",
        "138****0002",
    )
    assert Person.objects.get(name="王小明").residency == Residency.LIVES_ELSEWHERE


def test_an_empty_cell_never_clears_a_stored_value(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
) -> None:
    run_import(write_register(tmp_path, [row()], name="first"), community_a, officer_a)

    result = run_import(
        write_register(tmp_path, [row(phone="", relation="", residency="")], name="second"),
        community_a,
        officer_a,
    )

    assert result.unchanged == 1
    assert decrypt(Person.objects.get().phone_cipher) == PHONE_1


def test_a_household_without_a_head_gets_the_imported_head_with_an_audited_change(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
) -> None:
    household = HouseholdFactory(building=registry["1"], unit=1, room="502", floor=5)

    run_import(write_register(tmp_path, [row(relation="户主")]), community_a, officer_a)

    household.refresh_from_db()
    person = Person.objects.get()
    assert household.head == person
    assert household.version == 2
    change = ObjectChange.objects.get(
        content_type=ContentType.objects.get_for_model(Household),
        object_id=str(household.pk),
        action=ChangeAction.UPDATE,
    )
    assert (change.before["head"], change.after["head"], change.actor) == (
        None,
        person.pk,
        officer_a,
    )


def test_a_household_keeps_the_head_it_has(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
) -> None:
    household = HouseholdFactory(building=registry["1"], unit=1, room="502", floor=5)
    head = PersonFactory(household=household, name="老户主", id_number=ID_2)
    do_update_household(household, by=None, head=head)

    run_import(write_register(tmp_path, [row(relation="户主")]), community_a, officer_a)

    household.refresh_from_db()
    assert household.head == head


def test_a_person_without_an_id_gets_the_id_the_file_now_gives(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
) -> None:
    household = HouseholdFactory(building=registry["1"], unit=1, room="502", floor=5)
    person = PersonFactory(household=household, name="王秀英", id_number="", phone="")

    result = run_import(write_register(tmp_path, [row()]), community_a, officer_a)

    assert (result.created, result.updated) == (0, 1)
    person.refresh_from_db()
    assert person.id_number_index == id_number_index(ID_1)
    assert (person.birth_date, person.sex) == (dt.date(1956, 4, 12), "F")


# --- Atomicity, all or nothing, scope -------------------------------------------------------


def test_an_interrupted_import_leaves_nothing_behind(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    people, households, changes = (
        Person.objects.count(),
        Household.objects.count(),
        ObjectChange.objects.count(),
    )
    monkeypatch.setattr(bulk, "BATCH_SIZE", 2)  # several batches: the failure comes midway
    calls = []
    real = bulk._create_people

    def failing(*args: Any, **kwargs: Any) -> list[int]:
        calls.append(1)
        if len(calls) == 2:  # the first batch of people and their audit rows are written
            raise RuntimeError("the disk is full")
        return real(*args, **kwargs)

    monkeypatch.setattr(bulk, "_create_people", failing)

    with pytest.raises(RuntimeError):
        run_import(write_register(tmp_path, _family()), community_a, officer_a)

    assert len(calls) == 2
    assert (Person.objects.count(), Household.objects.count(), ObjectChange.objects.count()) == (
        people,
        households,
        changes,
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_all_or_nothing_writes_nothing_when_a_row_is_bad(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
    fmt: str,
) -> None:
    rows = [*_family(), row(name="", id_number="", phone="")]
    result = run_import(
        write_register(tmp_path, rows, fmt), community_a, officer_a, all_or_nothing=True
    )

    assert (result.written, result.created, result.rejected) == (False, 0, 1)
    assert not Person.objects.exists()
    assert not Household.objects.exists()
    assert not ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(Person)
    ).exists()


def test_all_or_nothing_writes_everything_when_every_row_is_good(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
) -> None:
    result = run_import(
        write_register(tmp_path, _family()), community_a, officer_a, all_or_nothing=True
    )

    assert (result.written, result.created) == (True, 4)


def test_an_officer_of_one_grid_imports_only_into_its_buildings(
    tmp_path: Path,
    community_a: Area,
    grid_a1: Area,
    registry: dict,
) -> None:
    grid_officer = UserFactory(
        username="grid_officer_a1", role=Role.COMMUNITY_OFFICER, area=grid_a1
    )

    result = run_import(write_register(tmp_path, _family()), community_a, grid_officer)

    assert codes(result) == [(5, "楼栋", "outside_area")]
    assert result.created == 3
    assert not Person.objects.filter(household__building=registry["2"]).exists()


def test_an_id_registered_outside_the_importers_area_is_not_revealed(
    tmp_path: Path,
    community_a: Area,
    grid_a1: Area,
    officer_a: User,
    registry: dict,
) -> None:
    PersonFactory(household=HouseholdFactory(building=registry["2"]), id_number=ID_1)
    grid_officer = UserFactory(
        username="grid_officer_a1", role=Role.COMMUNITY_OFFICER, area=grid_a1
    )
    path = write_register(tmp_path, [row()])

    outsider = preview(path, community_a, grid_officer)
    insider = preview(path, community_a, officer_a)

    assert codes(outsider) == codes(insider) == [(2, "身份证号", "id_elsewhere")]
    # The officer of the whole community learns where; the grid's officer only that it fails.
    assert outsider.errors[0].message != insider.errors[0].message


def test_a_grid_worker_has_no_right_to_import(
    tmp_path: Path,
    community_a: Area,
    grid_worker_a1: User,
    registry: dict,
) -> None:
    with pytest.raises(PermissionDeniedError):
        run_import(write_register(tmp_path, _family()), community_a, grid_worker_a1)


def test_an_officer_of_another_community_cannot_import(
    tmp_path: Path,
    community_a: Area,
    officer_b: User,
    registry: dict,
) -> None:
    from django.http import Http404

    with pytest.raises(Http404):
        run_import(write_register(tmp_path, _family()), community_a, officer_b)
    assert not Person.objects.exists()


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_large_file_checked_by_worker_processes_gives_the_same_result(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
    fmt: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = [
        *_family(),
        row(name="", id_number="", phone=""),
        row(name="重复", room="601"),
        row(name="坏号", room="602", id_number=BAD_CHECK_DIGIT),
    ]
    path = write_register(tmp_path, rows, fmt)
    alone = preview(path, community_a, officer_a)
    monkeypatch.setattr(imports, "PARALLEL_FROM", 2)
    monkeypatch.setattr(imports, "CHUNK_ROWS", 2)  # several chunks, taken in file order

    together = preview(path, community_a, officer_a)
    written = run_import(path, community_a, officer_a)

    assert imports.workers_for(len(rows)) > 1 or (os.cpu_count() or 1) == 1
    assert together.as_dict() == alone.as_dict()
    assert (
        codes(written)
        == codes(alone)
        == [
            (6, "姓名", "name_missing"),
            (7, "身份证号", "duplicate_id"),
            (8, "身份证号", "id_checksum"),
        ]
    )
    person = Person.objects.get(name="王秀英")
    assert decrypt(person.id_number_cipher) == ID_1
    assert person.id_number_index == id_number_index(ID_1)
    assert (person.name_pinyin, person.id_number_mask) == (
        "wangxiuying",
        ID_1[:6] + "********" + ID_1[-4:],
    )
    assert decrypt(person.phone_cipher) == PHONE_1


# --- The job ---------------------------------------------------------------------------------

CANARY_ID = valid_id_number(birth=dt.date(1977, 7, 7), sex="M", area="210102", seq=777)
CANARY_BAD_ID = CANARY_ID[:17] + ("1" if CANARY_ID[17] != "1" else "2")
CANARY_PHONE = "1391234987"  # ten digits: invalid


def _job(
    path: Path, user: User, community: Area, capture: Callable[..., Any], **params: Any
) -> Any:
    token = store_upload([path.read_bytes()])
    with capture(execute=True):
        job = enqueue_job(
            "registry.import_residents",
            user=user,
            area_path=community.path,
            params={
                "upload": token,
                "filename": path.name,
                "community": community.pk,
                "mode": "import",
                **params,
            },
        )
    job.refresh_from_db()
    return job, token


def test_an_import_job_reports_progress_and_its_result_and_deletes_the_upload(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
    django_capture_on_commit_callbacks: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    reported: list[tuple[int, int]] = []
    real = JobContext.progress

    def progress(context: JobContext, done: int) -> None:
        reported.append((done, context.job.total))
        real(context, done)

    monkeypatch.setattr(JobContext, "progress", progress)
    monkeypatch.setattr(bulk, "BATCH_SIZE", 1)  # progress after every row
    seen: list[tuple[int, int]] = []
    monkeypatch.setattr(
        jobs, "write_progress", lambda token, done, total: seen.append((done, total))
    )

    job, token = _job(
        write_register(tmp_path, _family()),
        officer_a,
        community_a,
        django_capture_on_commit_callbacks,
    )

    # The job row hears the rows handled, and so does the file the page reads meanwhile.
    assert reported[0][0] < reported[-1][0] == reported[-1][1] == 4
    assert seen == reported
    assert job.status == JobStatus.COMPLETED, job.log
    assert job.total > 0
    assert job.progress == job.total
    assert (job.result["created"], job.result["rejected"]) == (4, 0)
    assert not upload_exists(token)
    assert Person.objects.count() == 4


def test_a_preview_job_keeps_the_upload_for_the_import(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    job, token = _job(
        write_register(tmp_path, _family()),
        officer_a,
        community_a,
        django_capture_on_commit_callbacks,
        mode="preview",
    )

    assert job.result["created"] == 4
    assert job.result["dry_run"] is True
    assert upload_exists(token)
    assert not Person.objects.exists()


def test_a_refused_file_completes_the_job_with_the_reason(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    path = tmp_path / "notes.csv"
    path.write_bytes(bytes(range(128, 256)) * 50)

    job, _token = _job(path, officer_a, community_a, django_capture_on_commit_callbacks)

    assert job.status == JobStatus.COMPLETED
    assert job.result["code"] == "encoding"
    assert job.result["error"]


@pytest.mark.parametrize("fmt", FORMATS)
def test_error_reports_never_carry_an_id_number_or_phone_in_plaintext(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
    fmt: str,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    rows = [
        row(id_number=CANARY_ID, phone="13812340000"),
        row(name="王秀", room="601", id_number=CANARY_ID),  # duplicate
        row(name="王三", room="602", id_number=CANARY_BAD_ID),  # bad check digit
        row(name="王四", room="603", id_number="", phone=CANARY_PHONE),  # invalid phone
        row(name="王五", room="604", id_number=float(CANARY_ID[:17] + "0")),  # Excel number
        row(name="", room="605", id_number=ID_2, phone="13812349999"),  # missing name
    ]
    job, _token = _job(
        write_register(tmp_path, rows, fmt),
        officer_a,
        community_a,
        django_capture_on_commit_callbacks,
        mode="preview",
    )

    report = json.dumps(job.result, ensure_ascii=False) + job.log
    assert job.result["rejected"] == 5
    for secret in (
        CANARY_ID,
        CANARY_BAD_ID,
        CANARY_PHONE,
        ID_2,
        "13812349999",
        CANARY_ID[:17],
        CANARY_PHONE[-7:],
    ):
        assert secret not in report
    assert CANARY_ID[:6] + "********" + CANARY_ID[-4:] in report


def test_the_canary_never_reaches_the_result_of_an_import_that_wrote(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    job, _token = _job(
        write_register(tmp_path, [row(id_number=CANARY_ID, phone=PHONE_1)]),
        officer_a,
        community_a,
        django_capture_on_commit_callbacks,
    )

    assert job.result["created"] == 1
    assert CANARY_ID not in json.dumps(job.result) + job.log
    assert PHONE_1 not in json.dumps(job.result) + job.log


def test_numbers_in_xlsx_cells_are_read_as_text_where_they_may_be(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
) -> None:
    # Excel keeps 1, 502 and an 11-digit mobile as numbers; only the ID number suffers.
    path = write_register(tmp_path, [row(building=1, unit=1, room=502, phone=int(PHONE_1))])

    result = run_import(path, community_a, officer_a)

    assert result.created == 1
    assert decrypt(Person.objects.get().phone_cipher) == PHONE_1


def test_valid_mobile_factory_numbers_import(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
) -> None:
    rows = [
        row(name=f"居民{i}", room=f"{i + 1}01", id_number="", phone=valid_mobile(i))
        for i in range(5)
    ]
    assert run_import(write_register(tmp_path, rows), community_a, officer_a).created == 5


def test_every_audit_row_of_an_import_is_the_row_core_audit_would_write(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
) -> None:
    """The import writes its audit rows from column values, never through core.audit: every
    one of them (people and households, created and updated, in buildings with and without a
    name or a grid) must be the very row ``core.audit`` writes for the object."""
    BuildingFactory(community=community_a, grid=None, number="3", name="", units=1, floors=6)
    existing = HouseholdFactory(building=registry["1"], unit=1, room="502", floor=5)
    first = [
        row(name="王秀英", id_number=ID_1, relation="户主"),
        row(name="李强", id_number=ID_2, relation="配偶", phone="13800000001"),
        row(building="2", unit="", room="101", name="张桂兰", id_number=ID_3, relation="户主"),
        row(
            building="3",
            unit="",
            room="201",
            name="赵四",
            id_number="",
            sex="男",
            relation="子女",
            phone="",
        ),
        row(
            building="1",
            unit="2",
            room="301",
            name="王小明",
            id_number="",
            relation="户主",
            phone="",
            tags="低保",
        ),
    ]
    second = [list(r) for r in first]
    second[1][6] = "13800000002"  # a new phone: an update
    second[3][9] = "残疾"  # a tag: an update
    second.append(
        row(
            building="2",
            unit="",
            room="101",
            name="张小兰",
            id_number="",
            relation="子女",
            phone="",
        )
    )
    start = ObjectChange.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    run_import(write_register(tmp_path, first, name="first"), community_a, officer_a)
    middle = ObjectChange.objects.order_by("-pk").values_list("pk", flat=True).first()
    befores = {p.pk: json.loads(json.dumps(p.audit_snapshot())) for p in Person.objects.all()}
    run_import(write_register(tmp_path, second, name="second"), community_a, officer_a)

    changes = list(ObjectChange.objects.filter(pk__gt=start).order_by("pk"))
    kinds = {(c.content_type.model_class(), c.action) for c in changes}
    assert kinds == {
        (Person, ChangeAction.CREATE),
        (Person, ChangeAction.UPDATE),
        (Household, ChangeAction.CREATE),
        (Household, ChangeAction.UPDATE),
    }
    # Objects touched by the second import were last audited by it.
    assert_changes_as_core_writes(changes, officer_a)
    last = {(c.content_type_id, c.object_id): c.pk for c in changes}
    for change in changes:
        if last[(change.content_type_id, change.object_id)] != change.pk:
            continue  # superseded: the object has changed since
        model = change.content_type.model_class()
        obj = model.objects.get(pk=int(change.object_id))
        if change.action == ChangeAction.CREATE:
            assert change.before is None
        elif model is Household:
            assert obj.pk == existing.pk
            assert change.before == {**change.after, "head": None}
        else:
            assert change.pk > middle
            assert change.before == befores[obj.pk]
    assert sum(c.content_type.model_class() is Household for c in changes) == 4
    assert sum(c.content_type.model_class() is Person for c in changes) == 8


def test_names_are_imported_in_nfc_and_notes_with_control_characters_are_refused(
    tmp_path: Path,
    community_a: Area,
    officer_a: User,
    registry: dict,
) -> None:
    header = [*HEADER, "备注"]
    path = write_register(
        tmp_path,
        [
            [*row(name="王\uf900英"), "独居，\n每周探望"],
            [*row(id_number=ID_2, name="李强", room="601"), "备注\x1b[31m"],
        ],
        "csv",
        header=header,
    )  # a CSV: openpyxl cannot even write the escape into a sheet

    result = run_import(path, community_a, officer_a)

    assert codes(result) == [(3, "备注", "notes_invalid")]
    person = Person.objects.get()
    assert person.name == "王\u8c48英"  # U+F900, a compatibility ideograph, is U+8C48 in NFC
