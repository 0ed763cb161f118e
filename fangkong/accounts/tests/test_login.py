"""Logging in, and throttling of failed logins that an attacker cannot turn against a user."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse

from fangkong.accounts.tests.factories import PASSWORD

LOGIN = "accounts:login"


def _try(client: Any, username: str, password: str, ip: str) -> Any:
    return client.post(reverse(LOGIN), {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_a_user_logs_in_and_lands_on_the_home_page(client: Any, officer_a: Any) -> None:
    response = _try(client, "officer_a", PASSWORD, "10.0.0.1")
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:home")


@pytest.mark.django_db
def test_a_wrong_password_is_told_in_chinese_without_saying_which_part(
    client: Any, officer_a: Any
) -> None:
    response = _try(client, "officer_a", "wrong", "10.0.0.1")
    assert response.status_code == 200
    assert "用户名或密码" in response.content.decode()


@pytest.mark.django_db
def test_failed_logins_pause_that_username_from_that_address_only(
    client: Any, officer_a: Any
) -> None:
    # Given an attacker who guesses officer_a's password from one address until paused
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _try(client, "officer_a", "guess", "203.0.113.9")
    paused = _try(client, "officer_a", PASSWORD, "203.0.113.9")
    assert paused.status_code == 429
    # When the real officer logs in from their own address
    response = _try(client, "officer_a", PASSWORD, "10.0.0.7")
    # Then they get in: the attacker cannot lock them out
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_pause_ends_after_the_cool_off_period(client: Any, officer_a: Any) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _try(client, "officer_a", "guess", "10.0.0.1")
    assert _try(client, "officer_a", PASSWORD, "10.0.0.1").status_code == 429
    # When the cool-off period has passed
    AccessAttempt.objects.update(attempt_time=dt.datetime(2020, 2, 13, tzinfo=dt.UTC))
    # Then the same address may log in again
    assert _try(client, "officer_a", PASSWORD, "10.0.0.1").status_code == 302


def test_passwords_are_hashed_with_argon2_outside_tests(tmp_path: Any) -> None:
    # The suite itself uses a cheap hasher; a real start of the settings must not.
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_VERSION"}
    env.update(FANGKONG_TESTING="0", FANGKONG_DEBUG="1", FANGKONG_VAR_DIR=str(tmp_path))
    out = subprocess.run(
        [sys.executable, "-c", "import fangkong.settings as s; print(s.PASSWORD_HASHERS[0])"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    assert out.stdout.strip() == "django.contrib.auth.hashers.Argon2PasswordHasher"
