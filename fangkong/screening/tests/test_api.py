"""The screening API: call lists, recording calls (with the same refusals as the pages),
campaigns and their coverage, answers with their questionnaire version."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from fangkong.core.personal_data import decrypt
from fangkong.registry.models import Person
from fangkong.screening.choices import AssignmentStatus, Outcome
from fangkong.screening.models import CallAttempt, Campaign
from fangkong.screening.services import do_close_campaign, do_record_call
from fangkong.screening.tests.factories import (
    QuestionnaireFactory,
    assignment_of,
    good_answers,
    started_campaign,
    street_of_households,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/screening"


@pytest.fixture
def setting(community_a: Any, grid_a1: Any, grid_worker_a1: Any, officer_a: Any) -> dict:
    households = street_of_households(grid_a1, 3, people=2)
    return {"campaign": started_campaign(community_a), "households": households}


def _post(client: Any, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(data), content_type="application/json")


def test_a_caller_gets_their_due_households_with_masked_members(
    client: Any, setting: dict, grid_worker_a1: Any
) -> None:
    client.force_login(grid_worker_a1)
    response = client.get(f"{API}/assignments/", {"mine": "true", "due": "true"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    row = body["results"][0]
    assert row["status"] == "pending"
    assert len(row["members"]) == 2
    assert row["members"][0]["phone"].count("*") == 4
    text = response.content.decode()
    for person in Person.objects.filter(household__in=setting["households"]):
        assert person.name not in text
        assert decrypt(person.phone_cipher) not in text


def test_a_caller_records_an_answered_call(client: Any, setting: dict, grid_worker_a1: Any) -> None:
    assignment = assignment_of(setting["campaign"], setting["households"][0])
    client.force_login(grid_worker_a1)
    response = _post(
        client,
        f"{API}/attempts/",
        {
            "assignment": assignment.pk,
            "outcome": "answered",
            "version": assignment.version,
            "answers": good_answers(contact="yes"),
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["assignment"]["status"] == AssignmentStatus.REACHED
    assert body["assignment"]["alert_level"] == "urgent"
    assert len(body["alerts"]) == 1
    answers = client.get(f"{API}/answers/", {"campaign": setting["campaign"].pk}).json()
    assert answers["results"][0]["questionnaire_version"] == 1
    assert answers["results"][0]["answers"]["contact"] == "yes"


def test_bad_answers_are_a_400_naming_each_question(
    client: Any, setting: dict, grid_worker_a1: Any
) -> None:
    assignment = assignment_of(setting["campaign"], setting["households"][0])
    client.force_login(grid_worker_a1)
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = _post(
        client,
        f"{API}/attempts/",
        {
            "assignment": assignment.pk,
            "outcome": "answered",
            "answers": {"travelled": "yes", "return_date": tomorrow, "temperature": "43.5"},
        },
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"return_date", "contact", "temperature"}
    assert not CallAttempt.objects.exists()


def test_an_attempt_by_someone_not_assigned_is_a_403_with_the_reason(
    client: Any, setting: dict, officer_a: Any
) -> None:
    assignment = assignment_of(setting["campaign"], setting["households"][0])
    client.force_login(officer_a)
    response = client.post(
        f"{API}/attempts/",
        json.dumps({"assignment": assignment.pk, "outcome": "no_answer"}),
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 403
    assert "not on your call list" in response.json()["message"]


def test_a_household_of_another_grid_does_not_exist_for_the_caller(
    client: Any, setting: dict, grid_worker_a2: Any
) -> None:
    assignment = assignment_of(setting["campaign"], setting["households"][0])
    client.force_login(grid_worker_a2)
    response = _post(
        client, f"{API}/attempts/", {"assignment": assignment.pk, "outcome": "no_answer"}
    )
    assert response.status_code == 400
    assert "assignment" in response.json()["fields"]


def test_a_concurrent_save_is_a_409_and_the_attempt_is_kept(
    client: Any, setting: dict, grid_worker_a1: Any
) -> None:
    assignment = assignment_of(setting["campaign"], setting["households"][0])
    read = assignment.version
    do_record_call(assignment, by=grid_worker_a1, outcome=Outcome.NO_ANSWER)
    client.force_login(grid_worker_a1)
    response = _post(
        client,
        f"{API}/attempts/",
        {
            "assignment": assignment.pk,
            "outcome": "answered",
            "version": read,
            "answers": good_answers(),
        },
    )
    assert response.status_code == 409
    assert response.json()["current_version"] == read + 1
    assert CallAttempt.objects.filter(assignment=assignment, conflicted=True).count() == 1


def test_an_answer_to_a_closed_campaign_is_a_400(
    client: Any, setting: dict, grid_worker_a1: Any
) -> None:
    do_close_campaign(setting["campaign"], by=None)
    assignment = assignment_of(setting["campaign"], setting["households"][0])
    client.force_login(grid_worker_a1)
    response = _post(
        client,
        f"{API}/attempts/",
        {"assignment": assignment.pk, "outcome": "answered", "answers": good_answers()},
    )
    assert response.status_code == 400


def test_the_officer_creates_and_starts_a_campaign_and_reads_its_coverage(
    client: Any, community_a: Any, grid_a1: Any, grid_worker_a1: Any, officer_a: Any
) -> None:
    street_of_households(grid_a1, 2)
    questionnaire = QuestionnaireFactory(area=community_a)
    today = timezone.localdate()
    client.force_login(officer_a)
    created = _post(
        client,
        f"{API}/campaigns/",
        {
            "area": community_a.pk,
            "name": "第二轮排查",
            "questionnaire": questionnaire.pk,
            "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=7)).isoformat(),
        },
    )
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    started = client.post(f"{API}/campaigns/{pk}/start/")
    assert started.status_code == 200
    assert started.json()["status"] == "running"
    assert started.json()["households_total"] == 2
    coverage = client.get(f"{API}/campaigns/{pk}/coverage/").json()
    assert coverage["total"]["pending"] == 2

    # The grid worker sees the campaign, but it is not theirs to change
    client.force_login(grid_worker_a1)
    assert client.get(f"{API}/campaigns/{pk}/").status_code == 200
    refused = client.patch(
        f"{API}/campaigns/{pk}/", json.dumps({"name": "改名"}), content_type="application/json"
    )
    # Refused, not "not found": they see it (one rule: the campaign reaches down to them)
    assert refused.status_code == 403
    assert Campaign.objects.get(pk=pk).name == "第二轮排查"


@pytest.mark.parametrize("who", ["officer_a", "checkpoint_a", "volunteer_a"])
@pytest.mark.parametrize("action", ["start", "close"])
@pytest.mark.parametrize("pk", ["abc", "%EF%BC%91", "1e3"])
def test_a_campaign_id_that_is_no_number_is_a_404_in_the_error_shape(
    client: Any, request: Any, who: str, action: str, pk: str
) -> None:
    client.force_login(request.getfixturevalue(who))
    client.raise_request_exception = False

    response = client.post(f"{API}/campaigns/{pk}/{action}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
