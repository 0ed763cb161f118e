"""Recording calls: retries after the delay, the door visit after failed calls, move-outs,
the dial route, and every kind of bad input refused with its reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from fangkong.core.choices import AccessKind
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.models import AccessEvent, ObjectChange
from fangkong.registry.choices import PersonStatus
from fangkong.registry.models import Person
from fangkong.screening.choices import AssignmentStatus, Outcome, ProposalStatus
from fangkong.screening.models import CallAttempt, MoveOutProposal, ScreeningRecord
from fangkong.screening.services import (
    do_close_campaign,
    do_confirm_move_out,
    do_record_call,
    do_reject_move_out,
)
from fangkong.screening.tests.factories import (
    assignment_of,
    good_answers,
    started_campaign,
    street_of_households,
)
from fangkong.staff.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def households(grid_a1: Any, grid_worker_a1: Any) -> list[Any]:
    return street_of_households(grid_a1, 3, people=2)


@pytest.fixture
def campaign(community_a: Any, households: list[Any], officer_a: Any) -> Any:
    return started_campaign(community_a, retry_delay_minutes=90)


def test_a_household_not_answering_is_offered_again_after_the_delay(
    campaign: Any, households: list[Any], grid_worker_a1: Any
) -> None:
    # Given a household on the grid worker's list
    assignment = assignment_of(campaign, households[0])
    now = timezone.now()

    # When nobody answers
    result = do_record_call(assignment, by=grid_worker_a1, outcome=Outcome.NO_ANSWER, now=now)

    # Then it is still pending, and comes back 90 minutes later
    assignment = result.assignment
    assert assignment.status == AssignmentStatus.PENDING
    assert assignment.attempts == 1
    assert assignment.next_call_at == now + dt.timedelta(minutes=90)
    assert CallAttempt.objects.filter(assignment=assignment).count() == 1


def test_three_failed_calls_make_a_door_visit_task_for_the_grid_worker(
    campaign: Any, households: list[Any], grid_worker_a1: Any
) -> None:
    assignment = assignment_of(campaign, households[0])
    for outcome in (Outcome.NO_ANSWER, Outcome.REFUSED, Outcome.NO_ANSWER):
        assignment = do_record_call(assignment, by=grid_worker_a1, outcome=outcome).assignment

    assert assignment.status == AssignmentStatus.UNREACHABLE
    task = Task.objects.get(kind="screening.door_visit")
    assert task.assignee == grid_worker_a1
    assert task.object_id == households[0].pk
    assert assignment.door_visit_task_id == task.pk
    assert task.area == assignment.grid


def test_two_failed_calls_make_no_task_yet(
    campaign: Any, households: list[Any], grid_worker_a1: Any
) -> None:
    assignment = assignment_of(campaign, households[0])
    for _ in range(2):
        assignment = do_record_call(
            assignment, by=grid_worker_a1, outcome=Outcome.NO_ANSWER
        ).assignment
    assert assignment.status == AssignmentStatus.PENDING
    assert not Task.objects.filter(kind="screening.door_visit").exists()


def test_an_invalid_number_goes_to_the_door_at_once(
    campaign: Any, households: list[Any], grid_worker_a1: Any
) -> None:
    assignment = assignment_of(campaign, households[0])
    assignment = do_record_call(
        assignment, by=grid_worker_a1, outcome=Outcome.NUMBER_INVALID
    ).assignment
    assert assignment.status == AssignmentStatus.UNREACHABLE
    assert Task.objects.filter(kind="screening.door_visit").count() == 1


def test_a_door_visit_with_answers_reaches_the_household(
    campaign: Any, households: list[Any], grid_worker_a1: Any
) -> None:
    assignment = assignment_of(campaign, households[0])
    assignment = do_record_call(
        assignment, by=grid_worker_a1, outcome=Outcome.NUMBER_INVALID
    ).assignment
    result = do_record_call(
        assignment, by=grid_worker_a1, outcome=Outcome.VISITED, answers=good_answers()
    )
    assert result.assignment.status == AssignmentStatus.REACHED
    assert result.records[0].source == "visit"


def test_answers_are_stored_with_the_questionnaire_version(
    campaign: Any, households: list[Any], grid_worker_a1: Any
) -> None:
    assignment = assignment_of(campaign, households[0])
    result = do_record_call(
        assignment,
        by=grid_worker_a1,
        outcome=Outcome.ANSWERED,
        answers=good_answers(temperature="36.54"),
    )
    record = ScreeningRecord.objects.get(assignment=assignment)
    assert record.answers == {"travelled": "no", "contact": "no", "temperature": "36.5"}
    assert record.questionnaire_version == campaign.questionnaire.current
    assert result.assignment.status == AssignmentStatus.REACHED
    assert ObjectChange.objects.filter(
        object_id=str(record.pk), content_type__model="screeningrecord"
    ).exists()


# --- Bad input ------------------------------------------------------------------------------


def _refusal(exc: pytest.ExceptionInfo[ValidationError]) -> dict[str, list[str]]:
    return exc.value.message_dict


def test_a_missing_required_answer_is_refused_with_the_question(
    campaign: Any, households: list[Any], grid_worker_a1: Any
) -> None:
    assignment = assignment_of(campaign, households[0])
    answers = good_answers()
    del answers["contact"]
    with pytest.raises(ValidationError) as exc:
        do_record_call(assignment, by=grid_worker_a1, outcome=Outcome.ANSWERED, answers=answers)
    assert "contact" in _refusal(exc)
    assert not CallAttempt.objects.exists()


def test_a_temperature_outside_34_to_43_is_refused(
    campaign: Any, households: list[Any], grid_worker_a1: Any
) -> None:
    assignment = assignment_of(campaign, households[0])
    for bad in ("33.9", "43.1", "hot"):
        with pytest.raises(ValidationError) as exc:
            do_record_call(
                assignment,
                by=grid_worker_a1,
                outcome=Outcome.ANSWERED,
                answers=good_answers(temperature=bad),
            )
        assert "temperature" in _refusal(exc)


def test_a_date_in_the_future_is_refused(
    campaign: Any, households: list[Any], grid_worker_a1: Any
) -> None:
    assignment = assignment_of(campaign, households[0])
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    with pytest.raises(ValidationError) as exc:
        do_record_call(
            assignment,
            by=grid_worker_a1,
            outcome=Outcome.ANSWERED,
            answers=good_answers(travelled="yes", return_date=tomorrow),
        )
    assert _refusal(exc)["return_date"]


def test_an_attempt_by_someone_not_assigned_is_refused(
    campaign: Any, households: list[Any], officer_a: Any, grid_worker_a2: Any
) -> None:
    assignment = assignment_of(campaign, households[0])
    # The officer sees the household but it is not on their list
    with pytest.raises(PermissionDeniedError) as exc:
        do_record_call(assignment, by=officer_a, outcome=Outcome.NO_ANSWER)
    assert "not on your call list" in str(exc.value)
    # The next grid's worker does not even see it
    with pytest.raises(Http404):
        do_record_call(assignment, by=grid_worker_a2, outcome=Outcome.NO_ANSWER)
    assert not CallAttempt.objects.exists()


def test_an_answer_to_a_closed_campaign_is_refused(
    campaign: Any, households: list[Any], grid_worker_a1: Any
) -> None:
    do_close_campaign(campaign, by=None)
    assignment = assignment_of(campaign, households[0])
    with pytest.raises(ValidationError) as exc:
        do_record_call(
            assignment, by=grid_worker_a1, outcome=Outcome.ANSWERED, answers=good_answers()
        )
    assert "closed" in " ".join(exc.value.messages)


# --- Moved away -----------------------------------------------------------------------------


def test_moved_away_proposes_a_move_out_that_the_grid_worker_confirms(
    campaign: Any, households: list[Any], grid_worker_a1: Any
) -> None:
    assignment = assignment_of(campaign, households[0])
    leaver, stayer = Person.objects.filter(household=households[0]).order_by("pk")
    result = do_record_call(
        assignment,
        by=grid_worker_a1,
        outcome=Outcome.MOVED,
        moved_people=[leaver.pk],
        moved_date=timezone.localdate() - dt.timedelta(days=10),
        note="去外地工作",
    )
    assert result.assignment.status == AssignmentStatus.MOVED
    proposal = MoveOutProposal.objects.get()
    assert proposal.person == leaver
    assert proposal.status == ProposalStatus.PENDING
    leaver.refresh_from_db()
    assert leaver.status == PersonStatus.ACTIVE  # nothing changes before the grid worker says so

    do_confirm_move_out(proposal, by=grid_worker_a1)

    leaver.refresh_from_db()
    stayer.refresh_from_db()
    assert leaver.status == PersonStatus.MOVED_OUT
    assert leaver.status_reason == "去外地工作"
    assert stayer.status == PersonStatus.ACTIVE


def test_a_rejected_move_out_leaves_the_registry_alone(
    campaign: Any, households: list[Any], grid_worker_a1: Any
) -> None:
    assignment = assignment_of(campaign, households[0])
    leaver = Person.objects.filter(household=households[0]).first()
    do_record_call(
        assignment,
        by=grid_worker_a1,
        outcome=Outcome.MOVED,
        moved_people=[leaver.pk],
        moved_date=timezone.localdate(),
    )
    proposal = do_reject_move_out(MoveOutProposal.objects.get(), by=grid_worker_a1)
    leaver.refresh_from_db()
    assert proposal.status == ProposalStatus.REJECTED
    assert leaver.status == PersonStatus.ACTIVE


def test_moved_away_needs_to_know_who_and_when(
    campaign: Any, households: list[Any], grid_worker_a1: Any
) -> None:
    assignment = assignment_of(campaign, households[0])
    with pytest.raises(ValidationError) as exc:
        do_record_call(assignment, by=grid_worker_a1, outcome=Outcome.MOVED)
    assert set(_refusal(exc)) == {"people", "date"}


# --- The dial route -------------------------------------------------------------------------


def test_the_call_button_logs_the_access_and_redirects_to_tel(
    client: Any, campaign: Any, households: list[Any], grid_worker_a1: Any
) -> None:
    assignment = assignment_of(campaign, households[0])
    person = Person.objects.filter(household=households[0]).first()
    client.force_login(grid_worker_a1)

    page = client.get(reverse("screening:call", args=[assignment.pk])).content.decode()
    response = client.post(reverse("screening:dial", args=[assignment.pk, person.pk]))

    assert response.status_code == 302
    number = response["Location"].removeprefix("tel:")
    assert response["Location"].startswith("tel:")
    assert len(number) == 11
    assert number not in page
    assert person.phone_mask in page
    event = AccessEvent.objects.get(kind=AccessKind.CALL)
    assert event.person_id == person.pk
    assert event.actor == grid_worker_a1
    assert number not in str(event.detail)


def test_only_the_households_caller_may_dial(
    client: Any, campaign: Any, households: list[Any], officer_a: Any
) -> None:
    assignment = assignment_of(campaign, households[0])
    person = Person.objects.filter(household=households[0]).first()
    client.force_login(officer_a)
    response = client.post(reverse("screening:dial", args=[assignment.pk, person.pk]))
    assert response.status_code == 403
    assert not AccessEvent.objects.filter(kind=AccessKind.CALL).exists()


def test_the_dial_route_answers_a_get_with_405_and_logs_nothing(
    client: Any, campaign: Any, households: list[Any], grid_worker_a1: Any
) -> None:
    # A GET is what a link prefetch, a crawler or a reloaded history entry sends: it must
    # not write an access event (nor hand out the number).
    assignment = assignment_of(campaign, households[0])
    person = Person.objects.filter(household=households[0]).first()
    client.force_login(grid_worker_a1)

    response = client.get(reverse("screening:dial", args=[assignment.pk, person.pk]))

    assert response.status_code == 405
    assert "Location" not in response
    assert not AccessEvent.objects.filter(kind=AccessKind.CALL).exists()


def test_the_call_buttons_post_to_the_dial_route_with_a_csrf_token(
    client: Any, campaign: Any, households: list[Any], grid_worker_a1: Any
) -> None:
    assignment = assignment_of(campaign, households[0])
    person = Person.objects.filter(household=households[0]).first()
    client.force_login(grid_worker_a1)

    page = client.get(reverse("screening:call", args=[assignment.pk])).content.decode()

    dial = reverse("screening:dial", args=[assignment.pk, person.pk])
    assert f'<form method="post" action="{dial}">' in page
    assert f'href="{dial}"' not in page
    assert "csrfmiddlewaretoken" in page
