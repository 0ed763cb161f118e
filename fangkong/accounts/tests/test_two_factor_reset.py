"""A community officer resets the authenticator app of a user of their community (a lost
phone); nobody else's, and each reset is audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse

from fangkong.accounts.models import AuthenticatorDevice
from fangkong.accounts.services import do_reset_two_factor
from fangkong.accounts.tests.factories import PASSWORD, AuthenticatorDeviceFactory
from fangkong.core.models import ObjectChange

pytestmark = pytest.mark.django_db

USERS = reverse("accounts:two_factor_users")


def reset_url(user: Any) -> str:
    return reverse("accounts:two_factor_reset", kwargs={"pk": user.pk})


@pytest.fixture
def enrolled_worker(grid_worker_a1: Any) -> Any:
    AuthenticatorDeviceFactory(user=grid_worker_a1)
    return grid_worker_a1


def test_an_officer_resets_the_app_of_a_user_of_their_community(
    client: Client, officer_a: Any, enrolled_worker: Any
) -> None:
    client.force_login(officer_a)
    assert enrolled_worker.full_name in client.get(USERS).content.decode()

    response = client.post(reset_url(enrolled_worker))

    assert response["Location"] == USERS
    assert not AuthenticatorDevice.objects.filter(user=enrolled_worker).exists()
    change = ObjectChange.objects.get(content_type__model="totpdevice")
    assert (change.action, change.actor, change.before["event"]) == ("delete", officer_a, "reset")
    assert change.area_path == enrolled_worker.area.path
    # The worker logs in with the password alone again
    login = Client().post(reverse("accounts:login"),
                          {"username": "grid_worker_a1", "password": PASSWORD})
    assert login["Location"] == reverse("reports:home")


def test_an_officer_of_another_community_gets_not_found(
    client: Client, officer_b: Any, enrolled_worker: Any
) -> None:
    client.force_login(officer_b)

    assert client.post(reset_url(enrolled_worker)).status_code == 404
    assert enrolled_worker.full_name not in client.get(USERS).content.decode()
    assert AuthenticatorDevice.objects.filter(user=enrolled_worker).exists()
    assert not ObjectChange.objects.filter(content_type__model="totpdevice").exists()


@pytest.mark.parametrize("persona", ["grid_worker_a2", "health_a", "street_official"])
def test_other_roles_may_not_reset(
    client: Client, request: pytest.FixtureRequest, persona: str, enrolled_worker: Any
) -> None:
    client.force_login(request.getfixturevalue(persona))

    assert client.get(USERS).status_code == 403
    assert client.post(reset_url(enrolled_worker)).status_code == 404
    assert AuthenticatorDevice.objects.filter(user=enrolled_worker).exists()


def test_an_officer_cannot_reset_their_own_app_this_way(officer_a: Any) -> None:
    AuthenticatorDeviceFactory(user=officer_a)

    with pytest.raises(Http404):
        do_reset_two_factor(officer_a.pk, by=officer_a)
    assert AuthenticatorDevice.objects.filter(user=officer_a).exists()


def test_the_list_shows_only_users_with_an_app(
    client: Client, officer_a: Any, enrolled_worker: Any, grid_worker_a2: Any
) -> None:
    client.force_login(officer_a)

    page = client.get(USERS).content.decode()

    assert enrolled_worker.get_username() in page
    assert grid_worker_a2.get_username() not in page
