"""Who is out now, visitors inside and the overview: a fixed number of queries whatever the
number of people out, every list bounded, counts made by the database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fangkong.access import services, stats
from fangkong.access.models import Pass, PassPolicy
from fangkong.access.tests.factories import CheckpointFactory, VisitorFactory
from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory

pytestmark = pytest.mark.django_db


def _out(community: Any, n: int, *, minutes_ago: int = 30) -> list[Pass]:
    """``n`` households of ``community`` with a pass each, all out since ``minutes_ago``."""
    building = BuildingFactory(community=community, grid=None)
    households = [HouseholdFactory(building=building, room=str(1000 + i)) for i in range(n)]
    passes = services.do_issue_passes(community=community, households=households, by=None).passes
    Pass.objects.filter(pk__in=[p.pk for p in passes]).update(
        out_since=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )
    return passes


def _visitors(gate: Any, n: int) -> None:
    building = BuildingFactory(community=gate.community, grid=None)
    household = HouseholdFactory(building=building)
    for _ in range(n):
        VisitorFactory(checkpoint=gate, household=household)


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_who_is_out_costs_the_same_queries_with_five_or_fifty_out_and_inside(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    gate = CheckpointFactory(
        community=community_a, name="North gate", opens=dt.time(6), closes=dt.time(22)
    )
    client.force_login(officer_a)
    _out(community_a, 5)
    _visitors(gate, 5)
    five = _queries(client, reverse("access:out_now"))
    _out(community_a, 45)
    _visitors(gate, 45)
    fifty = _queries(client, reverse("access:out_now"))
    assert five == fifty


def test_who_is_out_lists_fifty_and_counts_the_rest(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    gate = CheckpointFactory(community=community_a, name="North gate")
    _out(community_a, stats.SHOWN + 7)
    _visitors(gate, stats.SHOWN + 3)
    client.force_login(officer_a)
    response = client.get(reverse("access:out_now"))
    out, visitors = response.context["out"], response.context["visitors"]
    assert (len(out.rows), out.count, out.more) == (stats.SHOWN, stats.SHOWN + 7, 7)
    assert (len(visitors.rows), visitors.count, visitors.more) == (stats.SHOWN, stats.SHOWN + 3, 3)
    page = response.content.decode()
    assert page.count('class="gate-overdue"') + page.count('<li class="">') >= stats.SHOWN
    assert f">{stats.SHOWN + 7}<" in page  # the badge counts everyone out, not the rows shown


def test_the_overdue_count_follows_each_communitys_limit_without_loading_the_rows(
    community_a: Any, community_b: Any
) -> None:
    PassPolicy.objects.update_or_create(community=community_a, defaults={"max_minutes": 60})
    PassPolicy.objects.filter(community=community_b).delete()  # the default limit: 240 min
    _out(community_a, 3, minutes_ago=90)  # overdue at 60
    _out(community_a, 2, minutes_ago=30)
    _out(community_b, 4, minutes_ago=90)  # within 240
    _out(community_b, 1, minutes_ago=300)  # overdue at 240
    with CaptureQueriesContext(connection) as queries:
        out = stats.out_now(Pass.objects.all(), shown=3)
    assert (out.count, out.overdue, len(out.rows)) == (10, 4, 3)
    assert len(queries) == 3
    everyone = stats.out_now(Pass.objects.all(), shown=100)
    assert sum(row["overdue"] for row in everyone.rows) == everyone.overdue


def test_the_overview_counts_who_is_out_once_and_in_the_database(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    client.force_login(officer_a)
    _out(community_a, 5)
    five = _queries(client, reverse("access:index"))
    _out(community_a, 60)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("access:index"))
    assert len(queries) == five
    assert response.context["figures"]["out_now"] == 65
    assert len(response.context["out"].rows) == stats.SHOWN
    # Passes out are read once for their rows, bounded, never all of them.
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "access_pass"')
        and "out_since" in q["sql"]
        and "COUNT(" not in q["sql"].upper()
    ]
    assert len(reads) == 1
    assert "LIMIT" in reads[0].upper()


def test_the_gate_scanner_shows_a_bounded_list(
    client: Any, checkpoint_a: Any, community_a: Any
) -> None:
    CheckpointFactory(community=community_a, name="North gate")
    _out(community_a, stats.SHOWN + 1)
    client.force_login(checkpoint_a)
    response = client.get(reverse("access:gate"))
    assert response.status_code == 200
    assert len(response.context["out"].rows) == stats.SHOWN
    assert response.context["out"].more == 1
