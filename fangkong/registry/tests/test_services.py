"""The registry's services: checks, protection of personal data, optimistic locking, audit."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from fangkong.accounts.models import User
from fangkong.areas.models import Area
from fangkong.core.choices import AccessKind, ChangeAction
from fangkong.core.exceptions import ConflictError, PermissionDeniedError
from fangkong.core.models import AccessEvent, ObjectChange
from fangkong.core.personal_data import decrypt, id_number_index
from fangkong.registry.choices import PersonStatus, Relation
from fangkong.registry.models import Building, Household, Person
from fangkong.registry.services import (
    do_create_building,
    do_create_household,
    do_create_person,
    do_deactivate_person,
    do_reactivate_person,
    do_reveal_person,
    do_update_household,
    do_update_person,
)
from fangkong.registry.tests.factories import (
    BuildingFactory,
    HouseholdFactory,
    PersonFactory,
    valid_id_number,
    valid_mobile,
)

ID_NUMBER = valid_id_number(birth=dt.date(1985, 4, 12), sex="F", area="210102", seq=24)
PHONE = "13812345678"


@pytest.fixture
def household_a1(grid_a1: Area) -> Household:
    return HouseholdFactory(building=BuildingFactory(grid=grid_a1))


@pytest.fixture
def household_a2(grid_a2: Area) -> Household:
    return HouseholdFactory(building=BuildingFactory(grid=grid_a2))


@pytest.fixture
def resident(household_a1: Household, officer_a: User) -> Person:
    return do_create_person(
        community=household_a1.community,
        household=household_a1,
        name="李秀英",
        id_number=ID_NUMBER,
        phone=PHONE,
        by=officer_a,
    )


def changes_of(obj: object) -> list[ObjectChange]:
    content_type = ContentType.objects.get_for_model(obj)
    return list(
        ObjectChange.objects.filter(content_type=content_type, object_id=str(obj.pk)).order_by("pk")
    )


# --- Creating people ------------------------------------------------------------------------


def test_creating_a_person_reads_birth_date_and_sex_from_the_id_number(resident: Person) -> None:
    assert resident.birth_date == dt.date(1985, 4, 12)
    assert resident.sex == "F"


def test_creating_a_person_stores_the_id_number_and_phone_protected(resident: Person) -> None:
    assert resident.id_number_mask == ID_NUMBER[:6] + "********" + ID_NUMBER[-4:]
    assert resident.phone_mask == "138****5678"
    assert resident.id_number_index == id_number_index(ID_NUMBER)
    assert decrypt(resident.id_number_cipher) == ID_NUMBER
    assert decrypt(resident.phone_cipher) == PHONE


def test_a_surname_is_read_as_a_surname_in_pinyin(household_a1: Household) -> None:
    zeng = PersonFactory(household=household_a1, name="曾国强")

    assert zeng.name_pinyin.startswith("zeng")
    assert zeng.name_initials == "zgq"


def test_the_initials_of_zhang_san_are_zs(household_a1: Household) -> None:
    zhang = PersonFactory(household=household_a1, name=" 张三 ")

    assert zhang.name == "张三"
    assert zhang.name_pinyin == "zhangsan"
    assert zhang.name_initials == "zs"


def test_a_duplicate_id_number_in_the_same_community_is_refused_on_the_id_number(
    resident: Person, household_a2: Household, officer_a: User
) -> None:
    with pytest.raises(ValidationError) as caught:
        do_create_person(
            community=household_a2.community,
            household=household_a2,
            name="王芳",
            id_number=ID_NUMBER.lower(),
            by=officer_a,
        )

    assert "id_number" in caught.value.message_dict
    assert Person.objects.filter(id_number_index=id_number_index(ID_NUMBER)).count() == 1


def test_the_same_id_number_may_be_registered_in_another_community(
    resident: Person, grid_b1: Area, officer_b: User
) -> None:
    household_b1 = HouseholdFactory(building=BuildingFactory(grid=grid_b1))

    other = do_create_person(
        community=household_b1.community,
        household=household_b1,
        name="李秀英",
        id_number=ID_NUMBER,
        by=officer_b,
    )

    # the blind index links the two records of one person across communities
    assert other.id_number_index == resident.id_number_index
    assert other.community_id != resident.community_id


def test_an_invalid_phone_is_refused_on_the_phone_field(
    household_a1: Household, officer_a: User
) -> None:
    with pytest.raises(ValidationError) as caught:
        do_create_person(
            community=household_a1.community,
            household=household_a1,
            name="王芳",
            phone="1381234567",
            by=officer_a,
        )

    assert list(caught.value.message_dict) == ["phone"]
    assert not Person.objects.filter(name="王芳").exists()


def test_an_invalid_id_number_is_refused_on_the_id_number_field(
    household_a1: Household, officer_a: User
) -> None:
    bad = ID_NUMBER[:17] + ("1" if ID_NUMBER[17] != "1" else "2")

    with pytest.raises(ValidationError) as caught:
        do_create_person(
            community=household_a1.community,
            household=household_a1,
            name="王芳",
            id_number=bad,
            by=officer_a,
        )

    assert list(caught.value.message_dict) == ["id_number"]


def test_a_passport_number_is_stored_protected_without_resident_id_checks(
    household_a1: Household, officer_a: User
) -> None:
    person = do_create_person(
        community=household_a1.community,
        household=household_a1,
        name="John Smith",
        id_type="passport",
        id_number="E12345678",
        by=officer_a,
    )

    assert person.id_number_mask == "E********"
    assert decrypt(person.id_number_cipher) == "E12345678"


# --- Updating with optimistic locking -------------------------------------------------------


def test_an_update_with_the_current_version_saves_and_bumps_the_version(
    resident: Person, officer_a: User
) -> None:
    updated = do_update_person(resident, name="李秀兰", expected_version=1, by=officer_a)

    assert updated.version == 2
    assert Person.objects.get(pk=resident.pk).name == "李秀兰"


def test_an_update_with_a_stale_version_raises_a_conflict_and_changes_nothing(
    resident: Person, officer_a: User, grid_worker_a1: User
) -> None:
    # given a grid worker who saved the person after the officer opened the form
    do_update_person(resident, notes="腿脚不便", expected_version=1, by=grid_worker_a1)
    changes_before = len(changes_of(resident))

    # when the officer saves with the version they read
    with pytest.raises(ConflictError) as caught:
        do_update_person(resident, name="李秀兰", expected_version=1, by=officer_a)

    # then nothing changes, and the caller learns the current version
    assert caught.value.current_version == 2
    resident.refresh_from_db()
    assert (resident.name, resident.version, resident.notes) == ("李秀英", 2, "腿脚不便")
    assert len(changes_of(resident)) == changes_before


def test_an_update_that_leaves_id_number_and_phone_out_keeps_them(
    resident: Person, officer_a: User
) -> None:
    do_update_person(resident, notes="独居", by=officer_a)

    resident.refresh_from_db()
    assert decrypt(resident.id_number_cipher) == ID_NUMBER
    assert decrypt(resident.phone_cipher) == PHONE


def test_an_update_with_a_new_phone_replaces_cipher_index_and_mask(
    resident: Person, officer_a: User
) -> None:
    do_update_person(resident, phone="024-23456789", by=officer_a)

    resident.refresh_from_db()
    assert decrypt(resident.phone_cipher) == "024-23456789"
    assert resident.phone_mask == "024-****6789"


# --- Deactivating ---------------------------------------------------------------------------


def test_deactivating_a_person_needs_a_reason(resident: Person, officer_a: User) -> None:
    with pytest.raises(ValidationError) as caught:
        do_deactivate_person(
            resident,
            status=PersonStatus.MOVED_OUT,
            date=timezone.localdate(),
            reason="  ",
            by=officer_a,
        )

    assert "reason" in caught.value.message_dict
    resident.refresh_from_db()
    assert resident.is_active


def test_deactivating_keeps_the_row_and_records_status_date_and_reason(
    resident: Person, officer_a: User
) -> None:
    moved = timezone.localdate() - dt.timedelta(days=3)

    do_deactivate_person(
        resident, status=PersonStatus.MOVED_OUT, date=moved, reason="搬到女儿家", by=officer_a
    )

    resident.refresh_from_db()
    assert (resident.status, resident.status_date, resident.status_reason) == (
        PersonStatus.MOVED_OUT,
        moved,
        "搬到女儿家",
    )
    assert not resident.is_active


def test_deactivating_as_active_or_in_the_future_is_refused(
    resident: Person, officer_a: User
) -> None:
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        do_deactivate_person(
            resident, status=PersonStatus.ACTIVE, date=today, reason="x", by=officer_a
        )
    with pytest.raises(ValidationError):
        do_deactivate_person(
            resident,
            status=PersonStatus.DIED,
            date=today + dt.timedelta(days=1),
            reason="x",
            by=officer_a,
        )


def test_deactivating_the_head_of_household_clears_the_head(
    resident: Person, household_a1: Household, officer_a: User
) -> None:
    # given the resident is head of their household
    do_update_household(household_a1, head=resident, by=officer_a)
    assert Household.objects.get(pk=household_a1.pk).head == resident

    # when they die
    do_deactivate_person(
        resident,
        status=PersonStatus.DIED,
        date=timezone.localdate(),
        reason="病故",
        by=officer_a,
    )

    # then the household has no head, and that change is logged too
    household_a1.refresh_from_db()
    assert household_a1.head is None
    last = changes_of(household_a1)[-1]
    assert (last.before["head"], last.after["head"]) == (resident.pk, None)


# --- Reactivating ---------------------------------------------------------------------------


def _moved_out(person: Person, officer: User) -> Person:
    return do_deactivate_person(
        person,
        status=PersonStatus.MOVED_OUT,
        date=timezone.localdate(),
        reason="搬到外地",
        by=officer,
    )


def test_reactivating_brings_a_person_back_with_a_reason_and_an_audit_row(
    resident: Person, officer_a: User
) -> None:
    moved = _moved_out(resident, officer_a)

    back = do_reactivate_person(
        moved, reason="  又搬回来了 ", by=officer_a, expected_version=moved.version
    )

    back.refresh_from_db()
    assert back.is_active
    assert (back.status_date, back.status_reason) == (timezone.localdate(), "又搬回来了")
    assert back.version == moved.version + 1
    last = changes_of(back)[-1]
    assert last.action == ChangeAction.UPDATE
    assert last.actor == officer_a
    assert (last.before["status"], last.after["status"]) == (
        PersonStatus.MOVED_OUT,
        PersonStatus.ACTIVE,
    )
    assert (last.before["status_reason"], last.after["status_reason"]) == ("搬到外地", "又搬回来了")


def test_reactivating_needs_a_reason_and_a_deactivated_person(
    resident: Person, officer_a: User
) -> None:
    with pytest.raises(ValidationError):
        do_reactivate_person(resident, reason="又搬回来了", by=officer_a)
    moved = _moved_out(resident, officer_a)

    with pytest.raises(ValidationError) as caught:
        do_reactivate_person(moved, reason=" ", by=officer_a)

    assert "reason" in caught.value.message_dict
    moved.refresh_from_db()
    assert not moved.is_active


def test_reactivating_a_stale_version_is_a_conflict(resident: Person, officer_a: User) -> None:
    moved = _moved_out(resident, officer_a)

    with pytest.raises(ConflictError):
        do_reactivate_person(
            moved, reason="又搬回来了", by=officer_a, expected_version=moved.version - 1
        )

    moved.refresh_from_db()
    assert not moved.is_active


def test_reactivating_without_the_right_is_refused_with_a_reason(
    resident: Person, officer_a: User, checkpoint_a: User
) -> None:
    moved = _moved_out(resident, officer_a)

    with pytest.raises(PermissionDeniedError) as caught:
        do_reactivate_person(moved, reason="又搬回来了", by=checkpoint_a)

    assert caught.value.action == "deactivate"
    assert caught.value.reason
    moved.refresh_from_db()
    assert not moved.is_active


# --- Audit ----------------------------------------------------------------------------------


def test_create_update_and_deactivate_each_write_an_object_change(
    household_a1: Household, officer_a: User
) -> None:
    person = do_create_person(
        community=household_a1.community,
        household=household_a1,
        name="李秀英",
        id_number=ID_NUMBER,
        phone=PHONE,
        by=officer_a,
    )
    do_update_person(person, notes="独居老人", by=officer_a)
    do_deactivate_person(
        person,
        status=PersonStatus.MOVED_HOUSE,
        date=timezone.localdate(),
        reason="换房",
        by=officer_a,
    )

    created, updated, deactivated = changes_of(person)
    assert [c.action for c in (created, updated, deactivated)] == [
        ChangeAction.CREATE,
        ChangeAction.UPDATE,
        ChangeAction.UPDATE,
    ]
    assert all(c.actor == officer_a and c.actor_name == "officer_a" for c in changes_of(person))
    assert created.before is None
    assert created.after["name"] == "李秀英"
    assert (updated.before["notes"], updated.after["notes"]) == ("", "独居老人")
    assert (deactivated.before["status"], deactivated.after["status"]) == (
        PersonStatus.ACTIVE,
        PersonStatus.MOVED_HOUSE,
    )
    assert {c.community_id for c in changes_of(person)} == {household_a1.community_id}
    assert {c.person_id for c in changes_of(person)} == {person.pk}


def test_change_snapshots_hold_masked_numbers_never_plaintext_or_ciphertext(
    resident: Person, officer_a: User
) -> None:
    do_update_person(resident, phone="13987654321", by=officer_a)
    resident.refresh_from_db()

    for change in changes_of(resident):
        logged = json.dumps([change.before, change.after], ensure_ascii=False)
        for secret in (
            ID_NUMBER,
            PHONE,
            "13987654321",
            resident.id_number_cipher,
            resident.phone_cipher,
            resident.id_number_index,
        ):
            assert secret not in logged
    update = changes_of(resident)[-1]
    assert update.after["id_number_mask"] == resident.id_number_mask
    assert (update.before["phone_mask"], update.after["phone_mask"]) == (
        "138****5678",
        "139****4321",
    )


def test_rows_created_by_the_system_are_logged_with_no_actor(household_a1: Household) -> None:
    change = changes_of(household_a1)[0]

    assert (change.actor, change.actor_name, change.action) == (None, "system", "create")


# --- Revealing ------------------------------------------------------------------------------


def test_a_reveal_returns_the_plaintext_and_logs_the_reason(
    resident: Person, officer_a: User
) -> None:
    revealed = do_reveal_person(resident, reason="核对疫苗接种信息", by=officer_a)

    assert revealed == {"id_number": ID_NUMBER, "phone": PHONE}
    event = AccessEvent.objects.get()
    assert (event.kind, event.actor, event.reason, event.person_id) == (
        AccessKind.REVEAL,
        officer_a,
        "核对疫苗接种信息",
        resident.pk,
    )
    assert ID_NUMBER not in json.dumps(event.detail)
    assert PHONE not in json.dumps(event.detail)


def test_a_health_officer_may_reveal(resident: Person, health_a: User) -> None:
    assert do_reveal_person(resident, reason="流调", by=health_a)["phone"] == PHONE


def test_a_reveal_without_a_reason_is_refused_and_not_logged(
    resident: Person, officer_a: User
) -> None:
    with pytest.raises(ValidationError):
        do_reveal_person(resident, reason=" ", by=officer_a)

    assert not AccessEvent.objects.exists()


# --- Who may do it --------------------------------------------------------------------------


def test_a_grid_worker_can_create_a_person_in_a_household_of_their_grid(
    household_a1: Household, grid_worker_a1: User
) -> None:
    person = do_create_person(
        community=household_a1.community,
        household=household_a1,
        name="赵强",
        phone=valid_mobile(),
        by=grid_worker_a1,
    )

    assert person in Person.objects.restrict(grid_worker_a1)


def test_a_grid_worker_cannot_create_a_person_in_another_grids_household(
    household_a2: Household, grid_worker_a1: User
) -> None:
    with pytest.raises(Http404):
        do_create_person(
            community=household_a2.community,
            household=household_a2,
            name="赵强",
            by=grid_worker_a1,
        )

    assert not Person.objects.filter(name="赵强").exists()


def test_a_grid_worker_cannot_move_a_person_into_another_grid(
    household_a1: Household, household_a2: Household, grid_worker_a1: User
) -> None:
    person = PersonFactory(household=household_a1)

    with pytest.raises(Http404):
        do_update_person(person, household=household_a2, by=grid_worker_a1)


def test_a_grid_worker_cannot_reveal(resident: Person, grid_worker_a1: User) -> None:
    with pytest.raises(PermissionDeniedError):
        do_reveal_person(resident, reason="想打电话", by=grid_worker_a1)

    assert not AccessEvent.objects.exists()


def test_a_district_official_cannot_update_a_person(
    resident: Person, district_official: User
) -> None:
    with pytest.raises(PermissionDeniedError):
        do_update_person(resident, name="李秀兰", by=district_official)

    assert Person.objects.get(pk=resident.pk).name == "李秀英"


def test_an_officer_of_another_community_is_told_the_person_does_not_exist(
    resident: Person, officer_b: User
) -> None:
    with pytest.raises(Http404):
        do_update_person(resident, name="李秀兰", by=officer_b)
    with pytest.raises(Http404):
        do_reveal_person(resident, reason="查看", by=officer_b)


# --- Buildings and households ---------------------------------------------------------------


def test_a_household_in_a_unit_the_building_does_not_have_is_refused(
    grid_a1: Area, officer_a: User
) -> None:
    building = BuildingFactory(grid=grid_a1, units=2)

    with pytest.raises(ValidationError) as caught:
        do_create_household(building=building, unit=3, room="301", by=officer_a)

    assert "unit" in caught.value.message_dict
    assert not Household.objects.filter(building=building).exists()


def test_a_household_landline_is_normalised_and_masked(grid_a1: Area, officer_a: User) -> None:
    building = BuildingFactory(grid=grid_a1)

    household = do_create_household(
        building=building, unit=1, room="102", phone="02423456789", by=officer_a
    )

    assert household.phone_mask == "024-****6789"
    assert decrypt(household.phone_cipher) == "024-23456789"
    assert household.number == f"{building.number}-1-102"


def test_a_building_in_a_grid_of_another_community_is_refused(
    community_a: Area, grid_b1: Area, officer_a: User
) -> None:
    with pytest.raises(ValidationError) as caught:
        do_create_building(community=community_a, grid=grid_b1, number="9", by=officer_a)

    assert "grid" in caught.value.message_dict
    assert not Building.objects.filter(community=community_a, number="9").exists()


def test_a_building_number_is_unique_in_its_community(
    community_a: Area, grid_a1: Area, officer_a: User
) -> None:
    do_create_building(community=community_a, grid=grid_a1, number="7", by=officer_a)

    with pytest.raises(ValidationError):
        do_create_building(community=community_a, grid=grid_a1, number="7", by=officer_a)


def test_the_head_of_a_household_must_be_one_of_its_members(
    household_a1: Household, household_a2: Household, officer_a: User
) -> None:
    stranger = PersonFactory(household=household_a2, relation=Relation.HEAD)

    with pytest.raises(ValidationError) as caught:
        do_update_household(household_a1, head=stranger, by=officer_a)

    assert "head" in caught.value.message_dict
