"""The staff part of ``seed_demo``: the bureau's 14 people in four groups, the leading group,
the gates with a week of shifts (some short), tasks open and overdue, patrols, the plan.

The demo is seeded once for the module (committed, then deleted at the end), as the core
demo test does.
"""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from itertools import pairwise

import pytest
from django.core.management import call_command
from django.utils import timezone
from pytest_django import DjangoDbBlocker

from fangkong.accounts.models import User
from fangkong.areas.models import Area
from fangkong.core.demo import FORBIDDEN_NAMES, delete_demo
from fangkong.staff.choices import OPEN_STATUSES, LeadingGroupRole
from fangkong.staff.demo import BUREAU
from fangkong.staff.models import (
    Checkpoint,
    LeadingGroupMember,
    PatrolVisit,
    PlanVersion,
    Shift,
    ShiftAssignment,
    StaffMember,
    Task,
    Team,
)
from fangkong.staff.roster_weeks import shifts_between
from fangkong.staff.services.rosters import checkin_opens

COMMUNITY_CODE = "210112D53001"


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[str]:
    with django_db_blocker.unblock():
        out = StringIO()
        call_command("seed_demo", reset=True, stdout=out)
    yield out.getvalue()
    with django_db_blocker.unblock():
        delete_demo()


@pytest.fixture
def community(seeded: str, db: None) -> Area:
    return Area.objects.get(code=COMMUNITY_CODE)


def test_the_bureau_sends_14_people_split_into_the_four_groups(community: Area) -> None:
    bureau = StaffMember.objects.filter(community=community, organisation__name=BUREAU)
    teams = {t.name: t for t in Team.objects.filter(community=community)}

    assert bureau.count() == 14
    assert set(teams) == {"宣传组", "排查组", "卡点组", "疏导组"}
    for member in bureau:
        assert member.memberships.exists(), member
    assert not StaffMember.objects.filter(name__in=FORBIDDEN_NAMES).exists()
    assert all(m.phone_mask and "****" in m.phone_mask for m in bureau)


def test_the_leading_group_has_a_head_deputies_and_duties(community: Area) -> None:
    seats = LeadingGroupMember.objects.filter(community=community)

    assert seats.filter(role=LeadingGroupRole.HEAD).count() == 1
    assert seats.filter(role=LeadingGroupRole.DEPUTY).count() >= 2
    assert all(seat.duty for seat in seats)


def test_the_gates_have_a_week_of_shifts_some_short_and_nobody_twice_at_once(
    community: Area,
) -> None:
    assert set(Checkpoint.objects.filter(community=community).values_list("name", flat=True)) >= {
        "东门",
        "西门",
        "南门",
    }
    shifts = list(
        shifts_between(
            Shift.objects.filter(community=community),
            timezone.now() - timezone.timedelta(days=4),
            timezone.now() + timezone.timedelta(days=4),
        )
    )
    assert len(shifts) > 30
    short = [s for s in shifts if len(s.assignments.all()) < s.people_needed]
    assert 0 < len(short) < len(shifts) / 2
    by_person: dict[int, list[Shift]] = {}
    for assignment in ShiftAssignment.objects.filter(community=community).select_related("shift"):
        by_person.setdefault(assignment.member_id, []).append(assignment.shift)
    for taken in by_person.values():
        taken.sort(key=lambda s: s.start)
        for earlier, later in pairwise(taken):
            assert earlier.end <= later.start


def test_demo_gate_has_a_shift_now_to_check_in_to(community: Area) -> None:
    gate_user = User.objects.get(username="demo-gate")
    now = timezone.now()

    mine = ShiftAssignment.objects.filter(member__user=gate_user).select_related("shift")

    assert any(checkin_opens(a.shift) <= now <= a.shift.end for a in mine)


def test_there_are_open_and_overdue_tasks_patrols_with_findings_and_a_plan(
    community: Area,
) -> None:
    tasks = Task.objects.filter(community=community, status__in=OPEN_STATUSES)

    assert tasks.count() >= 8
    assert tasks.filter(due__lt=timezone.now()).exists()
    visits = PatrolVisit.objects.filter(community=community)
    assert visits.exclude(findings="").exists()
    assert visits.exclude(follow_up=None).exists()
    assert PlanVersion.objects.filter(community=community).count() == 2
