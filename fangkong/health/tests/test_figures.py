"""The home page's health figures, the places overdue for disinfection, and the periodic
check registered for ``manage.py tick``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fangkong.access.tests.factories import CheckpointFactory
from fangkong.core.periodic import PERIODIC
from fangkong.health import services
from fangkong.health.choices import Classification, PlaceKind
from fangkong.health.models import Case, Disinfection
from fangkong.health.stats import health_figures
from fangkong.health.tests.factories import (
    CaseFactory,
    DisinfectionFactory,
    family,
    household_quarantine,
    members,
    reports_so_far_today,
)
from fangkong.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_the_home_page_figures_count_what_the_user_may_see(
    grid_a1: Any, grid_a2: Any, officer_a: Any, grid_worker_a2: Any, officer_b: Any
) -> None:
    household = family(grid_a1, 3)
    household_quarantine(household, start_date=timezone.localdate() - dt.timedelta(days=1))
    first, second, _third = members(household)
    reports_so_far_today(first, temperature="38.0")
    reports_so_far_today(second)
    CaseFactory(person=PersonFactory(household=family(grid_a1, 0)))
    CaseFactory(
        person=PersonFactory(household=family(grid_a1, 0)),
        classification=Classification.SUSPECTED,
        reason="symptoms",
    )

    figures = health_figures(officer_a)
    assert figures["quarantined_households"] == 1
    assert figures["under_quarantine"] == 3
    assert figures["missing_today"] == 1
    assert figures["fevers_today"] == 1
    assert (figures["cases"], figures["confirmed"], figures["suspected"]) == (2, 1, 1)
    assert [c["value"] for c in figures["cards"]] == [1, 1, 1, 2]
    # The worker of another grid and the officer of another community see none of it
    for outsider in (grid_worker_a2, officer_b):
        assert health_figures(outsider)["cases"] == 0
        assert health_figures(outsider)["quarantined_households"] == 0


def test_places_of_an_open_case_are_overdue_until_disinfected(
    grid_a1: Any, community_a: Any
) -> None:
    household = family(grid_a1, 1)
    CaseFactory(person=members(household)[0])
    gate = CheckpointFactory(community=community_a, name="东门")

    def overdue() -> set[str]:
        return {
            p.kind for p in services.overdue_places(Case.objects.all(), Disinfection.objects.all())
        }

    assert overdue() == {PlaceKind.BUILDING, PlaceKind.UNIT, PlaceKind.GATE}
    DisinfectionFactory(building=household.building)
    DisinfectionFactory(community=community_a, place_kind=PlaceKind.GATE, checkpoint=gate)
    assert overdue() == set()
    # Two days later, with a one-day interval, both are overdue again
    later = timezone.now() + dt.timedelta(days=2)
    places = services.overdue_places(Case.objects.all(), Disinfection.objects.all(), later)
    assert {p.kind for p in places} == {PlaceKind.BUILDING, PlaceKind.UNIT, PlaceKind.GATE}
    assert all(p.days == 2 for p in places)


def test_a_disinfection_names_a_real_place(community_a: Any, grid_a1: Any, health_a: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.do_record_disinfection(
            community=community_a,
            by=health_a,
            place_kind=PlaceKind.SHOP,
            done_at=None,
            agent="chlorine",
            operator="",
        )
    assert {"place_name", "operator"} <= set(refused.value.message_dict)


def test_the_missing_report_check_runs_from_tick() -> None:
    assert any(name.startswith("fangkong.health.periodic") for name in PERIODIC)
