"""Setting up two-step login from one's own account page, removing it, and the roles that
must have it (``TWO_FACTOR_REQUIRED_ROLES``)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import checks
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from fangkong.accounts import two_factor
from fangkong.accounts.models import AuthenticatorDevice
from fangkong.accounts.services import CODE_MESSAGES, CodeCheck
from fangkong.accounts.tests.factories import PASSWORD, AuthenticatorDeviceFactory, code_for
from fangkong.core.models import ObjectChange
from fangkong.core.tests.helpers import issue_api_token as issue

pytestmark = pytest.mark.django_db

ACCOUNT = reverse("accounts:account")
START = reverse("accounts:two_factor_start")
CONFIRM = reverse("accounts:two_factor_confirm")
REMOVE = reverse("accounts:two_factor_remove")
LOGIN = reverse("accounts:login")
HOME = reverse("reports:home")


def device_changes() -> list[ObjectChange]:
    return list(ObjectChange.objects.filter(content_type__model="totpdevice").order_by("pk"))


def log_in(client: Client, username: str) -> Any:
    return client.post(LOGIN, {"username": username, "password": PASSWORD})


@pytest.fixture
def no_back_off(settings: Any) -> None:
    """django-otp waits 1, 2, 4… seconds after each wrong code; a test does not."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def test_a_user_enrols_by_scanning_the_code_and_confirming_one(
    client: Client, officer_a: Any
) -> None:
    # Given an officer on their account page, who starts setting up
    client.force_login(officer_a)
    assert client.post(START)["Location"] == ACCOUNT
    device = AuthenticatorDevice.objects.get(user=officer_a)
    # Then the page shows the QR code (an inline SVG, no outside service) and the key
    page = client.get(ACCOUNT).content.decode()
    assert "<svg" in page
    assert two_factor.secret_text(device) in page
    assert 'src="http' not in page
    assert not device.confirmed
    # And until confirmed the app does not count: the password alone still logs in
    assert log_in(Client(), "officer_a")["Location"] == HOME

    # When they enter the code the app shows
    response = client.post(CONFIRM, {"code": code_for(device)})

    # Then the app counts, the page no longer shows the key, and the change is logged
    assert response["Location"] == ACCOUNT
    device.refresh_from_db()
    assert device.confirmed
    page = client.get(ACCOUNT).content.decode()
    assert two_factor.secret_text(device) not in page
    assert "<svg" not in page
    (change,) = device_changes()
    assert (change.before["confirmed"], change.after["confirmed"]) == (False, True)
    assert change.after["event"] == "enrolled"
    assert change.actor == officer_a
    assert device.key not in json.dumps([change.before, change.after])
    # And the next login asks for a code
    assert log_in(Client(), "officer_a")["Location"] == reverse("accounts:login_code")


def test_a_wrong_confirmation_code_leaves_the_app_unconfirmed(
    client: Client, officer_a: Any, no_back_off: None
) -> None:
    client.force_login(officer_a)
    client.post(START)
    device = AuthenticatorDevice.objects.get(user=officer_a)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    response = client.post(CONFIRM, {"code": wrong})

    assert response.status_code == 200
    assert escape(str(CODE_MESSAGES[CodeCheck.WRONG])) in response.content.decode()
    assert two_factor.secret_text(device) in response.content.decode()  # still to scan
    device.refresh_from_db()
    assert not device.confirmed
    assert [c.after["event"] for c in device_changes()] == ["wrong_code"]
    # The right code still works after a wrong one
    client.post(CONFIRM, {"code": code_for(device)})
    device.refresh_from_db()
    assert device.confirmed


def test_starting_again_replaces_the_unconfirmed_key(client: Client, officer_a: Any) -> None:
    client.force_login(officer_a)
    client.post(START)
    first = AuthenticatorDevice.objects.get(user=officer_a)

    client.post(START)

    second = AuthenticatorDevice.objects.get(user=officer_a)
    assert second.pk != first.pk
    assert second.key != first.key


def test_removing_the_app_needs_a_current_code(
    client: Client, officer_a: Any, no_back_off: None
) -> None:
    device = AuthenticatorDeviceFactory(user=officer_a)
    client.post(LOGIN, {"username": "officer_a", "password": PASSWORD})
    client.post(reverse("accounts:login_code"), {"code": code_for(device)})

    # A wrong code, or none, removes nothing
    refused = client.post(REMOVE, {"code": "000000"})
    assert escape(str(CODE_MESSAGES[CodeCheck.WRONG])) in refused.content.decode()
    assert client.post(REMOVE, {"code": ""}).status_code == 200
    assert AuthenticatorDevice.objects.filter(pk=device.pk).exists()

    # The next code the app shows removes it
    response = client.post(REMOVE, {"code": code_for(device, steps_ahead=1)})

    assert response["Location"] == ACCOUNT
    assert not AuthenticatorDevice.objects.filter(user=officer_a).exists()
    change = device_changes()[-1]
    assert change.action == "delete"
    assert change.before["event"] == "removed"
    assert change.actor == officer_a
    assert log_in(Client(), "officer_a")["Location"] == HOME


# --- Roles that must use an app -----------------------------------------------------------


@pytest.fixture
def grid_workers_must_enrol(settings: Any) -> None:
    settings.TWO_FACTOR_REQUIRED_ROLES = ["grid_worker"]


def test_by_default_no_role_must_enrol(settings: Any) -> None:
    assert settings.TWO_FACTOR_REQUIRED_ROLES == []


def test_a_user_of_a_required_role_is_held_on_the_account_page_until_enrolled(
    client: Client, grid_worker_a1: Any, grid_workers_must_enrol: None
) -> None:
    # Given a grid worker, whose role must use an app, logging in with the password
    response = log_in(client, "grid_worker_a1")
    assert response["Location"] == HOME
    # Then every page sends them to enrol, and the API through the session is refused
    for url in (HOME, reverse("registry:person_list"), reverse("areas:tree")):
        assert client.get(url)["Location"] == ACCOUNT, url
    api = client.get(reverse("api:person-list"))
    assert api.status_code == 403
    assert api.json()["code"] == "two_factor_required"
    page = client.get(ACCOUNT)
    assert page.status_code == 200
    # When they enrol
    client.post(START)
    device = AuthenticatorDevice.objects.get(user=grid_worker_a1)
    client.post(CONFIRM, {"code": code_for(device)})
    # Then the pages open
    assert client.get(HOME).status_code == 200
    assert client.get(reverse("api:person-list")).status_code == 200


def test_a_user_of_a_required_role_may_still_log_out(
    client: Client, grid_worker_a1: Any, grid_workers_must_enrol: None
) -> None:
    log_in(client, "grid_worker_a1")

    response = client.post(reverse("accounts:logout"))

    assert response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session


def test_other_roles_are_not_held(
    client: Client, officer_a: Any, grid_workers_must_enrol: None
) -> None:
    log_in(client, "officer_a")

    assert client.get(HOME).status_code == 200


def test_api_bearer_tokens_are_not_affected(
    client: Client, grid_worker_a1: Any, grid_workers_must_enrol: None
) -> None:
    key = issue("grid_worker_a1")[0].strip()

    response = client.get(reverse("api:person-list"), HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 200


def test_an_unknown_role_in_the_setting_fails_the_system_check(settings: Any) -> None:
    settings.TWO_FACTOR_REQUIRED_ROLES = ["grid_worker", "gird_worker"]

    errors = [e for e in checks.run_checks() if e.id == "accounts.E001"]

    assert len(errors) == 1
    assert "gird_worker" in errors[0].msg
