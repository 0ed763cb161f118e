"""Broadcast rounds: one community's buildings or grids; today's coverage."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from fangkong.core.daily_figures import DayWindow
from fangkong.outreach import services
from fangkong.outreach.models import BroadcastRound
from fangkong.outreach.stats import count_daily
from fangkong.outreach.tests.factories import broadcast_round, broadcast_script
from fangkong.registry.tests.factories import BuildingFactory

pytestmark = pytest.mark.django_db


def test_a_round_over_another_communitys_building_is_refused_with_the_reason(
    community_a: Any, community_b: Any, grid_b1: Any, officer_a: Any
) -> None:
    script = broadcast_script(community_a)
    theirs = BuildingFactory(community=community_b, grid=grid_b1)
    with pytest.raises(ValidationError) as refused:
        services.do_record_round(
            community=community_a,
            script=script,
            by=officer_a,
            buildings=[theirs],
            at=timezone.now(),
            staff="宣传组",
        )
    assert "属于其他社区" in str(refused.value.message_dict["buildings"])
    assert not BroadcastRound.objects.exists()


def test_a_round_over_another_communitys_grid_is_refused(
    community_a: Any, grid_b1: Any, officer_a: Any
) -> None:
    script = broadcast_script(community_a)
    with pytest.raises(ValidationError):
        services.do_record_round(
            community=community_a, script=script, by=officer_a, grids=[grid_b1], staff="宣传组"
        )


def test_todays_coverage_counts_named_buildings_and_those_of_covered_grids(
    community_a: Any, grid_a1: Any, grid_a2: Any, community_b: Any
) -> None:
    in_a1 = [BuildingFactory(community=community_a, grid=grid_a1) for _ in range(2)]
    named = BuildingFactory(community=community_a, grid=grid_a2)
    BuildingFactory(community=community_a, grid=grid_a2)  # not covered
    script = broadcast_script(community_a)
    broadcast_round(script, grids=[grid_a1])
    broadcast_round(script, buildings=[named, in_a1[0]])
    broadcast_round(script, buildings=[named], at=timezone.now() - dt.timedelta(days=2))

    today = community_a.local_today()
    assert services.covered_building_ids(community_a, today) == {b.pk for b in [*in_a1, named]}
    start, end = services.day_bounds(community_a, today)
    window = DayWindow([community_a.pk, community_b.pk], today, start, end)
    counts = count_daily(window)
    assert counts[community_a.pk]["outreach.rounds"] == 2
    assert counts[community_a.pk]["outreach.buildings_covered"] == 3
    assert counts[community_b.pk] == dict.fromkeys(counts[community_b.pk], 0)


def test_the_publicity_page_marks_the_buildings_covered_today(
    client: Any, community_a: Any, grid_a1: Any, officer_a: Any
) -> None:
    covered = BuildingFactory(community=community_a, grid=grid_a1, number="7")
    BuildingFactory(community=community_a, grid=grid_a1, number="8")
    broadcast_round(broadcast_script(community_a), buildings=[covered])
    client.force_login(officer_a)

    page = client.get(reverse("outreach:home")).content.decode()

    assert f'data-building="{covered.pk}" data-covered' in page
    assert page.count("data-covered") == 1
