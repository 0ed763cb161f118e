"""Stored coverage: a district campaign's coverage read from stored per-community counts,
equal to a recount of the assignments after every kind of change, and counted again only in
the communities that changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fangkong.screening.choices import Outcome
from fangkong.screening.coverage_store import COUNTS
from fangkong.screening.models import CallAssignment, Campaign, CoverageState
from fangkong.screening.services import do_reassign, do_record_call, do_start_campaign
from fangkong.screening.stats import campaign_coverage, screening_figures
from fangkong.screening.tests.factories import (
    CampaignFactory,
    assignment_of,
    good_answers,
    started_campaign,
    street_of_households,
)

pytestmark = pytest.mark.django_db


def _recount(campaign: Campaign, community_ids: set[int] | None = None) -> dict[str, int]:
    """The oracle: the campaign's assignments grouped now."""
    rows = CallAssignment.objects.filter(campaign=campaign)
    if community_ids is not None:
        rows = rows.filter(community_id__in=community_ids)
    return rows.aggregate(**COUNTS)


def _shown(campaign: Campaign, user: Any) -> dict[str, int]:
    campaign = Campaign.objects.select_related("area").get(pk=campaign.pk)
    total = campaign_coverage(campaign, user).total
    return {name: getattr(total, name) for name in COUNTS}


def test_a_district_campaigns_coverage_equals_a_recount_after_every_kind_of_change(
    district: Any,
    district_official: Any,
    officer_a: Any,
    community_a: Any,
    grid_a1: Any,
    grid_a2: Any,
    grid_b1: Any,
    grid_worker_a1: Any,
    grid_worker_a2: Any,
    superuser: Any,
    officer_b: Any,
) -> None:
    a1 = street_of_households(grid_a1, 3)
    a2 = street_of_households(grid_a2, 2)
    b1 = street_of_households(grid_b1, 2)
    campaign = CampaignFactory(area=district)

    def check() -> None:
        assert _shown(campaign, district_official) == _recount(campaign)
        assert _shown(campaign, officer_a) == _recount(campaign, {community_a.pk})

    check()  # a draft: nothing assigned yet, and stored as such
    do_start_campaign(campaign, by=None)  # the start adds households in every community
    campaign.refresh_from_db()
    check()
    do_record_call(
        assignment_of(campaign, a1[0]),
        by=grid_worker_a1,
        outcome=Outcome.ANSWERED,
        answers=good_answers(),
    )
    check()
    do_record_call(
        assignment_of(campaign, a1[1]),
        by=grid_worker_a1,
        outcome=Outcome.ANSWERED,
        answers=good_answers(temperature="38.2"),
    )
    check()  # an alert
    for _ in range(3):
        do_record_call(assignment_of(campaign, a2[0]), by=grid_worker_a2, outcome=Outcome.NO_ANSWER)
    check()
    person = a1[2].members.first()
    do_record_call(
        assignment_of(campaign, a1[2]),
        by=grid_worker_a1,
        outcome=Outcome.MOVED,
        moved_people=[person.pk],
        moved_date=timezone.localdate(),
    )
    check()
    do_reassign(
        campaign,
        [assignment_of(campaign, a1[0]).pk, assignment_of(campaign, b1[1]).pk],
        to=None,
        by=superuser,
    )  # a reached household stays; the other is unassigned
    do_reassign(campaign, [assignment_of(campaign, b1[1]).pk], to=officer_b, by=superuser)
    check()
    by_caller = {
        t.key: t.total
        for t in campaign_coverage(
            Campaign.objects.select_related("area").get(pk=campaign.pk), district_official
        ).callers
    }
    assert (
        by_caller[officer_b.pk]
        == CallAssignment.objects.filter(campaign=campaign, assignee=officer_b).count()
        == 1
    )


def test_only_the_changed_community_is_counted_again(
    district: Any,
    district_official: Any,
    community_a: Any,
    community_b: Any,
    grid_a1: Any,
    grid_b1: Any,
    grid_worker_a1: Any,
) -> None:
    a1 = street_of_households(grid_a1, 2)
    street_of_households(grid_b1, 2)
    campaign = started_campaign(district)
    _shown(campaign, district_official)
    counted = dict(
        CoverageState.objects.filter(campaign=campaign).values_list("community_id", "updated")
    )
    do_record_call(assignment_of(campaign, a1[0]), by=grid_worker_a1, outcome=Outcome.NO_ANSWER)
    _shown(campaign, district_official)
    again = dict(
        CoverageState.objects.filter(campaign=campaign).values_list("community_id", "updated")
    )
    assert again[community_a.pk] > counted[community_a.pk]
    assert again[community_b.pk] == counted[community_b.pk]


def test_a_fresh_district_coverage_never_groups_the_assignments(
    district: Any,
    district_official: Any,
    grid_a1: Any,
    grid_b1: Any,
) -> None:
    street_of_households(grid_a1, 3)
    street_of_households(grid_b1, 3)
    campaign = Campaign.objects.select_related("area").get(pk=started_campaign(district).pk)
    campaign_coverage(campaign, district_official)
    with CaptureQueriesContext(connection) as queries:
        coverage = campaign_coverage(campaign, district_official)
    assert coverage.total.total == 6
    grouped = [
        q["sql"]
        for q in queries.captured_queries
        if 'FROM "screening_callassignment"' in q["sql"] and "GROUP BY" in q["sql"]
    ]
    assert grouped == []


def test_the_home_pages_screening_figures_are_the_stored_counts_and_equal_a_recount(
    district: Any,
    district_official: Any,
    officer_a: Any,
    community_a: Any,
    grid_a1: Any,
    grid_b1: Any,
    grid_worker_a1: Any,
) -> None:
    a1 = street_of_households(grid_a1, 3)
    street_of_households(grid_b1, 2)
    campaign = started_campaign(district)
    started_campaign(community_a)  # a second campaign under way, the community's own

    def check() -> None:
        running = CallAssignment.objects.filter(campaign__status="running")
        for user, rows in (
            (district_official, running),
            (officer_a, running.filter(community=community_a)),
        ):
            figures = screening_figures(user)
            expected = rows.aggregate(**COUNTS)
            assert (
                figures["households"],
                figures["reached"],
                figures["pending"],
                figures["unreachable"],
            ) == (
                expected["total"],
                expected["reached"],
                expected["pending"],
                expected["unreachable"],
            )
        assert screening_figures(district_official)["campaigns"] == 2

    check()
    do_record_call(
        assignment_of(campaign, a1[0]),
        by=grid_worker_a1,
        outcome=Outcome.ANSWERED,
        answers=good_answers(),
    )
    check()
    for _ in range(3):
        do_record_call(
            assignment_of(campaign, a1[1]), by=grid_worker_a1, outcome=Outcome.NUMBER_INVALID
        )
    check()
