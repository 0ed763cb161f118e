"""Evidence and the four-eyes rule: only the health role changes a health status, always
with a reason and evidence; more than ten people for one actor in one community within 24
hours wait for a user of another role; nobody approves their own change."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from fangkong.core.exceptions import PermissionDeniedError
from fangkong.health import services
from fangkong.health.choices import ChangeReason, ChangeStatus, Classification
from fangkong.health.models import Case, Quarantine, StatusChange
from fangkong.health.tests.factories import (
    NOTICE,
    TEST,
    CaseFactory,
    family,
    household_quarantine,
)
from fangkong.registry.tests.factories import PersonFactory
from fangkong.staff.models import Task

pytestmark = pytest.mark.django_db


def _people(grid: Any, n: int) -> list[Any]:
    household = family(grid, 0)
    return [PersonFactory(household=household) for _ in range(n)]


def _start(person: Any, by: Any) -> services.ChangeResult:
    return services.do_start_quarantine(
        person=person, kind="home", by=by, reason=ChangeReason.OFFICIAL_NOTICE, **NOTICE
    )


@pytest.mark.parametrize(
    "persona", ["officer_a", "grid_worker_a1", "checkpoint_a", "street_official"]
)
def test_only_the_health_role_changes_a_health_status(
    request: pytest.FixtureRequest, grid_a1: Any, persona: str
) -> None:
    user = request.getfixturevalue(persona)
    person = PersonFactory(household=family(grid_a1, 0))
    with pytest.raises((PermissionDeniedError, Http404)):
        _start(person, user)
    with pytest.raises((PermissionDeniedError, Http404)):
        CaseFactory(person=person, by=user)
    assert not Quarantine.objects.exists()
    assert not Case.objects.exists()


def test_a_status_change_without_evidence_is_refused(grid_a1: Any, health_a: Any) -> None:
    person = PersonFactory(household=family(grid_a1, 0))
    with pytest.raises(ValidationError) as no_evidence:
        CaseFactory(person=person, by=health_a, evidence_kind="", evidence_ref=" ")
    assert {"evidence_kind", "evidence_ref"} <= set(no_evidence.value.message_dict)
    with pytest.raises(ValidationError) as no_reason:
        services.do_start_quarantine(person=person, kind="home", by=health_a, reason="", **NOTICE)
    assert "reason" in no_reason.value.message_dict
    case = CaseFactory(person=person, by=health_a, classification=Classification.SUSPECTED)
    with pytest.raises(ValidationError):
        services.do_classify_case(
            case,
            classification=Classification.CONFIRMED,
            by=health_a,
            reason=ChangeReason.POSITIVE_TEST,
            evidence_kind="test_result",
            evidence_ref="",
        )
    case.refresh_from_db()
    assert case.classification == Classification.SUSPECTED


def test_ten_people_apply_at_once_the_eleventh_waits_for_another_role(
    grid_a1: Any, health_a: Any, officer_a: Any
) -> None:
    people = _people(grid_a1, 11)
    for person in people[:10]:
        assert not _start(person, health_a).pending
    waiting = _start(people[10], health_a)

    # The eleventh person's quarantine waits: nothing started, the officer has a task
    assert waiting.pending
    assert not Quarantine.objects.filter(person=people[10]).exists()
    change = waiting.changes[0]
    assert change.status == ChangeStatus.PENDING
    task = Task.objects.get(pk=change.task_id)
    assert task.assignee == officer_a
    assert task.kind == "health.approval"

    # The health officer cannot approve their own change
    with pytest.raises(ValidationError) as own:
        services.do_approve_change(change, by=health_a)
    assert "your own change" in str(own.value)

    # The community officer approves: the quarantine starts now
    approved = services.do_approve_change(change, by=officer_a)
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED
    assert change.decided_by == officer_a
    assert approved.obj.person == people[10]
    task.refresh_from_db()
    assert task.status == "done"


def test_another_user_of_the_same_role_cannot_approve(
    grid_a1: Any, health_a: Any, community_a: Any
) -> None:
    from fangkong.accounts.choices import Role
    from fangkong.accounts.tests.factories import UserFactory

    colleague = UserFactory(username="health_a2", role=Role.HEALTH_OFFICER, area=community_a)
    people = _people(grid_a1, 11)
    for person in people:
        result = _start(person, health_a)
    with pytest.raises(ValidationError) as same_role:
        services.do_approve_change(result.changes[0], by=colleague)
    assert "another role" in str(same_role.value)


def test_batches_of_ten_do_not_get_around_the_rule(
    grid_a1: Any, health_a: Any, officer_a: Any
) -> None:
    # Given ten quarantines already started today
    people = _people(grid_a1, 20)
    for person in people[:10]:
        _start(person, health_a)
    # When ten more come as a household quarantine (one action for many people)
    household = family(grid_a1, 10)
    waiting = household_quarantine(household, by=health_a)
    # Then all ten wait, together, in one batch
    assert waiting.pending
    assert waiting.people == 10
    assert len({c.batch for c in waiting.changes}) == 1
    assert not Quarantine.objects.filter(household=household).exists()
    # And pending changes count too: a single change after them still waits
    assert _start(people[10], health_a).pending
    # When the officer approves the household's batch, all ten start
    services.do_approve_change(waiting.changes[3], by=officer_a)
    assert Quarantine.objects.filter(household=household).count() == 10


def test_the_count_is_per_actor_per_community_and_per_day(
    grid_a1: Any, health_a: Any, community_a: Any
) -> None:
    from fangkong.accounts.choices import Role
    from fangkong.accounts.tests.factories import UserFactory

    colleague = UserFactory(username="health_a2", role=Role.HEALTH_OFFICER, area=community_a)
    people = _people(grid_a1, 16)
    for person in people[:8]:
        assert not _start(person, health_a).pending
    for person in people[8:16]:
        assert not _start(person, colleague).pending
    # Changes older than 24 hours no longer count
    StatusChange.objects.update(created=timezone.now() - dt.timedelta(hours=25))
    more = _people(grid_a1, 10)
    assert not any(_start(p, health_a).pending for p in more)


def test_touching_the_same_person_again_does_not_count_twice(grid_a1: Any, health_a: Any) -> None:
    people = _people(grid_a1, 10)
    quarantines = [_start(p, health_a).obj for p in people]
    for quarantine in quarantines:
        result = services.do_change_quarantine_end(
            quarantine,
            new_end=quarantine.planned_end + dt.timedelta(days=2),
            by=health_a,
            reason=ChangeReason.NEW_EXPOSURE,
            **NOTICE,
        )
        assert not result.pending


def test_a_rejected_change_changes_nothing_and_needs_a_reason(
    grid_a1: Any, health_a: Any, officer_a: Any
) -> None:
    people = _people(grid_a1, 11)
    results = [_start(p, health_a) for p in people]
    change = results[-1].changes[0]
    with pytest.raises(ValidationError):
        services.do_reject_change(change, by=officer_a, note="")
    services.do_reject_change(change, by=officer_a, note="证据不足")
    change.refresh_from_db()
    assert change.status == ChangeStatus.REJECTED
    assert not Quarantine.objects.filter(person=people[-1]).exists()
    with pytest.raises(ValidationError):
        services.do_approve_change(change, by=officer_a)


def test_approval_is_scoped_to_the_approvers_community(
    grid_a1: Any, health_a: Any, officer_b: Any
) -> None:
    people = _people(grid_a1, 11)
    result = None
    for person in people:
        result = _start(person, health_a)
    with pytest.raises(Http404):
        services.do_approve_change(result.changes[0], by=officer_b)


def test_reclassification_and_outcome_are_status_changes_with_history(
    grid_a1: Any, health_a: Any
) -> None:
    case = CaseFactory(
        person=PersonFactory(household=family(grid_a1, 0)),
        by=health_a,
        classification=Classification.SUSPECTED,
        reason=ChangeReason.SYMPTOMS,
        **NOTICE,
    )
    services.do_classify_case(
        case,
        classification=Classification.CONFIRMED,
        by=health_a,
        reason=ChangeReason.POSITIVE_TEST,
        **TEST,
    )
    services.do_record_outcome(
        case,
        outcome="recovered",
        by=health_a,
        reason=ChangeReason.DISCHARGED,
        evidence_kind="medical_record",
        evidence_ref="出院小结 2020-03-01",
    )
    case.refresh_from_db()
    assert case.classification == Classification.CONFIRMED
    assert case.confirmation_date is not None
    assert case.outcome == "recovered"
    history = [
        (c.action, c.from_value, c.to_value)
        for c in StatusChange.objects.filter(case=case).order_by("pk")
    ]
    assert history == [
        ("case_open", "", "suspected"),
        ("case_classify", "suspected", "confirmed"),
        ("case_outcome", "", "recovered"),
    ]
