"""A community officer resets the authenticator app of a user of their community (a lost
phone); nobody else's, never an officer's, official's or staff member's (an administrator's
job), and each reset or refused attempt is audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from fangkong.accounts.choices import Role
from fangkong.accounts.models import AuthenticatorDevice, User
from fangkong.accounts.roles import may_reset_two_factor
from fangkong.accounts.services import RESET_REFUSED, do_reset_two_factor
from fangkong.accounts.tests.factories import PASSWORD, AuthenticatorDeviceFactory, UserFactory
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
    login = Client().post(
        reverse("accounts:login"), {"username": "grid_worker_a1", "password": PASSWORD}
    )
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


# --- Officers' apps: an administrator's to reset ----------------------------------------------


@pytest.fixture
def officer_a2(community_a: Any) -> Any:
    """A second community officer of community A."""
    return UserFactory(username="officer_a2", role=Role.COMMUNITY_OFFICER, area=community_a)


@pytest.mark.parametrize("target", ["health_a", "officer_a2", "staff_worker"])
def test_an_officer_may_not_strip_an_officers_or_staff_members_second_factor(
    client: Client,
    officer_a: Any,
    request: pytest.FixtureRequest,
    target: str,
    grid_a1: Any,
) -> None:
    # Given the health officer, a fellow officer or a staff member of the same community,
    # each with an app
    if target == "staff_worker":
        victim = UserFactory(
            username="staff_worker", role=Role.GRID_WORKER, area=grid_a1, is_staff=True
        )
    else:
        victim = request.getfixturevalue(target)
    AuthenticatorDeviceFactory(user=victim)
    client.force_login(officer_a)

    # When the community officer tries to reset it
    response = client.post(reset_url(victim))

    # Then it is refused with a reason in Chinese, the app stays, and the attempt is logged
    assert response.status_code == 403
    assert escape(str(RESET_REFUSED)) in response.content.decode()
    assert "管理员" in response.content.decode()
    assert AuthenticatorDevice.objects.filter(user=victim, confirmed=True).exists()
    change = ObjectChange.objects.get(content_type__model="totpdevice")
    assert (change.action, change.actor, change.after["event"]) == (
        "update",
        officer_a,
        "reset_refused",
    )


def test_the_list_shows_officers_without_a_reset_button(
    client: Client, officer_a: Any, health_a: Any, enrolled_worker: Any
) -> None:
    AuthenticatorDeviceFactory(user=health_a)
    client.force_login(officer_a)

    page = client.get(USERS).content.decode()

    assert reset_url(enrolled_worker) in page
    assert health_a.get_username() in page
    assert reset_url(health_a) not in page


def test_an_administrator_resets_an_officers_app(
    client: Client, superuser: Any, health_a: Any
) -> None:
    AuthenticatorDeviceFactory(user=health_a)
    client.force_login(superuser)

    response = client.post(reset_url(health_a))

    assert response["Location"] == USERS
    assert not AuthenticatorDevice.objects.filter(user=health_a).exists()
    change = ObjectChange.objects.get(content_type__model="totpdevice")
    assert (change.actor, change.before["event"]) == (superuser, "reset")


@pytest.mark.parametrize(
    ("actor_role", "target_role", "allowed"),
    [
        (Role.COMMUNITY_OFFICER, Role.GRID_WORKER, True),
        (Role.COMMUNITY_OFFICER, Role.CHECKPOINT_STAFF, True),
        (Role.COMMUNITY_OFFICER, Role.VOLUNTEER, True),
        (Role.COMMUNITY_OFFICER, Role.HEALTH_OFFICER, False),
        (Role.COMMUNITY_OFFICER, Role.COMMUNITY_OFFICER, False),
        (Role.COMMUNITY_OFFICER, Role.STREET_OFFICIAL, False),
        (Role.DISTRICT_OFFICIAL, Role.HEALTH_OFFICER, False),
        (Role.GRID_WORKER, Role.GRID_WORKER, False),
    ],
)
def test_only_users_below_the_actor_and_no_officers_may_be_reset(
    actor_role: str, target_role: str, allowed: bool
) -> None:
    actor = User(role=actor_role)
    target = User(role=target_role)

    assert may_reset_two_factor(actor, target) is allowed
    assert may_reset_two_factor(User(is_superuser=True), target) is True
