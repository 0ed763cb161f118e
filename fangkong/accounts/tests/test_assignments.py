"""Several assignments per user: rights per assignment, dates, and the services that add and
end them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404

from fangkong.accounts.choices import Role
from fangkong.accounts.models import Assignment, User
from fangkong.accounts.services import do_add_assignment, do_create_user, do_end_assignment
from fangkong.accounts.tests.factories import UserFactory, lend
from fangkong.areas.models import Area
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.models import ObjectChange
from fangkong.core.querysets import covers, may, require, restrict
from fangkong.registry.models import Person
from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db

ONE_DAY = dt.timedelta(days=1)


def fresh(user: User) -> User:
    """The user as a new request loads them (nothing cached on the object)."""
    return User.objects.select_related("area").get(pk=user.pk)


def resident_of(grid: Area) -> Person:
    household = HouseholdFactory(building=BuildingFactory(community=grid.parent, grid=grid))
    person: Person = PersonFactory(household=household)
    return person


# --- The grid-1 example ----------------------------------------------------------------------


def test_a_grid_worker_who_is_an_officer_elsewhere_is_no_officer_of_their_grid(
    grid_worker_a1: User, grid_a1: Area, community_b: Area, grid_b1: Area
) -> None:
    # Given a grid worker of grid a1 who is also the community officer of community B
    lend(grid_worker_a1, Role.COMMUNITY_OFFICER, community_b)
    user = fresh(grid_worker_a1)
    in_a1, in_b1 = resident_of(grid_a1), resident_of(grid_b1)

    # Then in grid a1 they keep a grid worker's rights, and nothing of an officer's
    assert set(restrict(Person, user, "change").values_list("pk", flat=True)) == {
        in_a1.pk,
        in_b1.pk,
    }
    assert list(restrict(Person, user, "reveal").values_list("pk", flat=True)) == [in_b1.pk]
    assert list(restrict(Person, user, "import").values_list("pk", flat=True)) == [in_b1.pk]
    with pytest.raises(PermissionDeniedError):
        require(user, Person, "reveal", in_a1)
    require(user, Person, "reveal", in_b1)
    require(user, Person, "change", in_a1)
    assert may(user, Person, "import", community_b)
    assert not may(user, Person, "import", grid_a1)
    assert not may(user, Person, "import", grid_a1.parent)


def test_a_row_outside_every_assignment_is_not_found_rather_than_refused(
    grid_worker_a1: User, community_b: Area, grid_a2: Area
) -> None:
    lend(grid_worker_a1, Role.COMMUNITY_OFFICER, community_b)
    with pytest.raises(Http404):
        require(fresh(grid_worker_a1), Person, "change", resident_of(grid_a2))


def test_covers_without_a_model_is_the_union_of_every_assignment(
    grid_worker_a1: User, community_b: Area, grid_a2: Area, grid_a1: Area
) -> None:
    lend(grid_worker_a1, Role.VOLUNTEER, community_b)
    user = fresh(grid_worker_a1)
    assert covers(user, grid_a1)
    assert covers(user, community_b)
    assert not covers(user, grid_a2)
    # A volunteer has no right on people: community B's are not theirs to see.
    assert not may(user, Person, "view", community_b)


# --- Dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("starts", "ends", "works"),
    [
        (None, None, True),
        (-3, 0, True),  # the last day is included
        (0, 3, True),  # so is the first
        (-5, -1, False),  # ended yesterday: stops at once, no job
        (1, 5, False),  # not started yet
    ],
)
def test_an_assignment_works_from_its_first_to_its_last_day(
    volunteer_a: User, community_b: Area, starts: int | None, ends: int | None, works: bool
) -> None:
    today = community_b.local_today()
    lend(
        volunteer_a,
        Role.COMMUNITY_OFFICER,
        community_b,
        starts_on=None if starts is None else today + starts * ONE_DAY,
        ends_on=None if ends is None else today + ends * ONE_DAY,
    )
    person = PersonFactory(community=community_b, household=None)
    assert (person in restrict(Person, fresh(volunteer_a), "reveal")) is works


def test_an_account_made_for_a_dated_assignment_can_do_nothing_once_it_ends(
    community_a: Area, grid_a1: Area
) -> None:
    today = community_a.local_today()
    user, _password = do_create_user(
        by=None,
        full_name="借调人员",
        role=Role.GRID_WORKER,
        area=grid_a1,
        starts_on=today - 10 * ONE_DAY,
        ends_on=today + 10 * ONE_DAY,
    )
    assert user.role == ""
    assert user.area == grid_a1
    assignment = Assignment.objects.get(user=user)
    assert (assignment.role, assignment.area) == (Role.GRID_WORKER, grid_a1)
    person = resident_of(grid_a1)
    assert person in restrict(Person, fresh(user), "change")

    Assignment.objects.filter(pk=assignment.pk).update(ends_on=today - ONE_DAY)
    ended = fresh(user)
    assert not ended.has_action(Person, "view")
    assert ended.scope_for(Person, "view").is_empty
    assert not restrict(Person, ended).exists()


def test_an_account_whose_end_comes_before_its_start_is_refused(grid_a1: Area) -> None:
    today = grid_a1.local_today()
    with pytest.raises(ValidationError) as refused:
        do_create_user(
            by=None,
            full_name="借调人员",
            role=Role.GRID_WORKER,
            area=grid_a1,
            starts_on=today,
            ends_on=today - ONE_DAY,
        )
    assert "ends_on" in refused.value.message_dict
    assert not User.objects.filter(full_name="借调人员").exists()


# --- Cost ------------------------------------------------------------------------------------


def test_a_user_with_their_own_assignment_alone_costs_no_query_for_their_rights(
    officer_a: User, django_assert_num_queries: Any
) -> None:
    user = fresh(officer_a)
    with django_assert_num_queries(0):
        user.has_action(Person, "reveal")
        user.scope()
        user.scope_for(Person, "reveal")
        user.scope_for(Person, "view")


def test_a_user_with_assignments_costs_one_query_per_user_object(
    grid_worker_a1: User, community_b: Area, django_assert_num_queries: Any
) -> None:
    lend(grid_worker_a1, Role.COMMUNITY_OFFICER, community_b)
    user = fresh(grid_worker_a1)
    with django_assert_num_queries(1):
        user.has_action(Person, "reveal")
        user.scope()
        user.scope_for(Person, "reveal")
        user.scope_for(Person, "view")


# --- Services --------------------------------------------------------------------------------


def test_an_administrator_lends_a_user_and_the_audit_log_says_so(
    administrator: User, district_official: User, community_a: Area
) -> None:
    # The street's administrator cannot change a district account: out of its area.
    with pytest.raises(Http404):
        do_add_assignment(
            district_official, by=administrator, role=Role.GRID_WORKER, area=community_a
        )
    worker = UserFactory(role=Role.VOLUNTEER, area=community_a)
    ends = community_a.local_today() + 5 * ONE_DAY
    assignment = do_add_assignment(
        worker,
        by=administrator,
        role=Role.GRID_WORKER,
        area=community_a,
        ends_on=ends,
        note="筛查助手",
    )
    assert fresh(worker).has_assignments
    change = ObjectChange.objects.filter(
        content_type=ContentType.objects.get_for_model(Assignment), object_id=str(assignment.pk)
    ).get()
    assert change.after["ends_on"] == ends.isoformat()
    assert change.actor == administrator


def test_an_assignment_outside_the_granters_area_is_not_found(
    officer_a: User, community_b: Area, community_a: Area
) -> None:
    worker = UserFactory(role=Role.VOLUNTEER, area=community_a)
    with pytest.raises(Http404):
        do_add_assignment(worker, by=officer_a, role=Role.VOLUNTEER, area=community_b)
    assert not Assignment.objects.exists()


def test_a_role_the_granter_may_not_give_is_refused(officer_a: User, community_a: Area) -> None:
    worker = UserFactory(role=Role.VOLUNTEER, area=community_a)
    with pytest.raises(PermissionDeniedError) as refused:
        do_add_assignment(worker, by=officer_a, role=Role.COMMUNITY_OFFICER, area=community_a)
    assert "role" in str(refused.value.reason) or refused.value.reason
    assert not Assignment.objects.exists()


def test_an_end_before_the_start_is_refused(officer_a: User, community_a: Area) -> None:
    worker = UserFactory(role=Role.VOLUNTEER, area=community_a)
    today = community_a.local_today()
    with pytest.raises(ValidationError) as refused:
        do_add_assignment(
            worker,
            by=officer_a,
            role=Role.GRID_WORKER,
            area=community_a,
            starts_on=today,
            ends_on=today - ONE_DAY,
        )
    assert "ends_on" in refused.value.message_dict
    assert not Assignment.objects.exists()


def test_nobody_gives_their_own_account_an_assignment(officer_a: User, community_a: Area) -> None:
    with pytest.raises(PermissionDeniedError):
        do_add_assignment(officer_a, by=officer_a, role=Role.GRID_WORKER, area=community_a)
    assert not Assignment.objects.exists()


def test_a_community_officer_gives_and_ends_an_assignment_in_their_community(
    officer_a: User, community_a: Area, grid_a1: Area
) -> None:
    worker = UserFactory(role=Role.VOLUNTEER, area=community_a)
    assignment = do_add_assignment(worker, by=officer_a, role=Role.GRID_WORKER, area=grid_a1)
    person = resident_of(grid_a1)
    assert person in restrict(Person, fresh(worker), "change")

    ended = do_end_assignment(assignment, by=officer_a)
    # Ended now, not at midnight: its last day is today, and it no longer works.
    assert ended.ended_at is not None
    assert ended.ends_on == grid_a1.local_today()
    assert person not in restrict(Person, fresh(worker), "change")
    assert not fresh(worker).has_assignments  # no query for them any more
    # Ending it twice changes nothing.
    assert do_end_assignment(ended, by=officer_a).ended_at == ended.ended_at


def test_ending_an_assignment_on_a_later_day_keeps_it_until_then(
    officer_a: User, community_a: Area
) -> None:
    worker = UserFactory(role=Role.VOLUNTEER, area=community_a)
    today = community_a.local_today()
    assignment = do_add_assignment(
        worker, by=officer_a, role=Role.GRID_WORKER, area=community_a, starts_on=today
    )
    with pytest.raises(ValidationError):
        do_end_assignment(assignment, by=officer_a, ends_on=today - ONE_DAY)
    later = do_end_assignment(assignment, by=officer_a, ends_on=today + 3 * ONE_DAY)
    assert later.ended_at is None
    assert later.in_force()


def test_an_officer_cannot_end_an_assignment_of_another_community(
    officer_b: User, officer_a: User, community_a: Area
) -> None:
    worker = UserFactory(role=Role.VOLUNTEER, area=community_a)
    assignment = do_add_assignment(worker, by=officer_a, role=Role.GRID_WORKER, area=community_a)
    with pytest.raises(Http404):
        do_end_assignment(assignment, by=officer_b)
    assignment.refresh_from_db()
    assert assignment.ended_at is None


def test_an_officer_cannot_lend_an_account_that_outranks_them(
    officer_a: User, health_a: User, community_a: Area
) -> None:
    with pytest.raises(PermissionDeniedError):
        do_add_assignment(health_a, by=officer_a, role=Role.GRID_WORKER, area=community_a)
    assert not Assignment.objects.exists()
