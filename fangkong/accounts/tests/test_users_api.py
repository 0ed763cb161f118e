"""``/api/v1/users/``: scoped lists and details without secrets, a new account whose
one-time password is in the 201 answer alone, edits, deactivation, reactivation and resets
through the same services as the pages, and the same refusals."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
from fangkong.accounts.tests.factories import AuthenticatorDeviceFactory, UserFactory
from fangkong.areas.models import Area

pytestmark = pytest.mark.django_db

USERS = "/api/v1/users/"


def one(user: User) -> str:
    return f"{USERS}{user.pk}/"


def call(client: Client, actor: User, method: str, url: str, data: Any = None) -> Any:
    client.force_login(actor)
    if method == "get":
        return client.get(url)
    return getattr(client, method)(url, data or {}, content_type="application/json")


#: Names a user row never carries in the API.
SECRETS = {"password", "key", "key_hash", "one_time_password", "is_superuser"}


def test_the_list_is_the_callers_area_and_carries_no_secret(
    client: Client, officer_a: User, grid_worker_a1: User, officer_b: User
) -> None:
    AuthenticatorDeviceFactory(user=grid_worker_a1)

    body = call(client, officer_a, "get", USERS).json()

    rows = {row["username"]: row for row in body["results"]}
    assert grid_worker_a1.username in rows
    assert officer_b.username not in rows
    assert rows[grid_worker_a1.username]["two_factor"] is True
    for row in rows.values():
        assert not SECRETS & set(row)
    grid_worker_a1.refresh_from_db()
    assert grid_worker_a1.password not in str(body)


def test_a_new_account_answers_its_one_time_password_once(
    client: Client, officer_a: User, grid_a1: Area
) -> None:
    created = call(
        client,
        officer_a,
        "post",
        USERS,
        {"full_name": "王秀英", "role": Role.GRID_WORKER, "area": grid_a1.pk},
    )

    assert created.status_code == 201
    assert "no-store" in created["Cache-Control"]
    body = created.json()
    user = User.objects.get(pk=body["id"])
    assert user.username == "wangxiuying"
    assert user.check_password(body["one_time_password"])
    assert "one_time_password" not in client.get(one(user)).json()


def test_a_role_the_caller_may_not_give_is_refused_with_the_reason(
    client: Client, officer_a: User, community_a: Area
) -> None:
    response = call(
        client,
        officer_a,
        "post",
        USERS,
        {"full_name": "李强", "role": Role.COMMUNITY_OFFICER, "area": community_a.pk},
    )

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert response.json()["message"]
    assert not User.objects.filter(full_name="李强").exists()


def test_an_area_of_another_community_or_a_taken_username_is_a_400(
    client: Client, officer_a: User, community_b: Area, grid_a1: Area, grid_worker_a1: User
) -> None:
    elsewhere = call(
        client,
        officer_a,
        "post",
        USERS,
        {"full_name": "李强", "role": Role.VOLUNTEER, "area": community_b.pk},
    )
    taken = call(
        client,
        officer_a,
        "post",
        USERS,
        {
            "full_name": "李强",
            "role": Role.VOLUNTEER,
            "area": grid_a1.pk,
            "username": grid_worker_a1.username.upper(),
        },
    )

    assert elsewhere.status_code == 400
    assert "area" in elsewhere.json()["fields"]
    assert taken.status_code == 400
    assert "username" in taken.json()["fields"]
    assert not User.objects.filter(full_name="李强").exists()


def test_a_user_of_another_area_is_not_found_by_id(
    client: Client, officer_a: User, officer_b: User
) -> None:
    stranger = UserFactory(role=Role.VOLUNTEER, area=officer_b.area)
    client.force_login(officer_a)

    assert client.get(one(stranger)).status_code == 404
    response = client.patch(one(stranger), {"full_name": "改名"}, content_type="application/json")
    assert response.status_code == 404
    response = client.post(
        f"{one(stranger)}deactivate/", {"reason": "x"}, content_type="application/json"
    )
    assert response.status_code == 404
    stranger.refresh_from_db()
    assert stranger.is_active


def test_an_edit_moves_a_grid_worker_but_never_promotes_it(
    client: Client, officer_a: User, grid_worker_a1: User, grid_a2: Area, community_a: Area
) -> None:
    moved = call(client, officer_a, "patch", one(grid_worker_a1), {"area": grid_a2.pk})
    promoted = call(
        client,
        officer_a,
        "patch",
        one(grid_worker_a1),
        {"role": Role.COMMUNITY_OFFICER, "area": community_a.pk},
    )
    renamed = call(client, officer_a, "patch", one(grid_worker_a1), {"username": "someoneelse"})

    assert moved.status_code == 200
    assert moved.json()["area"] == grid_a2.pk
    assert promoted.status_code == 403
    assert renamed.status_code == 400
    grid_worker_a1.refresh_from_db()
    assert grid_worker_a1.role == Role.GRID_WORKER


def test_deactivate_reactivate_and_reset_through_the_api(
    client: Client, officer_a: User, grid_worker_a1: User
) -> None:
    url = one(grid_worker_a1)

    off = call(client, officer_a, "post", f"{url}deactivate/", {"reason": "调离"})
    on = call(client, officer_a, "post", f"{url}reactivate/", {"reason": "返岗"})
    reset = call(client, officer_a, "post", f"{url}reset-password/")

    assert off.json()["is_active"] is False
    assert on.json()["is_active"] is True
    assert reset.status_code == 200
    assert "no-store" in reset["Cache-Control"]
    grid_worker_a1.refresh_from_db()
    assert grid_worker_a1.check_password(reset.json()["one_time_password"])
    assert grid_worker_a1.must_change_password


def test_a_deactivation_without_a_reason_or_of_oneself_is_refused(
    client: Client, officer_a: User, grid_worker_a1: User
) -> None:
    no_reason = call(client, officer_a, "post", f"{one(grid_worker_a1)}deactivate/", {})
    own = call(client, officer_a, "post", f"{one(officer_a)}deactivate/", {"reason": "x"})

    assert no_reason.status_code == 400
    assert own.status_code == 403
    assert (
        User.objects.filter(pk__in=[officer_a.pk, grid_worker_a1.pk], is_active=True).count() == 2
    )


def test_the_routes_are_in_the_openapi_schema(client: Client, officer_a: User) -> None:
    paths = call(client, officer_a, "get", "/api/v1/openapi.json").json()["paths"]

    assert {
        "/api/v1/users/",
        "/api/v1/users/{id}/",
        "/api/v1/users/{id}/deactivate/",
        "/api/v1/users/{id}/reactivate/",
        "/api/v1/users/{id}/reset-password/",
        "/api/v1/users/{id}/reset-two-factor/",
    } <= set(paths)
