"""The daily reports' API: list, detail, submit, correct; refusals as structured JSON."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from fangkong.daily.models import DailyReport
from fangkong.daily.tests.factories import DailyReportFactory, stored_day

pytestmark = pytest.mark.django_db

LIST = "api:daily-report-list"


def _post(client: Any, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, content_type="application/json")


def test_an_officer_submits_through_the_api_and_reads_it_back(
    client: Any, community_a: Any, officer_a: Any
) -> None:
    today = community_a.local_today()
    stored_day(community_a, today, households=4)
    client.force_login(officer_a)

    response = _post(
        client, reverse(LIST), {"area": community_a.pk, "day": today.isoformat(), "problems": "无"}
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["figures"]["households.total"] == 4
    assert body["revision"] == 1
    listed = client.get(reverse(LIST), {"day": today.isoformat()}).json()
    assert [r["id"] for r in listed["results"]] == [body["id"]]
    assert client.get(reverse("api:daily-report-detail", args=[body["id"]])).status_code == 200


def test_a_second_submission_is_a_400_with_the_reason(
    client: Any, community_a: Any, officer_a: Any
) -> None:
    DailyReportFactory(area=community_a)
    client.force_login(officer_a)

    response = _post(
        client,
        reverse(LIST),
        {"area": community_a.pk, "day": community_a.local_today().isoformat()},
    )

    assert response.status_code == 400
    assert response.json()["message"]
    assert DailyReport.objects.count() == 1


def test_a_future_date_is_a_400_on_the_day_field(
    client: Any, community_a: Any, officer_a: Any
) -> None:
    client.force_login(officer_a)
    tomorrow = community_a.local_today() + dt.timedelta(days=1)

    response = _post(client, reverse(LIST), {"area": community_a.pk, "day": tomorrow.isoformat()})

    assert response.status_code == 400
    assert "day" in response.json()["fields"]
    assert not DailyReport.objects.exists()


def test_a_community_outside_the_callers_scope_is_refused_as_unknown(
    client: Any, community_a: Any, officer_b: Any
) -> None:
    client.force_login(officer_b)

    response = _post(
        client,
        reverse(LIST),
        {"area": community_a.pk, "day": community_a.local_today().isoformat()},
    )

    assert response.status_code == 400
    assert "area" in response.json()["fields"]
    assert not DailyReport.objects.exists()


def test_a_correction_needs_a_reason_and_makes_a_new_revision(
    client: Any, community_a: Any, officer_a: Any
) -> None:
    report = DailyReportFactory(area=community_a)
    client.force_login(officer_a)
    url = reverse("api:daily-report-correct", args=[report.pk])

    refused = _post(client, url, {"key_events": "改"})
    corrected = _post(client, url, {"key_events": "改", "reason": "补充重点事项"})

    assert refused.status_code == 400
    assert "reason" in refused.json()["fields"]
    assert corrected.status_code == 200
    assert corrected.json()["revision"] == 2
    assert corrected.json()["changes"]["notes"] == ["key_events"]


def test_the_street_official_reads_its_communities_reports_but_cannot_correct_them(
    client: Any, community_a: Any, street_official: Any
) -> None:
    report = DailyReportFactory(area=community_a)
    client.force_login(street_official)

    read = client.get(reverse("api:daily-report-detail", args=[report.pk]))
    correct = _post(
        client, reverse("api:daily-report-correct", args=[report.pk]), {"reason": "代改"}
    )

    assert read.status_code == 200
    assert correct.status_code == 403
    assert correct.json()["code"] == "permission_denied"


def test_the_schema_documents_submit_and_correct(client: Any, officer_a: Any) -> None:
    client.force_login(officer_a)

    paths = client.get(reverse("api:schema")).json()["paths"]

    assert "post" in paths["/api/v1/daily-reports/"]
    assert "post" in paths["/api/v1/daily-reports/{id}/correct/"]
