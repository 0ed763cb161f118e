"""``person_health_status``: what the person concerned sees of their own status (the
self-service page of a later issue calls it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fangkong.health import services
from fangkong.health.choices import ChangeReason, Classification, PersonStatus
from fangkong.health.tests.factories import (
    NOTICE,
    TEST,
    CaseFactory,
    QuarantineFactory,
    family,
)
from fangkong.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def test_someone_with_no_measure_is_told_so_and_whom_to_contact(
    grid_a1: Any, grid_worker_a1: Any, health_a: Any, officer_a: Any
) -> None:
    status = services.person_health_status(PersonFactory(household=family(grid_a1, 0)))
    assert status["status"] == PersonStatus.NONE
    assert status["reason"] == ""
    assert status["pending"] == []
    assert status["history"] == []
    assert [c["role"] for c in status["contacts"]] == [
        "grid_worker",
        "health_officer",
        "community_officer",
    ]
    assert status["contacts"][0]["name"] == str(grid_worker_a1)


def test_a_quarantined_person_sees_the_measure_the_reason_and_the_evidence(
    grid_a1: Any, health_a: Any
) -> None:
    person = PersonFactory(household=family(grid_a1, 0))
    quarantine = QuarantineFactory(
        person=person, by=health_a, reason=ChangeReason.OFFICIAL_NOTICE, **NOTICE
    )
    status = services.person_health_status(person)
    assert status["status"] == PersonStatus.HOME
    assert status["since"] == quarantine.start_date
    assert status["until"] == quarantine.planned_end
    assert status["reason"] == ChangeReason.OFFICIAL_NOTICE
    assert status["evidence"] == NOTICE["evidence_ref"]
    assert status["changed_by"] == str(health_a)  # the name, as pages show it
    assert status["quarantine"]["days_left"] == 14
    assert [h["action"] for h in status["history"]] == ["quarantine_start"]


def test_a_case_outranks_a_quarantine_and_an_ended_measure_shows_what_ended_it(
    grid_a1: Any, health_a: Any
) -> None:
    person = PersonFactory(household=family(grid_a1, 0))
    quarantine = QuarantineFactory(person=person, by=health_a)
    case = CaseFactory(
        person=person,
        by=health_a,
        classification=Classification.SUSPECTED,
        reason=ChangeReason.SYMPTOMS,
        **NOTICE,
    )
    assert services.person_health_status(person)["status"] == PersonStatus.SUSPECTED
    services.do_classify_case(
        case,
        classification=Classification.EXCLUDED,
        by=health_a,
        reason=ChangeReason.NEGATIVE_TESTS,
        **TEST,
    )
    assert services.person_health_status(person)["status"] == PersonStatus.HOME
    services.do_end_quarantine(quarantine, by=health_a, reason=ChangeReason.NEGATIVE_TESTS, **TEST)
    status = services.person_health_status(person)
    assert status["status"] == PersonStatus.NONE
    assert status["reason"] == ChangeReason.NEGATIVE_TESTS
    assert status["evidence"] == TEST["evidence_ref"]


def test_a_change_waiting_for_approval_is_shown_to_the_person(grid_a1: Any, health_a: Any) -> None:
    household = family(grid_a1, 0)
    people = [PersonFactory(household=household) for _ in range(11)]
    for person in people:
        services.do_start_quarantine(
            person=person,
            kind="monitoring",
            by=health_a,
            reason=ChangeReason.RISK_AREA,
            **NOTICE,
            start_date=timezone.localdate() - dt.timedelta(days=1),
        )
    status = services.person_health_status(people[-1])
    assert status["status"] == PersonStatus.NONE  # not applied yet
    assert [p["action"] for p in status["pending"]] == ["quarantine_start"]
    assert status["pending"][0]["reason"] == ChangeReason.RISK_AREA
