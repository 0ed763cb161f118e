"""Stored figures: equal to a recount after every kind of change, read in a fixed number of
queries however many communities and people, counted again only where something changed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fangkong.access import services as access_services
from fangkong.access.models import Pass
from fangkong.access.stats import access_figures
from fangkong.access.tests.factories import household_with_pass
from fangkong.areas.models import Area
from fangkong.areas.tests.factories import AreaFactory
from fangkong.core.periodic import PERIODIC
from fangkong.registry import services as registry_services
from fangkong.registry.choices import PersonStatus, PersonTag, Residency
from fangkong.registry.stats import registry_figures
from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory, PersonFactory
from fangkong.reports import figures
from fangkong.reports.models import CommunityFigure

pytestmark = pytest.mark.django_db

COMPARED = (
    "buildings",
    "households",
    "people",
    "without_household",
    "tagged",
    "elderly_alone",
    "by_residency",
    "by_tag",
)


def _live(user: Any) -> dict[str, Any]:
    live = registry_figures(user)
    passes = access_figures(user)
    return {
        **{k: live[k] for k in COMPARED},
        "passes_active": passes["passes_active"],
        "passes_suspended": passes["passes_suspended"],
    }


def _home(client: Any, user: Any) -> dict[str, Any]:
    """What the home page shows, from stored figures."""
    client.force_login(user)
    response = client.get(reverse("reports:home"))
    assert response.status_code == 200
    shown = response.context["figures"]
    access = next(
        s["figures"] for s in response.context["sections"] if "passes_active" in s["figures"]
    )
    return {
        **{k: shown[k] for k in COMPARED},
        "passes_active": access["passes_active"],
        "passes_suspended": access["passes_suspended"],
    }


@pytest.fixture
def world(community_a: Any, community_b: Any, grid_a1: Any) -> dict[str, Any]:
    household, item = household_with_pass(community_a, grid_a1, members=3)
    household_with_pass(community_b, members=2)
    return {"household": household, "pass": item}


def test_the_home_page_equals_a_recount_after_every_kind_of_change(
    client: Any,
    world: Any,
    officer_a: Any,
    district_official: Any,
    community_a: Any,
    grid_a1: Any,
) -> None:
    household = world["household"]

    def check() -> None:
        for user in (officer_a, district_official):
            assert _home(client, user) == _live(user), user.role

    check()
    # A person added, with a tag and as a tenant
    person = PersonFactory(
        household=household, residency=Residency.TENANT, tags=[PersonTag.ELDERLY_ALONE]
    )
    check()
    # ... moved to a household of a new building
    other = HouseholdFactory(building=BuildingFactory(community=community_a, grid=grid_a1))
    registry_services.do_update_person(person, by=None, household=other)
    check()
    # ... their tags changed, then moved out
    person.refresh_from_db()
    registry_services.do_update_person(person, by=None, tags=[PersonTag.VETERAN])
    check()
    person.refresh_from_db()
    registry_services.do_deactivate_person(
        person, by=None, status=PersonStatus.MOVED_OUT, date=timezone.localdate(), reason="搬走"
    )
    check()
    # A person with no household
    PersonFactory(household=None, community=community_a)
    check()
    # Passes: issued, suspended, lifted, voided
    access_services.do_issue_passes(community=community_a, households=[other], by=None)
    check()
    access_services.do_suspend_household_passes(
        household, source="office", reason="测试", until=None, by=None
    )
    check()
    access_services.do_lift_suspension(household, source="office", by=None)
    check()
    item = Pass.objects.get(household=other, status="active")
    access_services.do_void_pass(item, by=None, reason="遗失")
    check()


def test_only_the_changed_community_is_counted_again(
    world: Any, community_a: Any, community_b: Any
) -> None:
    figures.refresh_figures()
    assert figures.stale_communities([community_a.pk, community_b.pk]) == []
    PersonFactory(household=world["household"])
    assert figures.stale_communities([community_a.pk, community_b.pk]) == [community_a.pk]
    stored = figures.stored_figures([community_a.pk, community_b.pk])
    assert stored.recounted == [community_a.pk]
    assert figures.stale_communities([community_a.pk, community_b.pk]) == []
    assert stored.per_community[community_a.pk]["people"] == 4


def _district(n: int, district: Any) -> list[Area]:
    street = AreaFactory(parent=district, name=f"街道{n}")
    made = []
    for i in range(n):
        community = AreaFactory(parent=street, name=f"社区{n}-{i}")
        household_with_pass(community, members=2)
        made.append(community)
    return made


def _home_queries(client: Any, user: Any) -> tuple[int, list[str]]:
    client.force_login(user)
    client.get(reverse("reports:home"))  # counts what is stale
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reports:home"))
    assert response.status_code == 200
    return len(queries), [q["sql"] for q in queries.captured_queries]


def test_a_district_officials_home_reads_stored_rows_in_the_same_queries_at_any_size(
    client: Any, district: Any, district_official: Any
) -> None:
    _district(2, district)
    small, _sql = _home_queries(client, district_official)
    _district(6, district)
    large, sql = _home_queries(client, district_official)
    assert small == large
    # Nothing changed between the two reads: no person or pass was counted.
    assert not any('FROM "registry_person"' in q for q in sql)
    assert not any(
        'FROM "access_pass"' in q and "COUNT(" in q and "out_since" not in q for q in sql
    )


def test_a_grid_worker_sees_their_grid_counted_live(
    client: Any, world: Any, grid_worker_a1: Any
) -> None:
    assert figures.communities_of(grid_worker_a1) is None
    client.force_login(grid_worker_a1)
    response = client.get(reverse("reports:home"))
    assert response.context["figures"]["people"] == registry_figures(grid_worker_a1)["people"]
    assert not CommunityFigure.objects.exists()


def test_the_command_counts_one_community_or_all_and_refuses_an_unknown_one(
    world: Any, community_a: Any, community_b: Any
) -> None:
    call_command("refresh_figures", "--community", str(community_a.pk))
    assert set(CommunityFigure.objects.values_list("community_id", flat=True)) == {community_a.pk}
    call_command("refresh_figures")
    assert set(CommunityFigure.objects.values_list("community_id", flat=True)) == {
        community_a.pk,
        community_b.pk,
    }
    people = CommunityFigure.objects.get(community=community_a, key="people", day=None)
    assert people.value == 3
    with pytest.raises(CommandError):
        call_command("refresh_figures", "--community", "999999")


def test_tick_counts_the_stale_communities(world: Any, community_a: Any) -> None:
    task = PERIODIC["fangkong.reports.periodic.refresh_stale_figures"]
    task.func(timezone.now())
    assert figures.stale_communities() == []
    PersonFactory(household=world["household"])
    task.func(timezone.now() + dt.timedelta(minutes=1))
    assert figures.stale_communities() == []
    assert CommunityFigure.objects.get(community=community_a, key="people").value == 4


def test_a_dated_figure_lives_beside_the_current_one(community_a: Any) -> None:
    figures.refresh_figures([community_a.pk])
    CommunityFigure.objects.create(
        community=community_a, key="people", value=7, day=timezone.localdate()
    )
    figures.refresh_figures([community_a.pk])  # the current figures only are replaced
    assert CommunityFigure.objects.filter(community=community_a, key="people").count() == 2
