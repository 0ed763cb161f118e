"""What outreach adds to a household's own page: the announcements that reach it, and the
guidance of its area."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fangkong.outreach.household_page import announcements_context, guidance_context
from fangkong.outreach.services import STANDARD_ADVICE
from fangkong.outreach.tests.factories import announcement, guidance
from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory

pytestmark = pytest.mark.django_db


def test_a_household_sees_the_announcements_of_its_areas_and_building_in_force(
    street: Any, community_a: Any, community_b: Any, grid_a1: Any, grid_a2: Any
) -> None:
    building = BuildingFactory(community=community_a, grid=grid_a1)
    other_building = BuildingFactory(community=community_a, grid=grid_a1)
    household = HouseholdFactory(building=building)
    today = community_a.local_today()
    shown = [
        announcement(street, title="街道通知"),
        announcement(community_a, title="社区通知"),
        announcement(grid_a1, title="网格通知"),
        announcement(community_a, title="本楼通知", buildings=[building]),
    ]
    announcement(community_b, title="别的社区")
    announcement(grid_a2, title="别的网格")
    announcement(community_a, title="别的楼", buildings=[other_building])
    announcement(
        community_a,
        title="过期",
        valid_from=today - dt.timedelta(days=9),
        valid_until=today - dt.timedelta(days=1),
    )
    announcement(community_a, title="不上居民页", on_household_page=False)
    announcement(community_a, title="仅隔离户", quarantined_only=True)

    context = announcements_context(household)

    assert context is not None
    assert {a.title for a in context["announcements"]} == {a.title for a in shown}


def test_an_announcement_for_quarantined_households_reaches_them_only(
    community_a: Any, grid_a1: Any
) -> None:
    from fangkong.health.tests.factories import QuarantineFactory
    from fangkong.registry.tests.factories import PersonFactory

    household = HouseholdFactory(building=BuildingFactory(community=community_a, grid=grid_a1))
    person = PersonFactory(household=household)
    announcement(community_a, title="仅隔离户", quarantined_only=True)
    assert announcements_context(household) is None

    QuarantineFactory(person=person)

    context = announcements_context(household)
    assert context is not None
    assert [a.title for a in context["announcements"]] == ["仅隔离户"]


def test_the_guidance_section_shows_the_standard_advice_and_the_areas_own(
    street: Any, community_a: Any, community_b: Any, grid_a1: Any
) -> None:
    household = HouseholdFactory(building=BuildingFactory(community=community_a, grid=grid_a1))
    guidance(street, title="街道提示", position=2)
    guidance(community_a, title="社区提示", position=1)
    guidance(community_b, title="别的社区提示")

    context = guidance_context(household)

    assert context["standard"] == STANDARD_ADVICE.split("、")
    assert [g.title for g in context["guidance"]] == ["社区提示", "街道提示"]
