"""The demo's health data, seeded over a small community: a confirmed case in building 1,
its household under home quarantine with a week of reports (one missing today, one fever),
returnees under monitoring, disinfections with one gate overdue; the same each time; gone
after ``unseed``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fangkong.access.tests.factories import CheckpointFactory, issue_pass
from fangkong.core.demo import DemoContext
from fangkong.health import demo, services
from fangkong.health.choices import Classification, QuarantineKind
from fangkong.health.models import (
    Case,
    Disinfection,
    HealthReport,
    Quarantine,
    StatusChange,
)
from fangkong.health.services.review import people_in_window
from fangkong.registry.tests.factories import (
    BuildingFactory,
    HouseholdFactory,
    PersonFactory,
    valid_id_number,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ctx(
    community_a: Any,
    community_b: Any,
    grid_a1: Any,
    grid_a2: Any,
    grid_worker_a1: Any,
    health_a: Any,
    officer_a: Any,
) -> DemoContext:
    story = BuildingFactory(
        grid=grid_a1, community=community_a, number="1", name="东园1号楼", section="东园"
    )
    home = HouseholdFactory(building=story, unit=1, room="101")
    for _ in range(4):
        PersonFactory(household=home)
    issue_pass(home)
    for g, grid in enumerate((grid_a1, grid_a2)):
        building = BuildingFactory(grid=grid, community=community_a)
        for n in range(4):
            # Adults (returnees are): the factory's own birth dates depend on how many
            # people earlier tests made, and could leave too few adults here.
            adult = valid_id_number(birth=dt.date(1960 + 10 * g + n, 3, 1), sex="F", seq=900 + n)
            PersonFactory(
                household=HouseholdFactory(building=building, room=f"20{n}"), id_number=adult
            )
    CheckpointFactory(community=community_a, name="东门")
    CheckpointFactory(community=community_a, name="南门")
    context = DemoContext(password="", log=lambda _: None)
    context.areas.update(community=community_a, community2=community_b)
    context.users.update({"demo-health": health_a, "demo-community": officer_a})
    return context


def test_the_demo_has_a_case_its_household_quarantined_and_a_day_to_work_through(
    ctx: DemoContext, community_a: Any, health_a: Any
) -> None:
    demo.seed(ctx)
    case = Case.objects.get()
    assert case.classification == Classification.CONFIRMED
    assert case.building.number == "1"
    assert case.taken_to_name == demo.HOSPITAL
    home = Quarantine.objects.filter(kind=QuarantineKind.HOME)
    assert home.count() == 3
    assert {q.household_id for q in home} == {case.household_id}
    assert Quarantine.objects.filter(kind=QuarantineKind.MONITORING).count() == demo.RETURNEES
    today = timezone.localdate()
    missing = {m.person for m in services.missing_reports(Quarantine.objects.all())}
    assert len(missing & {q.person for q in home}) == 1
    assert HealthReport.objects.filter(day=today, is_fever=True).count() == 1
    assert HealthReport.objects.filter(day__lt=today).count() >= 3 * 7 * 2
    assert services.overdue_places(Case.objects.all(), Disinfection.objects.all())
    # Attributed to the health officer on their own days: today's count is free
    assert set(StatusChange.objects.values_list("proposed_by", flat=True)) == {health_a.pk}
    assert people_in_window(community_a, health_a) == set()


def test_the_demo_is_the_same_each_time_and_unseeds_cleanly(ctx: DemoContext) -> None:
    demo.seed(ctx)
    first = sorted(HealthReport.objects.values_list("person_id", "temperature"))
    demo.unseed(ctx)
    for model in (Case, Quarantine, HealthReport, Disinfection, StatusChange):
        assert not model.objects.exists()
    from fangkong.staff.models import Task

    Task.objects.all().delete()  # the staff demo's unseed does this in seed_demo --reset
    demo.seed(ctx)
    assert sorted(HealthReport.objects.values_list("person_id", "temperature")) == first
