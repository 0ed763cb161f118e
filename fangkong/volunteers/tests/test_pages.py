"""The volunteers pages: the list veterans first, a request with its matches and the
accept button, adding a veteran resident in one step."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from fangkong.registry.choices import PersonTag
from fangkong.registry.services import do_update_person
from fangkong.registry.tests.factories import PersonFactory
from fangkong.volunteers.choices import RequestStatus, VolunteerGroup
from fangkong.volunteers.models import Volunteer
from fangkong.volunteers.tests.factories import VolunteerFactory, VolunteerRequestFactory

pytestmark = pytest.mark.django_db


def test_the_list_shows_veterans_first(client: Any, officer_a: Any, community_a: Any) -> None:
    VolunteerFactory(community=community_a, name="党员乙", groups=[VolunteerGroup.PARTY_MEMBER])
    VolunteerFactory(community=community_a, name="老兵甲", groups=[VolunteerGroup.VETERAN])
    client.force_login(officer_a)

    page = client.get(reverse("volunteers:volunteer_list", args=[community_a.pk]))

    text = page.content.decode()
    assert page.status_code == 200
    assert text.index("老兵甲") < text.index("党员乙")


def test_an_officer_fills_a_request_from_its_matches(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    veteran = VolunteerFactory(community=community_a, name="老兵甲")
    wanted = VolunteerRequestFactory(community=community_a, people_needed=1)
    client.force_login(officer_a)
    page = client.get(reverse("volunteers:request_detail", args=[wanted.pk]))
    assert "老兵甲" in page.content.decode()

    response = client.post(
        reverse("volunteers:request_answer", args=[wanted.pk]),
        {"volunteer": veteran.pk, "answer": "accepted"},
    )

    assert response.status_code == 302
    wanted.refresh_from_db()
    assert wanted.status == RequestStatus.FILLED


def test_a_veteran_resident_is_added_as_a_volunteer_with_one_button(
    client: Any, officer_a: Any, community_a: Any, grid_a1: Any
) -> None:
    person = PersonFactory(household__building__grid=grid_a1, name="周建军")
    do_update_person(person, by=None, tags=[PersonTag.VETERAN])
    client.force_login(officer_a)
    listed = client.get(reverse("volunteers:veteran_residents", args=[community_a.pk]))
    assert "周建军" in listed.content.decode()

    client.post(reverse("volunteers:add_resident", args=[person.pk]))

    assert Volunteer.objects.get(person=person).display_name == "周建军"


def test_a_grid_worker_may_not_open_the_volunteers(
    client: Any, grid_worker_a1: Any, community_a: Any
) -> None:
    client.force_login(grid_worker_a1)
    response = client.get(reverse("volunteers:volunteer_list", args=[community_a.pk]))
    assert response.status_code == 403
