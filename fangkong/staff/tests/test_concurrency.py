"""Two workers at the same moment: the same task raised twice is one task, and one person
put on two overlapping shifts at once is on one of them. Real threads on PostgreSQL; the
SQLite paths are covered by the constraint and lock tests beside the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from fangkong.core.tests.helpers import at_once
from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory
from fangkong.staff import services
from fangkong.staff.models import ShiftAssignment, Task
from fangkong.staff.tests.factories import ShiftFactory, StaffMemberFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason=(
            "SQLite's in-memory test database shares one cache between threads, which answers "
            "'table is locked' instead of waiting; tested on PostgreSQL"
        ),
    ),
]


def test_the_same_task_raised_by_four_workers_at_once_is_one_task(
    community_a: Any, grid_a1: Any, grid_worker_a1: Any
) -> None:
    household = HouseholdFactory(building=BuildingFactory(grid=grid_a1, community=community_a))

    def raise_it() -> int:
        return services.do_create_task(
            community=community_a,
            kind="screening.door_visit",
            title="上门",
            by=None,
            area=grid_a1,
            link=household,
            reason="campaign:1",
        ).pk

    results = at_once([raise_it] * 4)

    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    assert Task.objects.count() == 1


def test_one_person_put_on_two_overlapping_shifts_at_once_ends_on_one(
    community_a: Any, officer_a: Any
) -> None:
    person = StaffMemberFactory(community=community_a)
    start = timezone.now() + dt.timedelta(days=1)
    east = ShiftFactory(
        community=community_a, place_name="东门", start=start, end=start + dt.timedelta(hours=8)
    )
    west = ShiftFactory(
        community=community_a,
        place_name="西门",
        start=start + dt.timedelta(hours=2),
        end=start + dt.timedelta(hours=10),
    )

    results = at_once(
        [
            lambda: services.do_assign_shift(east, member=person, by=officer_a),
            lambda: services.do_assign_shift(west, member=person, by=officer_a),
        ]
    )

    assert sorted(type(r).__name__ for r in results) == ["ShiftAssignment", "ValidationError"]
    assert any(isinstance(r, ValidationError) for r in results)
    assert ShiftAssignment.objects.filter(member=person).count() == 1
