"""Rosters: checkpoints, shifts, assignments, swaps, check-in and check-out, hours, gaps."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from fangkong.areas.tests.factories import CommunityFactory
from fangkong.core.choices import ChangeAction
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.models import ObjectChange
from fangkong.staff import services
from fangkong.staff.choices import SwapStatus
from fangkong.staff.duty_hours import week_bounds
from fangkong.staff.models import Shift, ShiftAssignment, SwapRequest
from fangkong.staff.roster_weeks import hours_per_week, week_roster
from fangkong.staff.services.rosters import CHECKIN_WINDOW
from fangkong.staff.tests.factories import (
    CheckpointFactory,
    ShiftFactory,
    StaffMemberFactory,
    TeamFactory,
    assign,
)

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: dt.date, hour: int, minute: int = 0, tz: ZoneInfo = SHANGHAI) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=tz)


def last_change(obj: Any) -> ObjectChange:
    return ObjectChange.objects.filter(
        object_id=str(obj.pk), content_type__model=obj._meta.model_name
    ).latest("pk")


@pytest.fixture
def gate(community_a: Any) -> Any:
    return CheckpointFactory(community=community_a, name="东门")


@pytest.fixture
def guard(community_a: Any, checkpoint_a: Any) -> Any:
    """The checkpoint persona's staff record."""
    return StaffMemberFactory(community=community_a, user=checkpoint_a, name="门卫甲")


@pytest.fixture
def colleague(community_a: Any, volunteer_a: Any) -> Any:
    return StaffMemberFactory(community=community_a, user=volunteer_a, name="志愿者乙")


# --- Checkpoints and shifts -----------------------------------------------------------------


def test_a_checkpoint_needs_both_opening_and_closing_times_or_neither(
    officer_a: Any, community_a: Any
) -> None:
    with pytest.raises(ValidationError) as refused:
        services.do_create_checkpoint(
            community=community_a, by=officer_a, name="北门", opens=dt.time(6)
        )
    assert "closes" in refused.value.message_dict

    gate = services.do_create_checkpoint(
        community=community_a, by=officer_a, name="北门", opens=dt.time(6), closes=dt.time(22)
    )
    assert last_change(gate).action == ChangeAction.CREATE


def test_a_shift_must_end_after_it_starts_and_last_at_most_a_day(
    officer_a: Any, community_a: Any, gate: Any
) -> None:
    day = dt.date(2026, 2, 13)
    for start, end, field in (
        (at(day, 8), at(day, 8), "end"),
        (at(day, 8), at(day + dt.timedelta(days=2), 8), "end"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.do_create_shift(
                community=community_a, by=officer_a, checkpoint=gate, start=start, end=end
            )
        assert field in refused.value.message_dict


def test_a_shift_needs_a_checkpoint_or_a_place(officer_a: Any, community_a: Any) -> None:
    day = dt.date(2026, 2, 13)
    with pytest.raises(ValidationError) as refused:
        services.do_create_shift(
            community=community_a, by=officer_a, start=at(day, 8), end=at(day, 16)
        )
    assert "place_name" in refused.value.message_dict

    office = services.do_create_shift(
        community=community_a,
        by=officer_a,
        start=at(day, 8),
        end=at(day, 16),
        place_name="社区办公室",
    )
    assert office.place == "社区办公室"


def test_an_officer_of_another_community_cannot_add_shifts_here(
    officer_b: Any, community_a: Any
) -> None:
    day = dt.date(2026, 2, 13)
    with pytest.raises(Http404):
        services.do_create_shift(
            community=community_a,
            by=officer_b,
            start=at(day, 8),
            end=at(day, 16),
            place_name="办公室",
        )


# --- Assigning people -----------------------------------------------------------------------


def test_assigning_a_person_writes_the_audit_row(
    officer_a: Any, community_a: Any, gate: Any, guard: Any
) -> None:
    shift = ShiftFactory(community=community_a, checkpoint=gate)

    assignment = services.do_assign_shift(shift, member=guard, by=officer_a)

    change = last_change(assignment)
    assert change.action == ChangeAction.CREATE
    assert change.after["member"] == guard.pk
    assert change.actor == officer_a


def test_overlapping_shifts_for_one_person_are_refused_naming_the_other_shift(
    officer_a: Any, community_a: Any, gate: Any, guard: Any
) -> None:
    day = dt.date(2026, 2, 13)
    night = ShiftFactory(
        community=community_a,
        checkpoint=gate,
        start=at(day, 22),
        end=at(day + dt.timedelta(days=1), 6),
    )
    morning = ShiftFactory(
        community=community_a,
        checkpoint=gate,
        start=at(day + dt.timedelta(days=1), 5),
        end=at(day + dt.timedelta(days=1), 13),
    )
    assign(night, guard)

    with pytest.raises(ValidationError) as refused:
        services.do_assign_shift(morning, member=guard, by=officer_a)

    message = refused.value.message_dict["member"][0]
    assert "东门" in message
    assert "22:00" in message  # shown in the community's time, not UTC


def test_back_to_back_shifts_do_not_overlap(
    officer_a: Any, community_a: Any, gate: Any, guard: Any
) -> None:
    day = dt.date(2026, 2, 13)
    first = ShiftFactory(community=community_a, checkpoint=gate, start=at(day, 6), end=at(day, 14))
    second = ShiftFactory(
        community=community_a, checkpoint=gate, start=at(day, 14), end=at(day, 22)
    )
    assign(first, guard)

    assert services.do_assign_shift(second, member=guard, by=officer_a).shift == second


def test_a_grid_worker_cannot_assign_people(
    grid_worker_a1: Any, community_a: Any, gate: Any, guard: Any
) -> None:
    shift = ShiftFactory(community=community_a, checkpoint=gate)

    with pytest.raises(PermissionDeniedError):
        services.do_assign_shift(shift, member=guard, by=grid_worker_a1)


def test_the_leader_of_the_shifts_team_may_assign_people(
    community_a: Any, gate: Any, grid_worker_a1: Any, guard: Any
) -> None:
    leader = StaffMemberFactory(community=community_a, user=grid_worker_a1)
    team = TeamFactory(community=community_a, leader=leader)
    shift = ShiftFactory(community=community_a, checkpoint=gate, team=team)

    assert services.do_assign_shift(shift, member=guard, by=grid_worker_a1).member == guard


def test_unassigning_writes_a_delete_row_and_is_refused_after_check_in(
    officer_a: Any, community_a: Any, gate: Any, guard: Any, checkpoint_a: Any
) -> None:
    shift = ShiftFactory(
        community=community_a, checkpoint=gate, start=timezone.now() - dt.timedelta(minutes=5)
    )
    first = assign(shift, guard)
    services.do_check_in(first, by=checkpoint_a)

    with pytest.raises(ValidationError):
        services.do_unassign_shift(first, by=officer_a)

    other = StaffMemberFactory(community=community_a)
    second = assign(shift, other)
    pk = second.pk
    services.do_unassign_shift(second, by=officer_a)
    assert not ShiftAssignment.objects.filter(pk=pk).exists()
    assert ObjectChange.objects.filter(object_id=str(pk), action=ChangeAction.DELETE).exists()


def test_moving_a_person_to_a_short_shift_closes_its_gap(
    officer_a: Any, community_a: Any, gate: Any, guard: Any
) -> None:
    day = dt.date(2026, 2, 13)
    full = ShiftFactory(
        community=community_a, checkpoint=gate, start=at(day, 6), end=at(day, 14), people_needed=1
    )
    short = ShiftFactory(
        community=community_a, checkpoint=gate, start=at(day, 10), end=at(day, 18), people_needed=1
    )
    assignment = assign(full, guard)

    # Overlaps only the shift they leave: allowed
    moved = services.do_move_assignment(assignment, to_shift=short, by=officer_a)

    assert moved.shift == short
    assert last_change(moved).before["shift"] == full.pk
    roster = week_roster(Shift.objects.all(), dt.date(2026, 2, 9), SHANGHAI)
    gaps = {entry.shift.pk: entry.missing for entry in roster.shifts}
    assert gaps == {full.pk: 1, short.pk: 0}


# --- Swaps ----------------------------------------------------------------------------------


def future_day() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=3)


def test_a_person_asks_to_swap_and_the_officer_approves(
    officer_a: Any, community_a: Any, gate: Any, guard: Any, colleague: Any, checkpoint_a: Any
) -> None:
    shift = ShiftFactory(
        community=community_a, checkpoint=gate, start=at(future_day(), 8), end=at(future_day(), 16)
    )
    assign(shift, guard)

    swap = services.do_request_swap(
        shift=shift, from_member=guard, to_member=colleague, by=checkpoint_a
    )
    assert swap.status == SwapStatus.PENDING
    assert last_change(swap).action == ChangeAction.CREATE

    swap = services.do_decide_swap(swap, by=officer_a, approve=True)

    assert swap.status == SwapStatus.APPROVED
    assert list(shift.assignments.values_list("member", flat=True)) == [colleague.pk]
    assert last_change(swap).after["status"] == "approved"


def test_a_two_way_swap_exchanges_the_shifts(
    officer_a: Any, community_a: Any, gate: Any, guard: Any, colleague: Any, checkpoint_a: Any
) -> None:
    day = future_day()
    mine = ShiftFactory(community=community_a, checkpoint=gate, start=at(day, 8), end=at(day, 16))
    theirs = ShiftFactory(
        community=community_a, checkpoint=gate, start=at(day, 16), end=at(day, 23)
    )
    assign(mine, guard)
    assign(theirs, colleague)

    swap = services.do_request_swap(
        shift=mine, from_member=guard, to_member=colleague, return_shift=theirs, by=checkpoint_a
    )
    services.do_decide_swap(swap, by=officer_a, approve=True)

    assert list(mine.assignments.values_list("member", flat=True)) == [colleague.pk]
    assert list(theirs.assignments.values_list("member", flat=True)) == [guard.pk]


def test_a_swap_with_someone_already_on_duty_then_is_refused(
    community_a: Any, gate: Any, guard: Any, colleague: Any, checkpoint_a: Any
) -> None:
    day = future_day()
    shift = ShiftFactory(community=community_a, checkpoint=gate, start=at(day, 8), end=at(day, 16))
    busy = ShiftFactory(
        community=community_a, place_name="社区办公室", start=at(day, 12), end=at(day, 20)
    )
    assign(shift, guard)
    assign(busy, colleague)

    with pytest.raises(ValidationError) as refused:
        services.do_request_swap(
            shift=shift, from_member=guard, to_member=colleague, by=checkpoint_a
        )

    message = refused.value.message_dict["to_member"][0]
    assert "志愿者乙" in message
    assert "社区办公室" in message


def test_approval_checks_again_that_the_taker_is_still_free(
    officer_a: Any, community_a: Any, gate: Any, guard: Any, colleague: Any, checkpoint_a: Any
) -> None:
    day = future_day()
    shift = ShiftFactory(community=community_a, checkpoint=gate, start=at(day, 8), end=at(day, 16))
    assign(shift, guard)
    swap = services.do_request_swap(
        shift=shift, from_member=guard, to_member=colleague, by=checkpoint_a
    )
    # Meanwhile the colleague was put on another shift at the same time
    assign(
        ShiftFactory(community=community_a, place_name="仓库", start=at(day, 9), end=at(day, 11)),
        colleague,
    )

    with pytest.raises(ValidationError):
        services.do_decide_swap(swap, by=officer_a, approve=True)
    swap.refresh_from_db()
    assert swap.status == SwapStatus.PENDING


def test_only_the_shifts_owner_decides_a_swap(
    community_a: Any,
    gate: Any,
    guard: Any,
    colleague: Any,
    checkpoint_a: Any,
    grid_worker_a1: Any,
) -> None:
    shift = ShiftFactory(
        community=community_a, checkpoint=gate, start=at(future_day(), 8), end=at(future_day(), 16)
    )
    assign(shift, guard)
    swap = services.do_request_swap(
        shift=shift, from_member=guard, to_member=colleague, by=checkpoint_a
    )

    for outsider in (checkpoint_a, grid_worker_a1):
        with pytest.raises(PermissionDeniedError):
            services.do_decide_swap(swap, by=outsider, approve=True)


def test_someone_cannot_ask_to_swap_another_persons_shift(
    community_a: Any, gate: Any, guard: Any, colleague: Any, volunteer_a: Any
) -> None:
    shift = ShiftFactory(
        community=community_a, checkpoint=gate, start=at(future_day(), 8), end=at(future_day(), 16)
    )
    assign(shift, guard)
    assign(
        ShiftFactory(
            community=community_a,
            checkpoint=gate,
            start=at(future_day(), 17),
            end=at(future_day(), 20),
        ),
        colleague,
    )

    with pytest.raises((PermissionDeniedError, Http404)):
        services.do_request_swap(
            shift=shift, from_member=guard, to_member=colleague, by=volunteer_a
        )


def test_a_rejected_swap_changes_nobodys_shift(
    officer_a: Any, community_a: Any, gate: Any, guard: Any, colleague: Any, checkpoint_a: Any
) -> None:
    shift = ShiftFactory(
        community=community_a, checkpoint=gate, start=at(future_day(), 8), end=at(future_day(), 16)
    )
    assign(shift, guard)
    swap = services.do_request_swap(
        shift=shift, from_member=guard, to_member=colleague, by=checkpoint_a
    )

    services.do_decide_swap(swap, by=officer_a, approve=False, note="人手不够")

    assert SwapRequest.objects.get().status == SwapStatus.REJECTED
    assert list(shift.assignments.values_list("member", flat=True)) == [guard.pk]


# --- Check-in and check-out -----------------------------------------------------------------


def test_checking_in_and_out_within_the_window_records_both_times_and_audits(
    community_a: Any, gate: Any, guard: Any, checkpoint_a: Any
) -> None:
    start = timezone.now().replace(microsecond=0) + dt.timedelta(minutes=20)
    shift = ShiftFactory(
        community=community_a, checkpoint=gate, start=start, end=start + dt.timedelta(hours=8)
    )
    assignment = assign(shift, guard)

    services.do_check_in(assignment, by=checkpoint_a)
    assignment = services.do_check_out(
        assignment, by=checkpoint_a, now=shift.end + dt.timedelta(minutes=10)
    )

    assert assignment.checked_in_at is not None
    assert assignment.checked_out_at == shift.end + dt.timedelta(minutes=10)
    change = last_change(assignment)
    assert change.before["checked_out_at"] is None
    assert change.after["checked_out_at"] is not None


def test_a_check_in_outside_the_window_is_refused_with_the_opening_time(
    community_a: Any, gate: Any, guard: Any, checkpoint_a: Any
) -> None:
    day = dt.date(2026, 2, 13)
    shift = ShiftFactory(community=community_a, checkpoint=gate, start=at(day, 8), end=at(day, 16))
    assignment = assign(shift, guard)

    with pytest.raises(ValidationError) as too_early:
        services.do_check_in(assignment, by=checkpoint_a, now=at(day, 7, 29))
    assert "07:30" in too_early.value.messages[0]

    with pytest.raises(ValidationError) as too_late:
        services.do_check_in(assignment, by=checkpoint_a, now=at(day, 16, 1))
    assert "16:00" in too_late.value.messages[0]

    assert services.do_check_in(assignment, by=checkpoint_a, now=at(day, 7, 30)).checked_in_at


def test_a_check_out_before_a_check_in_is_refused(
    community_a: Any, gate: Any, guard: Any, checkpoint_a: Any
) -> None:
    day = dt.date(2026, 2, 13)
    shift = ShiftFactory(community=community_a, checkpoint=gate, start=at(day, 8), end=at(day, 16))
    assignment = assign(shift, guard)

    with pytest.raises(ValidationError) as refused:
        services.do_check_out(assignment, by=checkpoint_a, now=at(day, 12))
    assert refused.value.messages

    services.do_check_in(assignment, by=checkpoint_a, now=at(day, 8))
    with pytest.raises(ValidationError):
        services.do_check_out(assignment, by=checkpoint_a, now=at(day, 7, 59))
    with pytest.raises(ValidationError):  # the check-out window closed at 16:30
        services.do_check_out(assignment, by=checkpoint_a, now=at(day, 16, 31))


def test_only_the_person_on_the_shift_checks_in(
    community_a: Any, gate: Any, guard: Any, officer_a: Any, volunteer_a: Any, colleague: Any
) -> None:
    shift = ShiftFactory(
        community=community_a, checkpoint=gate, start=timezone.now() + dt.timedelta(minutes=5)
    )
    assignment = assign(shift, guard)

    with pytest.raises(PermissionDeniedError):
        services.do_check_in(assignment, by=officer_a)
    with pytest.raises((PermissionDeniedError, Http404)):
        services.do_check_in(assignment, by=volunteer_a)


def test_the_window_is_thirty_minutes_by_default() -> None:
    assert dt.timedelta(minutes=30) == CHECKIN_WINDOW


# --- Hours and gaps -------------------------------------------------------------------------


def test_a_night_shift_across_sunday_midnight_counts_in_both_weeks(
    community_a: Any, gate: Any, guard: Any, checkpoint_a: Any
) -> None:
    # Sunday 2026-02-15 22:00 to Monday 06:00 in Shanghai
    sunday = dt.date(2026, 2, 15)
    shift = ShiftFactory(
        community=community_a,
        checkpoint=gate,
        start=at(sunday, 22),
        end=at(sunday + dt.timedelta(days=1), 6),
    )
    assignment = assign(shift, guard)
    services.do_check_in(assignment, by=checkpoint_a, now=at(sunday, 21, 50))
    services.do_check_out(assignment, by=checkpoint_a, now=at(sunday + dt.timedelta(days=1), 6, 15))

    first = hours_per_week(ShiftAssignment.objects.all(), dt.date(2026, 2, 9), SHANGHAI)
    second = hours_per_week(ShiftAssignment.objects.all(), dt.date(2026, 2, 16), SHANGHAI)

    # Served 21:50–06:15: 2 h 10 min on Sunday, 6 h 15 min on Monday
    assert [(str(m.planned_hours), str(m.served_hours)) for m in first] == [("2.00", "2.17")]
    assert [(str(m.planned_hours), str(m.served_hours)) for m in second] == [("6.00", "6.25")]


def test_hours_follow_the_communitys_time_zone_not_the_servers(officer_a: Any) -> None:
    # A community in Urumqi (UTC+6): its week starts two hours after Shanghai's
    urumqi = ZoneInfo("Asia/Urumqi")
    community = CommunityFactory(time_zone="Asia/Urumqi")
    member = StaffMemberFactory(community=community)
    monday = dt.date(2026, 2, 16)
    # 23:00–01:00 Urumqi time on Sunday night = 01:00–03:00 Monday in Shanghai
    shift = ShiftFactory(
        community=community,
        place_name="卡口",
        start=at(monday - dt.timedelta(days=1), 23, tz=urumqi),
        end=at(monday, 1, tz=urumqi),
    )
    assign(shift, member)

    in_urumqi = hours_per_week(ShiftAssignment.objects.all(), monday, urumqi)
    as_if_shanghai = hours_per_week(ShiftAssignment.objects.all(), monday, SHANGHAI)

    assert in_urumqi[0].planned_hours == 1  # only 00:00–01:00 lies in the Urumqi week
    assert as_if_shanghai[0].planned_hours == 2


def test_a_night_across_a_daylight_saving_change_lasts_its_real_hours() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    community = CommunityFactory(time_zone="Europe/Berlin")
    member = StaffMemberFactory(community=community)
    # Clocks go forward at 02:00 on Sunday 2026-03-29: 22:00–06:00 lasts seven hours
    shift = ShiftFactory(
        community=community,
        place_name="Tor",
        start=at(dt.date(2026, 3, 28), 22, tz=berlin),
        end=at(dt.date(2026, 3, 29), 6, tz=berlin),
    )
    assign(shift, member)

    [week] = hours_per_week(ShiftAssignment.objects.all(), dt.date(2026, 3, 23), berlin)

    assert week.planned_hours == 7


def test_the_week_roster_files_a_shift_under_the_local_day_it_starts(
    community_a: Any, gate: Any
) -> None:
    # 01:00 Tuesday in Shanghai is still Monday in UTC
    tuesday = dt.date(2026, 2, 17)
    shift = ShiftFactory(
        community=community_a,
        checkpoint=gate,
        start=at(tuesday, 1),
        end=at(tuesday, 9),
        people_needed=2,
    )

    roster = week_roster(Shift.objects.all(), dt.date(2026, 2, 16), SHANGHAI)

    [day] = [d for d in roster.days if d.shifts]
    assert day.day == tuesday
    assert day.shifts[0].shift == shift
    assert day.shifts[0].start.hour == 1
    assert roster.gaps == 1
    assert roster.missing_people == 2


def test_week_bounds_are_local_midnights() -> None:
    start, end = week_bounds(dt.date(2026, 2, 16), SHANGHAI)

    assert start.astimezone(dt.UTC) == dt.datetime(2026, 2, 15, 16, tzinfo=dt.UTC)
    assert end - start == dt.timedelta(days=7)
