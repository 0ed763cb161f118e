"""Logging in with an authenticator app: the password first, then a code; the session is not
logged in until the code is right, and wrong codes are refused, logged and limited."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from fangkong.accounts import two_factor
from fangkong.accounts.models import AuthenticatorDevice
from fangkong.accounts.services import CODE_MESSAGES, CodeCheck
from fangkong.accounts.tests.factories import PASSWORD, AuthenticatorDeviceFactory, code_for
from fangkong.core.models import ObjectChange

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
CODE = reverse("accounts:login_code")
HOME = reverse("reports:home")


def password_step(client: Client, username: str, ip: str = "10.0.0.1", **extra: Any) -> Any:
    return client.post(LOGIN, {"username": username, "password": PASSWORD, **extra}, REMOTE_ADDR=ip)


def code_step(client: Client, code: str, ip: str = "10.0.0.1") -> Any:
    return client.post(CODE, {"code": code}, REMOTE_ADDR=ip)


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def device(officer_a: Any) -> Any:
    return AuthenticatorDeviceFactory(user=officer_a)


def test_a_user_without_an_app_logs_in_with_the_password_alone(
    client: Client, officer_a: Any
) -> None:
    response = password_step(client, "officer_a")

    assert response.status_code == 302
    assert response["Location"] == HOME
    assert is_logged_in(client)
    assert client.session[two_factor.STATE_KEY] == two_factor.NONE


def test_a_user_with_an_app_is_not_logged_in_by_the_password(client: Client, device: Any) -> None:
    response = password_step(client, "officer_a")

    assert response.status_code == 302
    assert response["Location"] == CODE
    assert not is_logged_in(client)
    assert client.get(HOME)["Location"].startswith(LOGIN)
    page = client.get(CODE)
    assert page.status_code == 200
    assert 'autocomplete="one-time-code"' in page.content.decode()


def test_the_right_code_logs_in_and_goes_on_to_the_page_asked_for(
    client: Client, device: Any
) -> None:
    password_step(client, "officer_a", next="/areas/")

    response = code_step(client, code_for(device))

    assert response.status_code == 302
    assert response["Location"] == "/areas/"
    assert is_logged_in(client)
    assert client.session[two_factor.STATE_KEY] == two_factor.VERIFIED
    assert client.get(HOME).status_code == 200


def test_a_wrong_code_is_refused_with_a_message_and_logged_without_the_secret(
    client: Client, device: Any
) -> None:
    password_step(client, "officer_a")
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    response = code_step(client, wrong)

    assert response.status_code == 200
    # The message in the page's language (Chinese: see the locale's translation of it)
    assert escape(str(CODE_MESSAGES[CodeCheck.WRONG])) in response.content.decode()
    assert not is_logged_in(client)
    change = ObjectChange.objects.get(content_type__model="totpdevice")
    assert change.after["event"] == "wrong_code"
    assert (change.before["failed_codes"], change.after["failed_codes"]) == (0, 1)
    assert change.actor_name == "officer_a"
    assert change.area_path == device.user.area.path
    logged = json.dumps([change.before, change.after, change.object_repr])
    assert device.key not in logged
    assert two_factor.secret_text(device).replace(" ", "") not in logged


@pytest.mark.parametrize(
    "code", ["", "abc", "12345", "1234567", "１２３４５６", "12 34 5x", "9" * 21, "\x00" * 6]
)
def test_malformed_codes_get_a_message_not_an_error(client: Client, device: Any, code: str) -> None:
    password_step(client, "officer_a")

    response = code_step(client, code)

    assert response.status_code == 200
    assert not is_logged_in(client)
    assert 'role="alert"' in response.content.decode()


def test_spaces_between_the_digits_are_fine(client: Client, device: Any) -> None:
    password_step(client, "officer_a")
    code = code_for(device)

    code_step(client, f"{code[:3]} {code[3:]}")

    assert is_logged_in(client)


def test_wrong_codes_count_towards_the_pause_on_failed_logins(client: Client, device: Any) -> None:
    # Given an attacker who knows the password and guesses codes from one address
    password_step(client, "officer_a", ip="203.0.113.9")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert code_step(client, "000000", ip="203.0.113.9").status_code == 200
    # When the guesses reach the limit, that username is paused from that address
    assert code_step(client, "000000", ip="203.0.113.9").status_code == 429
    # Then not even the right password and code get in from there
    assert password_step(client, "officer_a", ip="203.0.113.9").status_code == 429
    assert code_step(client, code_for(device), ip="203.0.113.9")["Location"] == LOGIN
    assert not is_logged_in(client)
    # But the real officer, from their own address a minute later, still can (the app's own
    # back-off after wrong codes lasts seconds: 1, 2, 4… for each wrong code in a row)
    AuthenticatorDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - dt.timedelta(minutes=1)
    )
    officer = Client()
    password_step(officer, "officer_a", ip="10.0.0.7")
    code_step(officer, code_for(device), ip="10.0.0.7")
    assert is_logged_in(officer)


def test_a_code_works_once(client: Client, device: Any) -> None:
    password_step(client, "officer_a")
    code = code_for(device)
    code_step(client, code)
    client.post(reverse("accounts:logout"))

    password_step(client, "officer_a")
    response = code_step(client, code)

    assert response.status_code == 200
    assert not is_logged_in(client)


def test_the_code_step_expires_and_asks_for_the_password_again(client: Client, device: Any) -> None:
    password_step(client, "officer_a")
    session = client.session
    session[two_factor.PENDING_KEY]["since"] -= two_factor.PENDING_SECONDS + 1
    session.save()

    response = code_step(client, code_for(device))

    assert response["Location"] == LOGIN
    assert not is_logged_in(client)


def test_the_code_step_without_a_password_step_sends_to_log_in(client: Client) -> None:
    assert client.get(CODE)["Location"] == LOGIN
    assert client.post(CODE, {"code": "123456"})["Location"] == LOGIN
