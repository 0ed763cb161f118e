"""Stored access figures (who is out, overdue, visitors inside, the day's exits, refusals and
events for review): equal to a recount after scans, returns, the clock passing a time limit,
a suspension expiring and visitors coming and going — though a scan writes no change-log
row — and read by a district official in the same queries whatever the number of
communities."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fangkong.access import services as access_services
from fangkong.access.models import GateEvent, Pass
from fangkong.access.stats import DAY_KEYS, PASS_COUNT_KEYS, access_figures
from fangkong.access.tests.factories import VisitorFactory, household_with_pass, scan
from fangkong.areas.tests.factories import AreaFactory
from fangkong.reports import figures
from fangkong.reports.models import CommunityFigure, FiguresState
from fangkong.staff.tests.factories import CheckpointFactory

pytestmark = pytest.mark.django_db

KEYS = (*PASS_COUNT_KEYS, *DAY_KEYS)


def _shown(client: Any, user: Any) -> dict[str, int]:
    """The access figures the home page shows (stored, summed)."""
    client.force_login(user)
    response = client.get(reverse("reports:home"))
    assert response.status_code == 200
    access = next(
        s["figures"] for s in response.context["sections"] if "passes_active" in s["figures"]
    )
    return {key: access[key] for key in KEYS}


def _recount(user: Any) -> dict[str, int]:
    live = access_figures(user)  # no stored figures given: counted now
    return {key: live[key] for key in KEYS}


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Any:
    """``timezone.now()`` moved forward on demand."""
    real = timezone.now
    offset = [dt.timedelta()]
    monkeypatch.setattr(timezone, "now", lambda: real() + offset[0])

    def forward(**delta: float) -> None:
        offset[0] += dt.timedelta(**delta)

    return forward


def test_stored_access_figures_equal_a_recount_after_scans_returns_and_the_clock(
    client: Any,
    community_a: Any,
    community_b: Any,
    grid_a1: Any,
    officer_a: Any,
    district_official: Any,
    clock: Any,
) -> None:
    gate = CheckpointFactory(community=community_a, name="北门")
    gate_b = CheckpointFactory(community=community_b, name="南门")
    household, item = household_with_pass(community_a, grid_a1)
    _other, other = household_with_pass(community_a, grid_a1)
    _far, far = household_with_pass(community_b)
    access_services.do_update_policy(community_a, by=None, max_minutes=60)
    seen = []

    def check() -> None:
        for user in (officer_a, district_official):
            shown = _shown(client, user)
            assert shown == _recount(user), user.role
        seen.append(shown)

    check()
    scan(gate, item.token, "out")  # an exit: out now, an exit today
    check()
    scan(gate_b, far.token, "out")  # another community's exit
    scan(gate, other.token, "out")
    check()
    scan(gate, "not-a-pass", "out")  # a refusal
    check()
    clock(minutes=61)  # past community a's limit: two passes overdue, nothing scanned
    check()
    scan(gate, item.token, "in")  # a return: one out fewer, one overdue fewer
    check()
    # A late offline exit (flagged for review), then the office reviews it
    scan(
        gate, item.token, "out", at=timezone.now() - dt.timedelta(hours=3), device_decision="allow"
    )
    check()
    for event in GateEvent.objects.exclude(flag="").filter(reviewed_at__isnull=True):
        access_services.do_review_event(event, by=officer_a)
    check()
    # A suspension with an end, which expires (tick's work)
    access_services.do_suspend_household_passes(
        household,
        source="office",
        reason="测试",
        until=timezone.now() + dt.timedelta(hours=1),
        by=None,
    )
    check()
    clock(hours=2)
    access_services.lift_expired_suspensions()
    check()
    # Visitors come and go
    visitor = VisitorFactory(checkpoint=gate, household=household)
    check()
    access_services.do_visitor_leaves(visitor, by=None)
    check()
    # A pass voided while out
    access_services.do_void_pass(Pass.objects.get(pk=other.pk), by=None, reason="遗失")
    check()
    # The figures moved: the sequence exercised them (the test can fail)
    assert max(s["out_now"] for s in seen) >= 3
    assert max(s["overdue"] for s in seen) >= 2
    assert max(s["visitors_inside"] for s in seen) == 1
    assert max(s["refusals"] for s in seen) >= 1


def test_a_scan_makes_only_its_community_stale_and_tick_moves_the_others_marks_on(
    community_a: Any,
    community_b: Any,
    grid_a1: Any,
) -> None:
    gate = CheckpointFactory(community=community_a)
    _household, item = household_with_pass(community_a, grid_a1)
    household_with_pass(community_b)
    figures.refresh_figures()
    assert figures.stale_communities([community_a.pk, community_b.pk]) == []

    scan(gate, item.token, "out")

    assert figures.stale_communities([community_a.pk, community_b.pk]) == [community_a.pk]
    with CaptureQueriesContext(connection) as queries:
        assert figures.refresh_stale(move_marks=True) == [community_a.pk]
    # A scan changes no person: only the access figures are counted again
    assert not any('"registry_person"' in q["sql"] for q in queries.captured_queries)
    assert any('"access_pass"' in q["sql"] for q in queries.captured_queries)
    newest = GateEvent.objects.latest("pk").pk
    assert FiguresState.objects.get(community=community_b).event_mark == newest
    stored = CommunityFigure.objects.get(community=community_a, key="out_now", day=None)
    assert stored.value == 1
    today = CommunityFigure.objects.get(
        community=community_a, key="exits", day=timezone.localdate()
    )
    assert today.value == 1


def _district(n: int, district: Any) -> None:
    street = AreaFactory(parent=district, name=f"街道{n}")
    for i in range(n):
        community = AreaFactory(parent=street, name=f"社区{n}-{i}")
        _household, item = household_with_pass(community, members=1)
        scan(CheckpointFactory(community=community), item.token, "out")


def _queries(client: Any, user: Any) -> int:
    client.force_login(user)
    client.get(reverse("reports:home"))  # counts what is stale
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reports:home"))
    assert response.status_code == 200
    assert not any(
        'FROM "access_pass"' in q["sql"] or 'FROM "access_visitor"' in q["sql"]
        for q in queries.captured_queries
    )
    return len(queries)


def test_a_district_officials_home_reads_stored_access_figures_in_constant_queries(
    client: Any,
    district: Any,
    district_official: Any,
) -> None:
    _district(2, district)
    small = _queries(client, district_official)
    _district(6, district)
    large = _queries(client, district_official)
    assert small == large
    shown = _shown(client, district_official)
    assert shown["out_now"] == 8
    assert shown["exits"] == 8
