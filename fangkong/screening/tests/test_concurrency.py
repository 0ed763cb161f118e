"""Two callers saving the same household at the same moment: the version check lets one win;
the other is told, sees their input again, and both attempts are stored."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse

from fangkong.accounts.choices import Role
from fangkong.accounts.tests.factories import UserFactory
from fangkong.core.exceptions import ConflictError
from fangkong.screening.choices import AssignmentStatus, Outcome
from fangkong.screening.models import CallAttempt, ScreeningRecord
from fangkong.screening.services import do_add_helper, do_record_call
from fangkong.screening.tests.factories import (
    assignment_of,
    good_answers,
    started_campaign,
    street_of_households,
)


def _setup(community: Any, grid: Any, officer: Any) -> tuple[Any, Any, Any]:
    """A household in a helper's share: the helper and the grid's worker may both call it."""
    household = street_of_households(grid, 1)[0]
    campaign = started_campaign(community)
    helper = UserFactory(username="helper", role=Role.GRID_WORKER, area=community)
    do_add_helper(campaign, grid=grid, helper=helper, households=1, by=officer)
    return campaign, household, helper


@pytest.mark.django_db
def test_the_second_save_is_told_and_both_attempts_are_stored(
    community_a: Any, grid_a1: Any, officer_a: Any, grid_worker_a1: Any
) -> None:
    campaign, household, helper = _setup(community_a, grid_a1, officer_a)
    seen = assignment_of(campaign, household)  # both open the household at version 2

    do_record_call(
        seen,
        by=helper,
        outcome=Outcome.ANSWERED,
        expected_version=seen.version,
        answers=good_answers(),
    )
    with pytest.raises(ConflictError) as exc:
        do_record_call(
            seen,
            by=grid_worker_a1,
            outcome=Outcome.ANSWERED,
            expected_version=seen.version,
            answers=good_answers(temperature="37.0", notes="电话回访"),
        )

    assert exc.value.current_version == seen.version + 1
    attempts = list(CallAttempt.objects.filter(assignment=seen).order_by("pk"))
    assert [(a.caller, a.conflicted) for a in attempts] == [(helper, False), (grid_worker_a1, True)]
    assert attempts[1].input["answers"]["notes"] == "电话回访"  # nothing typed is lost
    record = ScreeningRecord.objects.get(assignment=seen)
    assert record.answers["temperature"] == "36.5"  # the winner's answers stand


@pytest.mark.django_db
def test_the_page_shows_the_losers_input_again_with_the_record(
    client: Any, community_a: Any, grid_a1: Any, officer_a: Any, grid_worker_a1: Any
) -> None:
    campaign, household, helper = _setup(community_a, grid_a1, officer_a)
    seen = assignment_of(campaign, household)
    do_record_call(seen, by=helper, outcome=Outcome.ANSWERED, answers=good_answers())

    client.force_login(grid_worker_a1)
    url = reverse("screening:call_answers", args=[seen.pk])
    response = client.post(
        url,
        {
            "outcome": "answered",
            "version": seen.version,
            "travelled": "no",
            "contact": "no",
            "temperature": "37.1",
            "notes": "居民回电",
        },
    )

    assert response.status_code == 409
    body = response.content.decode()
    assert 'value="37.1"' in body  # their input, shown again
    assert "居民回电" in body
    assert "36.5" in body  # and what the household's record says now
    assert f'name="version" value="{seen.version + 1}"' in body
    assert CallAttempt.objects.filter(assignment=seen, conflicted=True).count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason=(
        "SQLite's in-memory test database shares one cache between threads, which answers "
        "'table is locked' instead of waiting; a real SQLite file serialises writers with "
        "IMMEDIATE transactions, PostgreSQL with SELECT ... FOR UPDATE (tested there)"
    ),
)
def test_two_threads_saving_at_once_give_one_winner(
    community_a: Any, grid_a1: Any, officer_a: Any, grid_worker_a1: Any
) -> None:
    campaign, household, helper = _setup(community_a, grid_a1, officer_a)
    seen = assignment_of(campaign, household)
    start = threading.Barrier(2)
    results: dict[str, str] = {}

    def save(name: str, user: Any, outcome: str) -> None:
        try:
            start.wait()
            do_record_call(
                seen,
                by=user,
                outcome=outcome,
                expected_version=seen.version,
                answers=good_answers() if outcome == Outcome.ANSWERED else None,
            )
            results[name] = "saved"
        except ConflictError:
            results[name] = "conflict"
        finally:
            connection.close()

    threads = [
        threading.Thread(target=save, args=("helper", helper, Outcome.ANSWERED)),
        threading.Thread(target=save, args=("worker", grid_worker_a1, Outcome.NO_ANSWER)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results.values()) == ["conflict", "saved"]
    assert CallAttempt.objects.filter(assignment=seen).count() == 2
    assert CallAttempt.objects.filter(assignment=seen, conflicted=True).count() == 1
    seen.refresh_from_db()
    winner = "helper" if results["helper"] == "saved" else "worker"
    expected = AssignmentStatus.REACHED if winner == "helper" else AssignmentStatus.PENDING
    assert seen.status == expected
