"""API tokens for operators: ``manage.py api_tokens issue|list|revoke`` (and the older
``issue_api_token``). A token is printed once, only its hash is kept, it expires (90 days by
default), issuing and revoking are audited, and the API accepts it as
``Authorization: Bearer TOKEN`` until it expires, is revoked or its user is disabled.
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

from fangkong.accounts.models import API_TOKEN_MAX_DAYS, ApiToken
from fangkong.accounts.services import do_issue_api_token
from fangkong.core.api import hash_token
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.models import ObjectChange
from fangkong.core.tests.helpers import issue_api_token as issue
from fangkong.core.tests.helpers import run_api_tokens as run

pytestmark = pytest.mark.django_db

PEOPLE = reverse("api:person-list")


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
    assert (token.user, token.description) == (officer_a, "门岗扫码枪")
    assert token.last_used is not None


def test_a_token_expires_after_90_days_unless_told_otherwise(officer_a: Any, settings: Any) -> None:
    issue("officer_a")
    issue("officer_a", "--days", "7")
    settings.API_TOKEN_DAYS = 30
    issue("officer_a")

    lifetimes = [
        (t.expires - t.created) / dt.timedelta(days=1) for t in ApiToken.objects.order_by("pk")
    ]
    assert [round(days) for days in lifetimes] == [90, 7, 30]


def test_issuing_writes_an_audit_row_without_the_token(officer_a: Any) -> None:
    key = issue("officer_a", "--description", "门岗")[0].strip()

    token = ApiToken.objects.get()
    change = ObjectChange.objects.get(content_type__model="apitoken")
    assert change.action == "create"
    assert change.actor is None
    assert change.actor_name == "system"
    assert change.after["prefix"] == token.prefix
    assert change.after["user"] == officer_a.pk
    assert change.area_path == officer_a.area.path
    assert key not in str(change.after)
    assert token.key_hash not in str(change.after)


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


@pytest.mark.parametrize(
    "args",
    [
        ("nobody",),
        ("officer_a", "--days", "0"),
        ("officer_a", "--days", "-3"),
        ("officer_a", "--days", str(API_TOKEN_MAX_DAYS + 1)),
        ("officer_a", "--description", "长" * 201),
    ],
)
def test_the_command_refuses_an_unknown_user_or_a_bad_expiry(officer_a: Any, args: Any) -> None:
    with pytest.raises(CommandError):
        issue(*args)
    assert not ApiToken.objects.exists()
    assert not ObjectChange.objects.filter(content_type__model="apitoken").exists()


def test_the_command_refuses_a_disabled_user(officer_a: Any) -> None:
    officer_a.is_active = False
    officer_a.save(update_fields=["is_active"])

    with pytest.raises(CommandError):
        issue("officer_a")


def test_the_list_shows_prefix_owner_dates_and_state(officer_a: Any, health_a: Any) -> None:
    mine, _ = do_issue_api_token(officer_a, by=None, description="扫码")
    theirs, _ = do_issue_api_token(health_a, by=None)
    ApiToken.objects.filter(pk=theirs.pk).update(revoked=timezone.now())

    out = run("list")[0]
    every = run("list", "--all")[0]
    only = run("list", "--user", "health_a", "--all")[0]

    assert out.splitlines()[0].split("\t")[:7] == [
        "id",
        "prefix",
        "owner",
        "created",
        "expires",
        "last used",
        "state",
    ]
    row = next(line for line in out.splitlines() if mine.prefix in line).split("\t")
    assert row[:3] == [str(mine.pk), mine.prefix, "officer_a"]
    assert (row[5], row[6], row[7]) == ("-", "active", "扫码")
    assert theirs.prefix not in out
    assert f"{theirs.prefix}\thealth_a" in every
    assert "revoked" in every
    assert mine.prefix not in only
    assert theirs.prefix in only


def test_the_command_revokes_by_prefix_id_or_user_and_logs_it(
    client: Client, officer_a: Any, health_a: Any
) -> None:
    by_prefix, key = do_issue_api_token(officer_a, by=None)
    by_id, _ = do_issue_api_token(officer_a, by=None)
    all_of_health = [do_issue_api_token(health_a, by=None)[0] for _ in range(2)]

    run("revoke", by_prefix.prefix, str(by_id.pk))
    out = run("revoke", "--user", "health_a")[0]

    assert out.count("Revoked") == 2
    assert not ApiToken.objects.usable().exists()
    assert get_people(client, key).status_code == 401
    revocations = ObjectChange.objects.filter(content_type__model="apitoken", action="update")
    assert revocations.count() == 4
    assert {c.object_id for c in revocations} == {
        str(t.pk) for t in [by_prefix, by_id, *all_of_health]
    }


@pytest.mark.parametrize("args", [(), ("nope",), ("99999999999999999999",), ("1", "--user", "x")])
def test_the_command_refuses_an_unknown_token_or_a_muddled_request(
    officer_a: Any, args: tuple[str, ...]
) -> None:
    with pytest.raises(CommandError):
        run("revoke", *args)


def test_a_prefix_shared_by_two_tokens_is_refused(officer_a: Any) -> None:
    first, _ = do_issue_api_token(officer_a, by=None)
    second, _ = do_issue_api_token(officer_a, by=None)
    ApiToken.objects.filter(pk=second.pk).update(prefix=first.prefix)

    with pytest.raises(CommandError, match="more than one"):
        run("revoke", first.prefix)
    assert ApiToken.objects.usable().count() == 2


def test_the_older_issue_command_still_works(client: Client, officer_a: Any) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("issue_api_token", "officer_a", "--days", "3", stdout=out, stderr=err)

    assert get_people(client, out.getvalue().strip()).status_code == 200
    token = ApiToken.objects.get()
    assert dt.timedelta(days=2) < token.expires - timezone.now() <= dt.timedelta(days=3)


def test_a_user_may_not_issue_tokens_through_the_service(
    officer_a: Any, grid_worker_a1: Any
) -> None:
    with pytest.raises(PermissionDeniedError):
        do_issue_api_token(grid_worker_a1, by=officer_a)
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("days", [0, API_TOKEN_MAX_DAYS + 1])
def test_a_default_lifetime_out_of_bounds_fails_the_system_check(settings: Any, days: int) -> None:
    from django.core import checks

    settings.API_TOKEN_DAYS = days

    assert [e.id for e in checks.run_checks() if e.id.startswith("accounts.")] == ["accounts.E002"]


def test_no_token_begins_with_a_dash_that_the_command_line_would_read_as_an_option(
    officer_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    keys = iter(["-pCa-wWb" + "x" * 35, "pCa-wWbx" + "y" * 35])
    monkeypatch.setattr("fangkong.accounts.services.secrets.token_urlsafe", lambda _n: next(keys))
    token, key = do_issue_api_token(officer_a, by=None)

    assert not key.startswith("-")
    assert run("revoke", token.prefix)
