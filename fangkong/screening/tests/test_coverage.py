"""Coverage: the figures against a case counted by hand, and a constant number of queries for
the coverage page and the caller's list whatever the number of households."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fangkong.screening.choices import Outcome
from fangkong.screening.models import CallAssignment, Campaign
from fangkong.screening.services import do_record_call
from fangkong.screening.stats import call_list, campaign_coverage, screening_figures
from fangkong.screening.tests.factories import (
    assignment_of,
    good_answers,
    started_campaign,
    street_of_households,
)

pytestmark = pytest.mark.django_db

#: Queries of the figures, pinned (the pages add the session, the user and the campaign):
#: which of the user's communities (their scope's, no query) are stale, the stored counts,
#: today's calls (two), the households never reached, the open alerts.
COVERAGE_QUERIES = 6
CALL_LIST_QUERIES = 3


def _at(hour: int, minute: int) -> dt.datetime:
    return timezone.localtime().replace(hour=hour, minute=minute, second=0, microsecond=0)


@pytest.fixture
def counted(
    community_a: Any, grid_a1: Any, grid_a2: Any, grid_worker_a1: Any, grid_worker_a2: Any
) -> dict[str, Any]:
    """Six households, each ending differently, with the calls' times set."""
    h = street_of_households(grid_a1, 4) + street_of_households(grid_a2, 2)
    campaign = started_campaign(community_a)

    def call(n: int, by: Any, outcome: str, hour: int, minute: int, **kw: Any) -> None:
        do_record_call(
            assignment_of(campaign, h[n]), by=by, outcome=outcome, now=_at(hour, minute), **kw
        )

    call(0, grid_worker_a1, Outcome.ANSWERED, 9, 10, answers=good_answers(temperature="38.0"))
    call(1, grid_worker_a1, Outcome.NO_ANSWER, 9, 20)
    call(2, grid_worker_a1, Outcome.NUMBER_INVALID, 9, 30)
    # household 3 is never called
    call(4, grid_worker_a2, Outcome.ANSWERED, 10, 5, answers=good_answers())
    person = h[5].members.first()
    call(
        5,
        grid_worker_a2,
        Outcome.MOVED,
        10,
        40,
        moved_people=[person.pk],
        moved_date=timezone.localdate(),
    )
    return {"campaign": campaign, "households": h}


def test_the_coverage_figures_match_a_hand_count(
    counted: dict, officer_a: Any, grid_a1: Any, grid_a2: Any
) -> None:
    coverage = campaign_coverage(counted["campaign"], officer_a, now=_at(12, 0))
    total = coverage.total
    assert (total.total, total.reached, total.pending, total.unreachable, total.moved) == (
        6,
        2,
        2,
        1,
        1,
    )
    assert total.alerts == 1
    assert coverage.open_alerts == 1
    assert total.calls_today == 5
    assert total.calls_per_hour == 3.3  # five calls between 9:10 and 10:40

    a1, a2 = coverage.grids
    assert (a1.key, a1.total, a1.reached, a1.pending, a1.unreachable, a1.alerts) == (
        grid_a1.pk,
        4,
        1,
        2,
        1,
        1,
    )
    assert (a1.calls_today, a1.calls_per_hour) == (3, 3.0)  # 20 minutes count as an hour
    assert (a2.key, a2.total, a2.reached, a2.moved, a2.calls_today) == (grid_a2.pk, 2, 1, 1, 2)
    # Callers are listed by name, and the factories' names sort either way (user9, user10).
    assert sorted(c.total for c in coverage.callers) == [2, 4]

    hours = {bar.hour: (bar.calls, bar.reached) for bar in coverage.hours}
    assert hours[9] == (3, 1)
    assert hours[10] == (2, 1)
    assert sum(bar.calls for bar in coverage.hours) == 5

    never = [a.household for a in coverage.never_reached]
    h = counted["households"]
    assert coverage.never_reached_count == 3
    assert set(never) == {h[1], h[2], h[3]}
    assert never[-1] == h[3]  # not called at all comes after the failed calls


def test_a_grid_worker_sees_their_grids_part(counted: dict, grid_worker_a2: Any) -> None:
    coverage = campaign_coverage(counted["campaign"], grid_worker_a2, now=_at(12, 0))
    assert coverage.total.total == 2
    assert coverage.open_alerts == 0
    assert len(coverage.grids) == 1


def test_the_callers_list_splits_due_later_and_door_visits(
    counted: dict, grid_worker_a1: Any
) -> None:
    calls = call_list(grid_worker_a1, now=_at(10, 0))
    h = counted["households"]
    assert [a.household for a in calls.due] == [h[3]]
    assert [a.household for a in calls.later] == [h[1]]  # offered again at 11:20
    assert [a.household for a in calls.door_visits] == [h[2]]
    assert (calls.total, calls.reached) == (4, 1)
    later = call_list(grid_worker_a1, now=_at(11, 30))
    assert [a.household for a in later.due] == [h[1], h[3]]


def test_home_page_figures(counted: dict, officer_a: Any, grid_worker_a1: Any) -> None:
    figures = screening_figures(officer_a)
    assert figures["campaigns"] == 1
    assert (figures["households"], figures["reached"], figures["open_alerts"]) == (6, 2, 1)
    assert screening_figures(grid_worker_a1)["my_calls_due"] >= 1


# --- Query counts ---------------------------------------------------------------------------


def _grow(campaign: Any, grid: Any, worker: Any, count: int) -> None:
    """More households on the same campaign, with calls of each kind."""
    households = street_of_households(grid, count, building=None)
    # Add them to the running campaign the way a start would have.
    CallAssignment.objects.bulk_create(
        [
            CallAssignment(
                campaign=campaign,
                household=h,
                community_id=h.community_id,
                grid=grid,
                assignee=worker,
            )
            for h in households
        ]
    )
    outcomes = (Outcome.ANSWERED, Outcome.NO_ANSWER, Outcome.REFUSED, Outcome.NUMBER_INVALID)
    for n, household in enumerate(households):
        outcome = outcomes[n % len(outcomes)]
        do_record_call(
            assignment_of(campaign, household),
            by=worker,
            outcome=outcome,
            answers=good_answers() if outcome == Outcome.ANSWERED else None,
        )


@pytest.mark.parametrize("extra", [0, 12])
def test_coverage_takes_six_queries_at_any_size(
    counted: dict,
    officer_a: Any,
    grid_a1: Any,
    grid_worker_a1: Any,
    django_assert_num_queries: Any,
    extra: int,
) -> None:
    campaign = counted["campaign"]
    if extra:
        _grow(campaign, grid_a1, grid_worker_a1, extra)
    campaign = Campaign.objects.select_related("area").get(pk=campaign.pk)  # as the page has it
    campaign_coverage(campaign, officer_a)  # counts what changed since the last look
    with django_assert_num_queries(COVERAGE_QUERIES):
        coverage = campaign_coverage(campaign, officer_a)
    assert coverage.total.total == 6 + extra


@pytest.mark.parametrize("extra", [0, 12])
def test_the_callers_list_takes_three_queries_at_any_size(
    counted: dict,
    grid_a1: Any,
    grid_worker_a1: Any,
    django_assert_num_queries: Any,
    extra: int,
) -> None:
    if extra:
        _grow(counted["campaign"], grid_a1, grid_worker_a1, extra)
    with django_assert_num_queries(CALL_LIST_QUERIES):
        calls = call_list(grid_worker_a1)
    assert calls.total == 4 + extra


def _page_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_coverage_page_and_the_callers_list_do_not_grow_with_the_campaign(
    client: Any, counted: dict, officer_a: Any, grid_a1: Any, grid_worker_a1: Any
) -> None:
    coverage_url = reverse("screening:campaign_detail", args=[counted["campaign"].pk])
    client.force_login(officer_a)
    coverage_small = _page_queries(client, coverage_url)
    client.force_login(grid_worker_a1)
    list_small = _page_queries(client, reverse("screening:call_list"))

    _grow(counted["campaign"], grid_a1, grid_worker_a1, 20)

    client.force_login(officer_a)
    assert _page_queries(client, coverage_url) == coverage_small
    client.force_login(grid_worker_a1)
    assert _page_queries(client, reverse("screening:call_list")) == list_small


def test_a_households_call_screen_takes_few_queries(
    client: Any, counted: dict, grid_worker_a1: Any
) -> None:
    assignment = assignment_of(counted["campaign"], counted["households"][1])
    client.force_login(grid_worker_a1)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("screening:call", args=[assignment.pk]))
    assert len(queries) <= 8
