"""The demo campaign, seeded over a small community: under way, mostly reached, some
pending (the grid worker has calls due), a few unreachable with door visits, a handful of
alerts with the officer's tasks; the same each time; gone after ``unseed``."""

from __future__ import annotations

from typing import Any

import pytest

from fangkong.core.demo import DemoContext
from fangkong.screening import demo
from fangkong.screening.choices import AssignmentStatus, CampaignStatus
from fangkong.screening.models import Alert, CallAssignment, Campaign, Questionnaire
from fangkong.screening.stats import call_list
from fangkong.screening.tests.factories import street_of_households
from fangkong.staff.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def ctx(
    community_a: Any,
    grid_a1: Any,
    grid_a2: Any,
    grid_worker_a1: Any,
    grid_worker_a2: Any,
    officer_a: Any,
    street: Any,
) -> DemoContext:
    street_of_households(grid_a1, 70)
    street_of_households(grid_a2, 70)
    context = DemoContext(password="", log=lambda _: None)
    context.areas.update(community=community_a, street=street)
    context.users.update(
        {"demo-community": officer_a, "demo-grid1": grid_worker_a1, "demo-grid2": grid_worker_a2}
    )
    return context


def _statuses(campaign: Campaign) -> list[str]:
    return list(
        CallAssignment.objects.filter(campaign=campaign)
        .order_by("household_id")
        .values_list("status", flat=True)
    )


def test_the_demo_campaign_is_under_way(ctx: DemoContext, grid_worker_a1: Any) -> None:
    demo.seed(ctx)
    campaign = Campaign.objects.get(name=demo.NAME)
    assert campaign.status == CampaignStatus.RUNNING
    counts = {s: _statuses(campaign).count(s) for s in AssignmentStatus.values}
    assert counts[AssignmentStatus.REACHED] > 140 / 2
    assert counts[AssignmentStatus.PENDING] >= 10
    assert counts[AssignmentStatus.UNREACHABLE] == demo.UNREACHABLE
    assert counts[AssignmentStatus.MOVED] == demo.MOVED
    assert 6 <= Alert.objects.filter(campaign=campaign).count() <= 8
    assert Task.objects.filter(kind="screening.alert").count() == Alert.objects.count()
    assert Task.objects.filter(kind="screening.door_visit").count() == demo.UNREACHABLE
    assert call_list(grid_worker_a1).due  # demo-grid1 has households to call now


def test_the_demo_is_the_same_each_time_and_unseeds_cleanly(ctx: DemoContext) -> None:
    demo.seed(ctx)
    first = _statuses(Campaign.objects.get(name=demo.NAME))
    demo.unseed(ctx)
    assert not Campaign.objects.exists()
    assert not Questionnaire.objects.exists()
    Task.objects.all().delete()  # the staff demo's unseed does this in seed_demo --reset
    demo.seed(ctx)
    assert _statuses(Campaign.objects.get(name=demo.NAME)) == first
