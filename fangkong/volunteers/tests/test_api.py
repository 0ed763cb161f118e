"""The volunteers API: create through the service, a request's matches veterans first, an
acceptance onto the roster, hours counted."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from fangkong.staff.models import ShiftAssignment
from fangkong.volunteers.choices import VolunteerGroup
from fangkong.volunteers.tests.factories import VolunteerFactory, VolunteerRequestFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(officer_a: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(officer_a)
    return client


def test_an_outsider_is_created_with_a_masked_phone(api: APIClient, community_a: Any) -> None:
    response = api.post(
        "/api/v1/volunteers/",
        {
            "community": community_a.pk,
            "name": "王卫东",
            "phone": "13912345678",
            "groups": ["veteran"],
            "skills": ["driving"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["phone"] == "139****5678"
    assert body["groups"] == ["veteran"]
    assert body["rank"] == 0


def test_matches_come_veterans_first_and_accept_puts_one_on_the_roster(
    api: APIClient, community_a: Any
) -> None:
    other = VolunteerFactory(community=community_a, groups=[VolunteerGroup.OTHER])
    veteran = VolunteerFactory(community=community_a, groups=[VolunteerGroup.VETERAN])
    wanted = VolunteerRequestFactory(community=community_a, people_needed=2)

    matches = api.get(f"/api/v1/volunteer-requests/{wanted.pk}/matches/").json()
    assert [m["id"] for m in matches] == [veteran.pk, other.pk]

    accepted = api.post(
        f"/api/v1/volunteer-requests/{wanted.pk}/accept/", {"volunteer": veteran.pk}
    )
    assert accepted.status_code == 200
    assert accepted.json()["answer"] == "accepted"
    assert ShiftAssignment.objects.filter(shift=wanted.shift).count() == 1
    declined = api.post(f"/api/v1/volunteer-requests/{wanted.pk}/decline/", {"volunteer": other.pk})
    assert declined.json()["answer"] == "declined"


def test_counting_hours_before_the_duty_ends_is_refused_with_the_reason(
    api: APIClient, community_a: Any
) -> None:
    wanted = VolunteerRequestFactory(community=community_a)
    response = api.post(f"/api/v1/volunteer-requests/{wanted.pk}/count-hours/", {})
    assert response.status_code == 400
    assert "值守尚未结束" in response.content.decode()


def test_another_communitys_officer_finds_no_request(officer_b: Any, community_a: Any) -> None:
    wanted = VolunteerRequestFactory(community=community_a)
    client = APIClient()
    client.force_authenticate(officer_b)
    assert client.get(f"/api/v1/volunteer-requests/{wanted.pk}/").status_code == 404
