"""The health API: status changes with evidence answer 201 or, past the four-eyes limit, 202;
bad input is refused with the project's error body (never a 500); the pages, the API and
imports count together."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fangkong.access.tests.factories import issue_pass
from fangkong.health.choices import ChangeStatus
from fangkong.health.models import Quarantine, StatusChange
from fangkong.health.tests.factories import (
    NOTICE,
    CaseFactory,
    QuarantineFactory,
    family,
    members,
)
from fangkong.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


def _post(client: Client, name: str, data: dict[str, Any], **kwargs: Any) -> Any:
    return client.post(reverse(name, kwargs=kwargs or None), data, content_type="application/json")


def _start(client: Client, person: Any, **extra: Any) -> Any:
    return _post(
        client,
        "api:health-quarantine-list",
        {"person": person.pk, "kind": "home", "reason": "official_notice", **NOTICE, **extra},
    )


@pytest.fixture
def health(client: Client, health_a: Any) -> Client:
    client.force_login(health_a)
    return client


def test_a_quarantine_started_through_the_api_answers_201_with_its_planned_end(
    health: Client, grid_a1: Any
) -> None:
    person = PersonFactory(household=family(grid_a1, 0))
    exposure = timezone.localdate() - dt.timedelta(days=2)
    response = _start(health, person, last_exposure=exposure.isoformat())
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["person"] == person.pk
    assert body["planned_end"] == (exposure + dt.timedelta(days=14)).isoformat()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"start_date": "2099-01-01"}, "start_date"),
        ({"last_exposure": "2000-01-01"}, "last_exposure"),
        ({"evidence_ref": ""}, "evidence_ref"),
        ({"reason": "death"}, "reason"),
        ({"kind": "centralised"}, "site"),
    ],
)
def test_bad_quarantine_input_is_refused_with_the_reason(
    health: Client, grid_a1: Any, data: dict[str, Any], field: str
) -> None:
    person = PersonFactory(household=family(grid_a1, 0))
    response = _start(health, person, **data)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["fields"], body
    assert body["message"]


def test_a_quarantine_ending_before_it_starts_is_refused(health: Client, grid_a1: Any) -> None:
    quarantine = QuarantineFactory(person=PersonFactory(household=family(grid_a1, 0)))
    response = _post(
        health,
        "api:health-quarantine-end-date",
        {
            "new_end": (quarantine.start_date - dt.timedelta(days=1)).isoformat(),
            "reason": "official_notice",
            **NOTICE,
        },
        pk=quarantine.pk,
    )
    assert response.status_code == 400
    assert "new_end" in response.json()["fields"]


def test_the_api_answers_in_chinese_by_default(client: Client, health_a: Any, grid_a1: Any) -> None:
    from django.utils import translation

    client.force_login(health_a)
    person = PersonFactory(household=family(grid_a1, 0))
    with translation.override("zh-hans"):
        response = _start(client, person, evidence_ref="")
    message = response.json()["fields"]["evidence_ref"][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message


def test_a_report_for_someone_not_under_monitoring_and_a_bad_temperature_are_400(
    client: Client, grid_worker_a1: Any, grid_a1: Any
) -> None:
    client.force_login(grid_worker_a1)
    free = PersonFactory(household=family(grid_a1, 0))
    response = _post(client, "api:health-report-list", {"person": free.pk, "temperature": "36.5"})
    assert response.status_code == 400
    assert "person" in response.json()["fields"]
    quarantined = QuarantineFactory(person=PersonFactory(household=family(grid_a1, 0))).person
    for value in ("43.5", "hot"):
        response = _post(
            client, "api:health-report-list", {"person": quarantined.pk, "temperature": value}
        )
        assert response.status_code == 400
        assert "temperature" in response.json()["fields"]
    response = _post(
        client,
        "api:health-report-list",
        {"person": quarantined.pk, "temperature": "38.0", "symptoms": ["cough"]},
    )
    assert response.status_code == 201
    assert response.json()["is_fever"] is True
    assert response.json()["task_id"]


def test_a_contact_date_after_the_cases_isolation_is_400(health: Client, grid_a1: Any) -> None:
    household = family(grid_a1, 2)
    case_person, other = members(household)
    case = CaseFactory(person=case_person, isolated_on=timezone.localdate() - dt.timedelta(days=3))
    response = _post(
        health,
        "api:health-contact-list",
        {
            "case": case.pk,
            "person": other.pk,
            "kind": "household",
            "last_exposure": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "last_exposure" in response.json()["fields"]


def test_a_status_change_by_a_non_health_role_is_403(
    client: Client, officer_a: Any, grid_a1: Any
) -> None:
    client.force_login(officer_a)
    response = _start(client, PersonFactory(household=family(grid_a1, 0)))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not Quarantine.objects.exists()


def test_the_eleventh_person_through_the_api_waits_with_202(
    health: Client, grid_a1: Any, client: Client
) -> None:
    people = [PersonFactory(household=family(grid_a1, 0)) for _ in range(11)]
    for person in people[:10]:
        assert _start(health, person).status_code == 201
    response = _start(health, people[10])
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "pending"
    assert body["changes"][0]["person"] == people[10].pk
    assert body["changes"][0]["source"] == "api"


def test_a_self_approval_through_the_api_is_refused_with_the_reason(
    client: Client, health_a: Any, officer_a: Any, grid_a1: Any
) -> None:
    client.force_login(health_a)
    client.cookies["django_language"] = "en"
    people = [PersonFactory(household=family(grid_a1, 0)) for _ in range(11)]
    for person in people:
        response = _start(client, person)
    change = response.json()["changes"][0]["id"]
    refused = _post(client, "api:health-change-approve", {}, pk=change)
    assert refused.status_code == 400
    assert "own change" in refused.json()["message"]
    client.force_login(officer_a)
    approved = _post(client, "api:health-change-approve", {"note": "核实无误"}, pk=change)
    assert approved.status_code == 200
    assert approved.json()["status"] == ChangeStatus.APPROVED
    assert Quarantine.objects.filter(person=people[-1]).exists()


def test_pages_and_the_api_count_together(client: Client, health_a: Any, grid_a1: Any) -> None:
    client.force_login(health_a)
    people = [PersonFactory(household=family(grid_a1, 0)) for _ in range(11)]
    # Five through the pages
    for person in people[:5]:
        response = client.post(
            reverse("health:quarantine_start", args=[person.pk]),
            {
                "kind": "monitoring",
                "start_date": timezone.localdate().isoformat(),
                "reason": "official_notice",
                **NOTICE,
            },
        )
        assert response.status_code == 302
    # Five through the API
    for person in people[5:10]:
        assert _start(client, person, kind="monitoring").status_code == 201
    # The eleventh waits, whichever door it comes through
    response = client.post(
        reverse("health:quarantine_start", args=[people[10].pk]),
        {
            "kind": "monitoring",
            "start_date": timezone.localdate().isoformat(),
            "reason": "official_notice",
            **NOTICE,
        },
    )
    assert response.status_code == 302
    change = StatusChange.objects.get(person=people[10])
    assert response["Location"] == reverse("health:change_detail", args=[change.pk])
    assert change.status == ChangeStatus.PENDING
    assert set(StatusChange.objects.values_list("source", flat=True)) == {"page", "api"}


def test_ending_a_home_quarantine_through_the_api_restores_the_pass(
    health: Client, grid_a1: Any
) -> None:
    household = family(grid_a1, 1)
    item = issue_pass(household)
    response = _post(
        health,
        "api:health-quarantine-list",
        {"household": household.pk, "kind": "home", "reason": "household_contact", **NOTICE},
    )
    assert response.status_code == 201
    item.refresh_from_db()
    assert item.status == "suspended"
    ended = _post(
        health,
        "api:health-quarantine-end",
        {"reason": "period_completed", **NOTICE},
        pk=response.json()["id"],
    )
    assert ended.status_code == 200, ended.json()
    item.refresh_from_db()
    assert item.status == "active"


def test_the_classification_changes_only_through_classify(health: Client, grid_a1: Any) -> None:
    case = CaseFactory(
        person=PersonFactory(household=family(grid_a1, 0)),
        classification="suspected",
        reason="symptoms",
    )
    url = reverse("api:health-case-detail", args=[case.pk])
    response = health.patch(url, {"classification": "confirmed"}, content_type="application/json")
    assert response.status_code == 400
    response = _post(
        health,
        "api:health-case-classify",
        {
            "classification": "confirmed",
            "reason": "positive_test",
            "evidence_kind": "test_result",
            "evidence_ref": "报告 001",
        },
        pk=case.pk,
    )
    assert response.status_code == 200
    assert response.json()["classification"] == "confirmed"


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("api:health-report-list", {"day": "0001-01-01"}),
        ("api:health-report-list", {"day": "9999-12-31"}),
        ("api:health-disinfection-list", {"since": "0001-01-01"}),
    ],
)
def test_a_date_filter_out_of_range_is_a_400(
    health: Client, name: str, query: dict[str, str]
) -> None:
    response = health.get(reverse(name), query)
    assert response.status_code == 400
    assert list(response.json()["fields"]) == list(query)
