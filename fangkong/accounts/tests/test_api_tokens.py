"""API tokens: ``manage.py issue_api_token`` prints one, only its hash is kept, and the API
accepts it as ``Authorization: Bearer TOKEN`` until it expires or its user is disabled.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fangkong.accounts.models import ApiToken
from fangkong.core.api import hash_token

pytestmark = pytest.mark.django_db

PEOPLE = reverse("api:person-list")


def issue(username: str, *args: str) -> tuple[str, str]:
    """Run the command; return (standard output, standard error)."""
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_api_token", username, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def get_people(client: Client, key: str) -> Any:
    return client.get(PEOPLE, HTTP_AUTHORIZATION=f"Bearer {key}")


def test_the_command_prints_a_token_that_authenticates(client: Client, officer_a: Any) -> None:
    out, err = issue("officer_a", "--description", "门岗扫码枪")

    key = out.strip()
    assert out == f"{key}\n"  # the token alone on standard output, for scripts
    assert len(key) >= 40
    assert key[:8] in err
    assert "officer_a" in err
    response = get_people(client, key)
    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert (token.user, token.description, token.expires) == (officer_a, "门岗扫码枪", None)
    assert token.last_used is not None


def test_only_the_tokens_hash_and_prefix_are_stored(officer_a: Any) -> None:
    key = issue("officer_a")[0].strip()

    token = ApiToken.objects.get()
    assert token.key_hash == hash_token(key) != key
    assert token.prefix == key[:8]
    stored = [str(value) for value in ApiToken.objects.values().get().values()]
    assert not [value for value in stored if key in value]


def test_each_run_issues_a_new_token(officer_a: Any) -> None:
    first, second = issue("officer_a")[0], issue("officer_a")[0]

    assert first != second
    assert ApiToken.objects.count() == 2


def test_an_expired_token_is_a_401(client: Client, officer_a: Any) -> None:
    key = issue("officer_a", "--days", "30")[0].strip()
    token = ApiToken.objects.get()
    assert token.expires is not None
    assert token.expires - timezone.now() > dt.timedelta(days=29)
    assert get_people(client, key).status_code == 200

    ApiToken.objects.filter(pk=token.pk).update(expires=timezone.now() - dt.timedelta(seconds=1))
    response = get_people(client, key)

    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_disabled_users_token_is_a_401(client: Client, officer_a: Any) -> None:
    key = issue("officer_a")[0].strip()
    officer_a.is_active = False
    officer_a.save(update_fields=["is_active"])

    assert get_people(client, key).status_code == 401


@pytest.mark.parametrize("args", [("nobody",), ("officer_a", "--days", "0")])
def test_the_command_refuses_an_unknown_user_or_a_bad_expiry(officer_a: Any, args: Any) -> None:
    with pytest.raises(CommandError):
        issue(*args)
    assert not ApiToken.objects.exists()


def test_the_command_refuses_a_disabled_user(officer_a: Any) -> None:
    officer_a.is_active = False
    officer_a.save(update_fields=["is_active"])

    with pytest.raises(CommandError):
        issue("officer_a")
