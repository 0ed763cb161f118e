"""Reading rosters: a week of shifts by day and place, their gaps, and hours per person.

Everything here reads; changes go through fangkong.staff.services. Querysets passed in are
already restricted to what the user may see. A fixed number of queries per page, whatever
the number of shifts: shifts with their place and team in one, assignments with their
people in a second.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from fangkong.staff.duty_hours import hours, hours_in_window, week_bounds
from fangkong.staff.models import Shift, ShiftAssignment, StaffMember


def shifts_between(
    shifts: QuerySet[Shift], start: dt.datetime, end: dt.datetime
) -> QuerySet[Shift]:
    """Shifts overlapping [start, end), with what a roster shows of them (two queries)."""
    people = ShiftAssignment.objects.select_related("member").order_by("member__name", "pk")
    return (
        shifts.filter(start__lt=end, end__gt=start)
        .select_related("checkpoint", "team__leader", "community")
        .prefetch_related(Prefetch("assignments", queryset=people))
        .order_by("start", "checkpoint__name", "place_name", "pk")
    )


@dataclass
class RosterShift:
    """A shift as a roster shows it: local times, who is on it, how many are missing."""

    shift: Shift
    start: dt.datetime
    end: dt.datetime
    people: list[ShiftAssignment]

    @property
    def missing(self) -> int:
        return max(self.shift.people_needed - len(self.people), 0)

    @property
    def is_short(self) -> bool:
        return self.missing > 0

    @property
    def crosses_midnight(self) -> bool:
        return self.end.date() != self.start.date() and self.end.time() != dt.time.min


@dataclass
class RosterDay:
    day: dt.date
    shifts: list[RosterShift] = field(default_factory=list)

    @property
    def short(self) -> int:
        return sum(1 for s in self.shifts if s.is_short)


@dataclass
class Roster:
    """One week (or day) of shifts in the community's time zone."""

    monday: dt.date
    tz: ZoneInfo
    days: list[RosterDay]

    @property
    def shifts(self) -> list[RosterShift]:
        return [s for day in self.days for s in day.shifts]

    @property
    def gaps(self) -> int:
        return sum(1 for s in self.shifts if s.is_short)

    @property
    def missing_people(self) -> int:
        return sum(s.missing for s in self.shifts)

    @property
    def previous_week(self) -> dt.date:
        return self.monday - dt.timedelta(days=7)

    @property
    def next_week(self) -> dt.date:
        return self.monday + dt.timedelta(days=7)


def as_roster_shift(shift: Shift, tz: ZoneInfo) -> RosterShift:
    return RosterShift(
        shift,
        timezone.localtime(shift.start, tz),
        timezone.localtime(shift.end, tz),
        list(shift.assignments.all()),
    )


def week_roster(shifts: QuerySet[Shift], monday: dt.date, tz: ZoneInfo) -> Roster:
    """The week starting ``monday`` (local): each shift under the local day it starts on."""
    start, end = week_bounds(monday, tz)
    days = {
        monday + dt.timedelta(days=i): RosterDay(monday + dt.timedelta(days=i)) for i in range(7)
    }
    for shift in shifts_between(shifts, start, end):
        entry = as_roster_shift(shift, tz)
        day = days.get(entry.start.date())
        if day is None:  # started the Sunday before and runs into Monday
            day = days[monday]
        day.shifts.append(entry)
    return Roster(monday, tz, list(days.values()))


@dataclass
class MemberHours:
    """One person's week: shifts on the roster, hours planned and hours served."""

    member: StaffMember
    shifts: int = 0
    planned: dt.timedelta = dt.timedelta(0)
    served: dt.timedelta = dt.timedelta(0)
    open_checkins: int = 0  # checked in, not (yet) out: not counted as served

    @property
    def planned_hours(self) -> Decimal:
        return hours(self.planned)

    @property
    def served_hours(self) -> Decimal:
        return hours(self.served)


def hours_per_week(
    assignments: QuerySet[ShiftAssignment], monday: dt.date, tz: ZoneInfo
) -> list[MemberHours]:
    """Hours per person in the local week starting ``monday``.

    Planned hours are the shifts' times, served hours the check-in to check-out times; both
    are clipped to the week, so a shift across Sunday midnight counts in both weeks for the
    part of it that falls in each. Elapsed time is real time (see duty_hours).
    """
    start, end = week_bounds(monday, tz)
    rows = (
        assignments.filter(
            shift__start__lt=end + dt.timedelta(days=1), shift__end__gt=start - dt.timedelta(days=1)
        )
        .select_related("member__organisation", "shift")
        .order_by("member__name", "member_id", "shift__start")
    )
    per_member: dict[int, MemberHours] = {}
    for assignment in rows:
        shift = assignment.shift
        planned = hours_in_window([(shift.start, shift.end)], start, end)
        served_interval: list[tuple[dt.datetime, dt.datetime]] = []
        if assignment.checked_in_at and assignment.checked_out_at:
            served_interval = [(assignment.checked_in_at, assignment.checked_out_at)]
        served = hours_in_window(served_interval, start, end)
        in_week = planned > dt.timedelta(0) or served > dt.timedelta(0)
        if not in_week:
            continue
        entry = per_member.setdefault(assignment.member_id, MemberHours(assignment.member))
        entry.shifts += 1
        entry.planned += planned
        entry.served += served
        if assignment.checked_in_at and not assignment.checked_out_at:
            entry.open_checkins += 1
    return sorted(per_member.values(), key=lambda m: (m.member.name, m.member.pk))
