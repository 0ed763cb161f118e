"""Passwords: Django's validators, changing one's own, the one-time password an
administrator sets (changed at the next login, after the code step for users with an
authenticator app), and sessions that end on a reset or a deactivation."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from fangkong.accounts import services
from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
from fangkong.accounts.tests.factories import (
    PASSWORD,
    AuthenticatorDeviceFactory,
    UserFactory,
    code_for,
)
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.models import ObjectChange

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
CODE = reverse("accounts:login_code")
HOME = reverse("reports:home")
CHANGE = reverse("accounts:password_change")
NEW = "Lan-shui-2020-qiu"


def log_in(client: Client, username: str, password: str = PASSWORD) -> Any:
    return client.post(LOGIN, {"username": username, "password": password})


def change(client: Client, old: str, new: str, again: str | None = None) -> Any:
    return client.post(
        CHANGE,
        {
            "old_password": old,
            "new_password1": new,
            "new_password2": new if again is None else again,
        },
    )


def test_the_validators_refuse_123456_and_a_password_equal_to_the_username(
    grid_worker_a1: User,
) -> None:
    with pytest.raises(ValidationError):
        password_validation.validate_password("123456", grid_worker_a1)
    with pytest.raises(ValidationError):
        password_validation.validate_password("grid_worker_a1", grid_worker_a1)
    password_validation.validate_password(NEW, grid_worker_a1)


def test_a_user_changes_their_own_password_and_the_change_is_audited(
    client: Client, grid_worker_a1: User
) -> None:
    client.force_login(grid_worker_a1)

    response = change(client, PASSWORD, NEW)

    assert response.status_code == 302
    assert response["Location"] == HOME
    grid_worker_a1.refresh_from_db()
    assert grid_worker_a1.check_password(NEW)
    assert client.get(HOME).status_code == 200  # this session stays logged in
    row = ObjectChange.objects.filter(object_id=grid_worker_a1.pk, content_type__model="user").get()
    assert row.after["event"] == "password_changed"
    assert "password" not in row.after


@pytest.mark.parametrize(
    ("old", "new", "again", "field"),
    [
        ("wrong-old-password", NEW, None, "old_password"),
        (PASSWORD, "123456", None, "new_password1"),
        (PASSWORD, "grid_worker_a1", None, "new_password1"),
        (PASSWORD, PASSWORD, None, "new_password1"),
        (PASSWORD, NEW, NEW + "x", "new_password2"),
    ],
    ids=["wrong old", "common", "the username", "reused", "twice different"],
)
def test_a_bad_password_change_is_refused_in_chinese_and_changes_nothing(
    client: Client, grid_worker_a1: User, old: str, new: str, again: str | None, field: str
) -> None:
    client.force_login(grid_worker_a1)

    response = change(client, old, new, again)

    assert response.status_code == 400
    assert field in response.context["form"].errors
    page = response.content.decode()
    assert "password" not in " ".join(response.context["form"].errors[field]).lower()
    assert "新密码" in page or "当前密码" in page
    grid_worker_a1.refresh_from_db()
    assert grid_worker_a1.check_password(PASSWORD)


def test_a_reset_password_must_be_changed_before_any_page_opens(
    client: Client, administrator: User, grid_worker_a1: User
) -> None:
    password = services.do_reset_password(grid_worker_a1, by=administrator)

    log_in(client, "grid_worker_a1", password)

    assert client.get(HOME)["Location"] == CHANGE
    assert client.get(reverse("areas:tree"))["Location"] == CHANGE
    api = client.get("/api/v1/areas/")
    assert api.status_code == 403
    assert api.json()["code"] == "password_change_required"
    assert client.get(CHANGE).status_code == 200
    assert change(client, password, NEW)["Location"] == HOME
    assert client.get(HOME).status_code == 200
    grid_worker_a1.refresh_from_db()
    assert not grid_worker_a1.must_change_password


def test_with_an_authenticator_app_the_change_comes_after_the_code_step(
    client: Client, administrator: User, grid_worker_a1: User
) -> None:
    device = AuthenticatorDeviceFactory(user=grid_worker_a1)
    password = services.do_reset_password(grid_worker_a1, by=administrator)

    response = log_in(client, "grid_worker_a1", password)

    assert response["Location"] == CODE  # the second step is still asked for
    assert client.get(CHANGE)["Location"].startswith(LOGIN)
    response = client.post(CODE, {"code": code_for(device)})
    assert response.status_code == 302
    assert client.get(HOME)["Location"] == CHANGE
    assert change(client, password, NEW)["Location"] == HOME


def test_a_reset_ends_the_users_sessions_at_once(
    client: Client, administrator: User, grid_worker_a1: User
) -> None:
    client.force_login(grid_worker_a1)
    assert client.get(HOME).status_code == 200

    services.do_reset_password(grid_worker_a1, by=administrator)

    assert client.get(HOME)["Location"].startswith(LOGIN)
    row = ObjectChange.objects.filter(object_id=grid_worker_a1.pk, content_type__model="user").get()
    assert row.after["event"] == "password_reset"
    assert row.actor == administrator


def test_deactivation_ends_the_users_sessions_at_once_and_keeps_the_reason(
    client: Client, administrator: User, grid_worker_a1: User
) -> None:
    client.force_login(grid_worker_a1)
    assert client.get(HOME).status_code == 200

    services.do_deactivate_user(grid_worker_a1, by=administrator, reason="调离本社区")

    assert client.get(HOME)["Location"].startswith(LOGIN)
    assert log_in(client, "grid_worker_a1").status_code == 200  # the password no longer works
    row = ObjectChange.objects.filter(object_id=grid_worker_a1.pk, content_type__model="user").get()
    assert row.after["reason"] == "调离本社区"


def test_a_deactivation_needs_a_reason(administrator: User, grid_worker_a1: User) -> None:
    with pytest.raises(ValidationError):
        services.do_deactivate_user(grid_worker_a1, by=administrator, reason="  ")
    grid_worker_a1.refresh_from_db()
    assert grid_worker_a1.is_active


def test_no_one_deactivates_or_resets_themself(administrator: User) -> None:
    with pytest.raises(PermissionDeniedError):
        services.do_deactivate_user(administrator, by=administrator, reason="离职")
    with pytest.raises(PermissionDeniedError):
        services.do_reset_password(administrator, by=administrator)


def test_the_last_administrator_of_an_area_is_not_deactivated(
    superuser: User, administrator: User
) -> None:
    with pytest.raises(ValidationError):
        services.do_deactivate_user(administrator, by=superuser, reason="离职")
    UserFactory(username="admin2", role=Role.ADMINISTRATOR, area=administrator.area)
    services.do_deactivate_user(administrator, by=superuser, reason="离职")


def test_a_community_officer_resets_a_grid_workers_password_but_never_an_officers(
    officer_a: User, grid_worker_a1: User, health_a: User
) -> None:
    # The base grants officers reset_password (issue 15: they manage their community's
    # accounts); an officer's or the health officer's stays with administrators.
    assert services.do_reset_password(grid_worker_a1, by=officer_a)
    other_officer = UserFactory(role=Role.COMMUNITY_OFFICER, area=officer_a.area)
    for target in (health_a, other_officer):
        with pytest.raises(PermissionDeniedError):
            services.do_reset_password(target, by=officer_a)


def test_an_administrator_reaches_no_account_outside_its_area(
    administrator: User, district_official: User
) -> None:
    from django.http import Http404

    with pytest.raises(Http404):
        services.do_reset_password(district_official, by=administrator)


def test_deactivation_stops_the_users_api_tokens_too(
    client: Client, administrator: User, grid_worker_a1: User
) -> None:
    _token, key = services.do_issue_api_token(grid_worker_a1, by=None)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get("/api/v1/areas/", **auth).status_code == 200

    services.do_deactivate_user(grid_worker_a1, by=administrator, reason="调离本社区")

    assert client.get("/api/v1/areas/", **auth).status_code == 401
