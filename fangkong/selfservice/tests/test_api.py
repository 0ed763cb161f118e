"""The staff's API: links (issue shows the link once, revoke), corrections (approve,
reject), activity."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fangkong.selfservice import services
from fangkong.selfservice.choices import CorrectionKind
from fangkong.selfservice.tests.conftest import Home

pytestmark = pytest.mark.django_db


def test_issuing_through_the_api_answers_the_link_once(
    client: Client, home: Home, officer_a: Any
) -> None:
    client.force_login(officer_a)
    response = client.post(
        "/api/v1/selfservice/links/",
        {"household": home.household.pk},
        content_type="application/json",
    )
    assert response.status_code == 201
    url = response.json()["url"]
    assert "/s/" in url
    link_id = response.json()["id"]
    detail = client.get(f"/api/v1/selfservice/links/{link_id}/").json()
    assert "url" not in detail
    assert detail["in_force"] is True
    assert Client().get(url.split("testserver")[-1]).status_code == 302
    revoked = client.post(
        f"/api/v1/selfservice/links/{link_id}/revoke/",
        {"reason": "遗失"},
        content_type="application/json",
    )
    assert revoked.status_code == 200
    assert revoked.json()["in_force"] is False


def test_corrections_are_listed_and_decided_through_the_api(
    client: Client, home: Home, grid_worker_a1: Any
) -> None:
    first = services.do_propose_correction(
        home.link, kind=CorrectionKind.PHONE, phone="13912345678"
    )
    second = services.do_propose_correction(
        home.link, kind=CorrectionKind.PHONE, phone="13912340000"
    )
    client.force_login(grid_worker_a1)
    listed = client.get("/api/v1/selfservice/corrections/?status=pending").json()
    assert listed["count"] == 2
    assert "13912345678" not in str(listed)
    approved = client.post(
        f"/api/v1/selfservice/corrections/{first.pk}/approve/", {}, content_type="application/json"
    )
    assert approved.json()["status"] == "approved"
    missing_reason = client.post(
        f"/api/v1/selfservice/corrections/{second.pk}/reject/", {}, content_type="application/json"
    )
    assert missing_reason.status_code == 400
    rejected = client.post(
        f"/api/v1/selfservice/corrections/{second.pk}/reject/",
        {"reason": "不对"},
        content_type="application/json",
    )
    assert rejected.json()["status"] == "rejected"


def test_the_activity_is_the_officers(
    client: Client, home: Home, officer_a: Any, grid_worker_a1: Any
) -> None:
    home.client.get("/s/home/")
    client.force_login(officer_a)
    rows = client.get("/api/v1/selfservice/activity/").json()["results"]
    assert {row["kind"] for row in rows} >= {"opened"}
    assert client.get("/selfservice/activity/").status_code == 200
    client.force_login(grid_worker_a1)
    assert client.get("/selfservice/activity/").status_code == 403
