"""Adding, renaming, moving and closing areas (areas.services): each action, each refusal,
and the bulk move of buildings to a grid (registry.services.do_assign_buildings_to_grid)."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.http import Http404

from fangkong.access.models import Pass
from fangkong.access.tests.factories import household_with_pass
from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.areas.services import (
    contents_of,
    do_close_area,
    do_create_area,
    do_move_area,
    do_update_area,
)
from fangkong.areas.tests.factories import CommunityFactory, GridFactory, StreetFactory
from fangkong.core.choices import ChangeAction
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.models import ObjectChange
from fangkong.registry.models import Building, Household, Person
from fangkong.registry.services import do_assign_buildings_to_grid
from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory, PersonFactory
from fangkong.staff.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def _changes(area: Area) -> list[str]:
    return list(
        ObjectChange.objects.filter(content_type__model="area", object_id=str(area.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- Adding -----------------------------------------------------------------------------------


def test_an_administrator_adds_a_community_to_its_street_with_its_settings(
    street: Area, administrator: Any
) -> None:
    community = do_create_area(
        parent=street,
        name="在水一方社区",
        code="ZS01",
        time_zone="Asia/Shanghai",
        fever_threshold=Decimal("37.5"),
        contact_phone="024-23456789",
        by=administrator,
    )

    assert community.level == AreaLevel.COMMUNITY
    assert community.path == f"{street.path}{community.pk}/"
    assert (community.fever_threshold, community.contact_phone) == (
        Decimal("37.5"),
        "024-23456789",
    )
    assert _changes(community) == [ChangeAction.CREATE]


def test_adding_outside_the_administrators_area_is_not_found(administrator: Any) -> None:
    elsewhere = StreetFactory()

    with pytest.raises(Http404):
        do_create_area(parent=elsewhere, name="外街社区", code="X1", by=administrator)


def test_a_community_officer_may_not_add_a_grid(community_a: Area, officer_a: Any) -> None:
    with pytest.raises(PermissionDeniedError):
        do_create_area(parent=community_a, name="第九网格", code="G9", by=officer_a)


def test_a_duplicate_code_is_refused_with_a_message_on_the_code(
    street: Area, community_a: Area, administrator: Any
) -> None:
    with pytest.raises(ValidationError) as caught:
        do_create_area(parent=street, name="重号社区", code=community_a.code, by=administrator)

    assert "code" in caught.value.message_dict
    assert not Area.objects.filter(name="重号社区").exists()


def test_a_level_that_does_not_follow_the_parents_is_refused(
    street: Area, administrator: Any
) -> None:
    with pytest.raises(ValidationError):
        do_create_area(
            parent=street, level=AreaLevel.GRID, name="跳级", code="SKIP", by=administrator
        )


def test_nothing_is_added_below_a_grid(grid_a1: Area, administrator: Any) -> None:
    with pytest.raises(ValidationError):
        do_create_area(parent=grid_a1, name="子网格", code="SUB", by=administrator)


# --- Renaming and settings ----------------------------------------------------------------------


def test_renaming_a_community_and_its_settings_is_audited(
    community_a: Area, administrator: Any
) -> None:
    area = do_update_area(
        community_a,
        by=administrator,
        name="文化新社区",
        fever_threshold="37.6",
        contact_phone="13812345678",
        expected_version=community_a.version,
    )

    assert (area.name, area.fever_threshold, area.contact_phone) == (
        "文化新社区",
        Decimal("37.6"),
        "13812345678",
    )
    change = ObjectChange.objects.filter(object_id=str(area.pk), action=ChangeAction.UPDATE).get()
    assert change.before["name"] != change.after["name"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("fever_threshold", "39.5"),
        ("contact_phone", "12345"),
        ("time_zone", "Mars/Olympus"),
        ("name", "  "),
    ],
)
def test_bad_settings_are_refused_on_their_field(
    community_a: Area, administrator: Any, field: str, value: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        do_update_area(community_a, by=administrator, **{field: value})

    assert field in caught.value.message_dict


def test_a_grid_has_no_fever_threshold_of_its_own(grid_a1: Area, administrator: Any) -> None:
    with pytest.raises(ValidationError):
        do_update_area(grid_a1, by=administrator, fever_threshold="37.8")


def test_an_administrator_cannot_rename_its_own_area(street: Area, administrator: Any) -> None:
    with pytest.raises(Http404):
        do_update_area(street, by=administrator, name="改名街道")


def test_renaming_an_area_of_another_street_is_not_found(administrator: Any) -> None:
    with pytest.raises(Http404):
        do_update_area(CommunityFactory(), by=administrator, name="别处")


# --- Moving -----------------------------------------------------------------------------------


def test_an_empty_grid_moves_to_another_community_with_its_path(
    grid_a2: Area, community_b: Area, administrator: Any
) -> None:
    moved = do_move_area(grid_a2, parent=community_b, by=administrator)

    assert moved.parent_id == community_b.pk
    assert moved.path == f"{community_b.path}{moved.pk}/"


def test_a_community_moves_to_another_street_with_its_grids(
    district: Area, community_a: Area, grid_a1: Area, administrator: Any, superuser: Any
) -> None:
    other_street = StreetFactory(parent=district)

    do_move_area(community_a, parent=other_street, by=superuser)

    grid_a1.refresh_from_db()
    assert grid_a1.path == f"{other_street.path}{community_a.pk}/{grid_a1.pk}/"
    assert grid_a1.lies_in(other_street)


def test_a_move_to_a_parent_of_the_wrong_level_is_refused(
    grid_a1: Area, street: Area, administrator: Any
) -> None:
    with pytest.raises(ValidationError):
        do_move_area(grid_a1, parent=street, by=administrator)


def test_a_move_out_of_the_administrators_area_is_not_found(
    grid_a1: Area, administrator: Any
) -> None:
    with pytest.raises(Http404):
        do_move_area(grid_a1, parent=CommunityFactory(), by=administrator)


def test_a_grid_with_open_tasks_does_not_move_to_another_community(
    community_a: Area, grid_a2: Area, community_b: Area, administrator: Any
) -> None:
    TaskFactory(community=community_a, area=grid_a2)

    with pytest.raises(ValidationError) as caught:
        do_move_area(grid_a2, parent=community_b, by=administrator)

    assert "1" in caught.value.messages[0]
    grid_a2.refresh_from_db()
    assert grid_a2.parent_id == community_a.pk


def test_a_grid_with_residents_does_not_move_to_another_community(
    community_a: Area, grid_a1: Area, community_b: Area, administrator: Any
) -> None:
    PersonFactory(household=HouseholdFactory(building=BuildingFactory(grid=grid_a1)))

    with pytest.raises(ValidationError):
        do_move_area(grid_a1, parent=community_b, by=administrator)


# --- Closing ----------------------------------------------------------------------------------


def test_an_empty_grid_closes_with_a_reason(grid_a2: Area, administrator: Any) -> None:
    closed = do_close_area(grid_a2, by=administrator, reason="合并网格")

    assert closed.closed_at is not None
    assert closed.closed_reason == "合并网格"
    assert _changes(closed)[-1] == ChangeAction.UPDATE


def test_closing_a_grid_with_people_is_refused_with_the_counts(
    grid_a1: Area, administrator: Any
) -> None:
    household_with_pass(grid_a1.parent, grid_a1, members=3)

    with pytest.raises(ValidationError) as caught:
        do_close_area(grid_a1, by=administrator, reason="合并")

    message = caught.value.messages[0]
    assert "3" in message
    grid_a1.refresh_from_db()
    assert grid_a1.closed_at is None


def test_closing_a_grid_moves_its_people_passes_and_tasks_to_another_grid(
    community_a: Area, grid_a1: Area, grid_a2: Area, administrator: Any
) -> None:
    household, card = household_with_pass(community_a, grid_a1, members=2)
    task = TaskFactory(community=community_a, area=grid_a1)

    do_close_area(grid_a1, by=administrator, reason="合并", move_to=grid_a2)

    assert Person.objects.filter(household=household, grid=grid_a2).count() == 2
    assert Pass.objects.get(pk=card.pk).grid_id == grid_a2.pk
    task.refresh_from_db()
    assert task.area_id == grid_a2.pk
    assert contents_of(grid_a1) == {}
    _check_scope_is_clean()


def test_closing_a_grid_with_its_worker_still_on_it_is_refused(
    grid_a1: Area, grid_a2: Area, grid_worker_a1: Any, administrator: Any
) -> None:
    with pytest.raises(ValidationError) as caught:
        do_close_area(grid_a1, by=administrator, reason="合并", move_to=grid_a2)

    assert "1" in caught.value.messages[0]


def test_closing_a_community_with_residents_is_refused_with_the_counts(
    community_a: Area, grid_a1: Area, administrator: Any
) -> None:
    household_with_pass(community_a, grid_a1, members=2)

    with pytest.raises(ValidationError):
        do_close_area(community_a, by=administrator, reason="撤并")
    with pytest.raises(ValidationError):
        do_close_area(community_a, by=administrator, reason="撤并", move_to=grid_a1)


def test_closing_an_empty_community_closes_its_grids_too(street: Area, superuser: Any) -> None:
    community = CommunityFactory(parent=street)
    grid = GridFactory(parent=community)

    do_close_area(community, by=superuser, reason="撤并")

    grid.refresh_from_db()
    assert grid.closed_at is not None


def test_nothing_is_added_to_a_closed_area(street: Area, superuser: Any) -> None:
    community = CommunityFactory(parent=street)
    do_close_area(community, by=superuser, reason="撤并")

    with pytest.raises(ValidationError):
        do_create_area(parent=community, name="新网格", code="NEWG", by=superuser)


# --- Buildings to grids in bulk ---------------------------------------------------------------


def _check_scope_is_clean() -> None:
    out = StringIO()
    call_command("check_scope", stdout=out)
    assert "Every scoped table agrees" in out.getvalue()


def test_assigning_buildings_to_a_grid_moves_every_row_below_them(
    community_a: Area, grid_a1: Area, grid_a2: Area, administrator: Any
) -> None:
    household, card = household_with_pass(community_a, grid_a1, members=2)
    other = BuildingFactory(community=community_a, grid=None)

    moved = do_assign_buildings_to_grid(
        community=community_a,
        buildings=[household.building_id, other.pk],
        grid=grid_a2,
        by=administrator,
    )

    assert moved == 2
    assert set(Building.objects.filter(community=community_a).values_list("grid", flat=True)) == {
        grid_a2.pk
    }
    assert Household.objects.get(pk=household.pk).grid_id == grid_a2.pk
    assert set(Person.objects.filter(household=household).values_list("grid", flat=True)) == {
        grid_a2.pk
    }
    assert Pass.objects.get(pk=card.pk).grid_id == grid_a2.pk
    assert ObjectChange.objects.filter(content_type__model="building").count() >= 2
    _check_scope_is_clean()


def test_assigning_a_building_of_another_community_moves_nothing(
    community_a: Area, grid_a1: Area, grid_a2: Area, grid_b1: Area, administrator: Any
) -> None:
    mine = BuildingFactory(community=community_a, grid=grid_a1)
    theirs = BuildingFactory(grid=grid_b1)

    with pytest.raises(ValidationError):
        do_assign_buildings_to_grid(
            community=community_a, buildings=[mine.pk, theirs.pk], grid=grid_a2, by=administrator
        )

    mine.refresh_from_db()
    assert mine.grid_id == grid_a1.pk


def test_assigning_to_a_grid_of_another_community_is_refused(
    community_a: Area, grid_a1: Area, grid_b1: Area, administrator: Any
) -> None:
    building = BuildingFactory(community=community_a, grid=grid_a1)

    with pytest.raises(ValidationError):
        do_assign_buildings_to_grid(
            community=community_a, buildings=[building.pk], grid=grid_b1, by=administrator
        )


def test_a_community_officer_does_not_lay_out_grids_in_bulk(
    community_a: Area, grid_a1: Area, officer_a: Any
) -> None:
    building = BuildingFactory(community=community_a, grid=None)

    with pytest.raises(PermissionDeniedError):
        do_assign_buildings_to_grid(
            community=community_a, buildings=[building.pk], grid=grid_a1, by=officer_a
        )
