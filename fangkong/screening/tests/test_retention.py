"""Retention of screening data: answers, alerts and move-outs go 180 days after the campaign
closes and what callers typed is blanked then; the call list stays for the coverage; a
campaign under way, an open alert and a pending move-out are never purged."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fangkong.core.models import ObjectChange
from fangkong.core.retention import cutoff, purge_expired
from fangkong.core.tests.retention_helpers import DAY, SECOND, counts
from fangkong.registry.models import Person
from fangkong.screening.choices import AlertStatus, Outcome, ProposalStatus
from fangkong.screening.models import (
    Alert,
    CallAssignment,
    CallAttempt,
    Campaign,
    MoveOutProposal,
    ScreeningRecord,
)
from fangkong.screening.services import do_record_call, do_resolve_alert
from fangkong.screening.tests.factories import (
    assignment_of,
    good_answers,
    started_campaign,
    street_of_households,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def households(grid_a1: Any, grid_worker_a1: Any, officer_a: Any) -> list[Any]:
    return street_of_households(grid_a1, 2, people=2)


def screened(community: Any, household: Any, caller: Any, **answers: Any) -> Campaign:
    """A campaign in which ``household`` answered (``answers`` over the good ones)."""
    campaign = started_campaign(community)
    do_record_call(
        assignment_of(campaign, household),
        by=caller,
        outcome=Outcome.ANSWERED,
        answers=good_answers(**answers),
        note="老人接的电话",
    )
    return campaign


def closed(campaign: Campaign, at: dt.datetime) -> Campaign:
    Campaign.objects.filter(pk=campaign.pk).update(status="closed", closed_at=at)
    campaign.refresh_from_db()
    return campaign


def test_answers_are_kept_180_days_after_the_campaign_closes_and_deleted_after(
    community_a: Any,
    households: list[Any],
    grid_worker_a1: Any,
) -> None:
    now = timezone.now()
    limit = cutoff(now, days=180)
    inside = closed(screened(community_a, households[0], grid_worker_a1), limit)
    past = closed(screened(community_a, households[0], grid_worker_a1), limit - SECOND)

    result = purge_expired(now)

    assert counts(result, "screening.record") == (1, 0)
    assert ScreeningRecord.objects.filter(campaign=inside).exists()
    assert not ScreeningRecord.objects.filter(campaign=past).exists()
    # The call stays for the figures, without what was noted or typed
    assert counts(result, "screening.call_attempt") == (0, 1)
    attempt = CallAttempt.objects.get(campaign=past)
    assert (attempt.note, attempt.input) == ("", {})
    assert attempt.outcome == Outcome.ANSWERED
    assert attempt.caller == grid_worker_a1
    assert CallAttempt.objects.get(campaign=inside).note == "老人接的电话"


def test_a_campaign_under_way_is_never_purged(
    community_a: Any,
    households: list[Any],
    grid_worker_a1: Any,
) -> None:
    campaign = screened(community_a, households[0], grid_worker_a1, contact="yes")
    ScreeningRecord.objects.update(recorded_at=timezone.now() - 900 * DAY)
    CallAttempt.objects.update(at=timezone.now() - 900 * DAY)

    purge_expired(timezone.now())

    assert ScreeningRecord.objects.filter(campaign=campaign).exists()
    assert Alert.objects.filter(campaign=campaign).exists()
    assert CallAttempt.objects.get(campaign=campaign).note


def test_an_open_alert_keeps_itself_and_its_record_a_resolved_one_goes_after_180_days(
    community_a: Any,
    households: list[Any],
    grid_worker_a1: Any,
    officer_a: Any,
) -> None:
    now = timezone.now()
    limit = cutoff(now, days=180)
    campaign = screened(community_a, households[0], grid_worker_a1, contact="yes")
    do_record_call(
        assignment_of(campaign, households[1]),
        by=grid_worker_a1,
        outcome=Outcome.ANSWERED,
        answers=good_answers(temperature="38.5"),
    )
    open_alert = Alert.objects.get(household=households[0])
    resolved = do_resolve_alert(
        Alert.objects.get(household=households[1]),
        by=officer_a,
        outcome=AlertStatus.DISMISSED,
        note="复测正常",
    )
    # Resolved just inside the period, then just past it
    Alert.objects.filter(pk=resolved.pk).update(resolved_at=limit)
    closed(campaign, limit - 30 * DAY)

    result = purge_expired(now)

    assert counts(result, "screening.alert") == (0, 0)
    assert counts(result, "screening.record") == (0, 0)

    Alert.objects.filter(pk=resolved.pk).update(resolved_at=limit - SECOND)
    result = purge_expired(now)

    assert counts(result, "screening.alert") == (1, 0)
    assert counts(result, "screening.record") == (1, 0)
    assert Alert.objects.filter(pk=open_alert.pk).exists()
    assert ScreeningRecord.objects.filter(pk=open_alert.record_id).exists()
    assert not ScreeningRecord.objects.filter(household=households[1]).exists()


def test_a_decided_move_out_goes_180_days_after_the_campaign_a_pending_one_stays(
    community_a: Any,
    households: list[Any],
    grid_worker_a1: Any,
) -> None:
    now = timezone.now()
    campaign = started_campaign(community_a)
    for household in households:
        leaver = Person.objects.filter(household=household).first()
        do_record_call(
            assignment_of(campaign, household),
            by=grid_worker_a1,
            outcome=Outcome.MOVED,
            moved_people=[leaver.pk],
            moved_date=timezone.localdate() - 10 * DAY,
            note="去外地工作",
        )
    decided = MoveOutProposal.objects.get(household=households[0])
    MoveOutProposal.objects.filter(pk=decided.pk).update(
        status=ProposalStatus.REJECTED, decided_at=cutoff(now, days=180) - SECOND
    )
    closed(campaign, cutoff(now, days=180) - SECOND)

    result = purge_expired(now)

    assert counts(result, "screening.move_out_proposal") == (1, 0)
    assert not MoveOutProposal.objects.filter(pk=decided.pk).exists()
    assert MoveOutProposal.objects.filter(
        household=households[1], status=ProposalStatus.PENDING
    ).exists()


def test_the_call_list_stays_for_the_coverage_without_the_answers(
    community_a: Any,
    households: list[Any],
    grid_worker_a1: Any,
    officer_a: Any,
) -> None:
    now = timezone.now()
    campaign = screened(community_a, households[0], grid_worker_a1, contact="yes")
    do_resolve_alert(
        Alert.objects.get(campaign=campaign), by=officer_a, outcome=AlertStatus.ACTED, note="已隔离"
    )
    closed(campaign, now - 900 * DAY)
    Alert.objects.update(resolved_at=now - 900 * DAY)

    purge_expired(now)

    # Every household still counts (reached or not); the mark followed the alert, now closed
    reached = assignment_of(campaign, households[0])
    assert CallAssignment.objects.filter(campaign=campaign).count() == 2
    assert (reached.household_id, reached.reached_at is not None) == (households[0].pk, True)
    assert reached.alert_level == ""
    assert not Alert.objects.filter(campaign=campaign).exists()
    assert not ScreeningRecord.objects.filter(campaign=campaign).exists()


def test_a_second_screening_purge_changes_nothing(
    community_a: Any,
    households: list[Any],
    grid_worker_a1: Any,
) -> None:
    now = timezone.now()
    closed(screened(community_a, households[0], grid_worker_a1), now - 400 * DAY)
    purge_expired(now)
    logged = ObjectChange.objects.count()

    again = purge_expired(now)

    assert all(o.deleted == o.anonymised == 0 for o in again.outcomes)
    assert ObjectChange.objects.count() == logged
    assert CallAssignment.objects.count() == 2


def test_a_dry_run_leaves_screening_rows_as_they_were(
    community_a: Any,
    households: list[Any],
    grid_worker_a1: Any,
) -> None:
    now = timezone.now()
    campaign = closed(screened(community_a, households[0], grid_worker_a1), now - 400 * DAY)

    result = purge_expired(now, dry_run=True)

    assert counts(result, "screening.record") == (1, 0)
    assert ScreeningRecord.objects.filter(campaign=campaign).exists()
    assert CallAttempt.objects.get(campaign=campaign).note
