"""The accounts pages: the list of an area's accounts with its filters, one account's page,
a new account (its one-time password shown once), editing, deactivating and reactivating
with a reason, and resetting a password or an authenticator app. Community officers manage
the roles they may give in their community; administrators the accounts below their area.
Every refusal named by issue 15 for accounts is here."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fangkong.accounts import services
from fangkong.accounts.choices import Role
from fangkong.accounts.models import AuthenticatorDevice, User
from fangkong.accounts.tests.factories import AuthenticatorDeviceFactory, UserFactory
from fangkong.areas.models import Area
from fangkong.core.models import ObjectChange
from fangkong.core.tests.pages import form_as_shown, zh

pytestmark = pytest.mark.django_db

LIST = reverse("accounts:user_list")
CREATE = reverse("accounts:user_create")


def detail(user: User) -> str:
    return reverse("accounts:user_detail", args=[user.pk])


def page_of(client: Client, actor: User, url: str, **params: Any) -> Any:
    client.force_login(actor)
    return client.get(url, params)


def names_listed(response: Any) -> set[str]:
    return {row.full_name for row in response.context["object_list"]}


# --- The list ------------------------------------------------------------------------------


def test_an_officer_lists_the_accounts_of_its_community_and_no_other(
    client: Client, officer_a: User, grid_worker_a1: User, officer_b: User
) -> None:
    response = page_of(client, officer_a, LIST)

    assert response.status_code == 200
    listed = names_listed(response)
    assert grid_worker_a1.full_name in listed
    assert officer_b.full_name not in listed


def test_the_list_filters_by_role_state_two_step_login_last_login_and_name(
    client: Client, officer_a: User, grid_worker_a1: User, grid_worker_a2: User, grid_a2: Area
) -> None:
    AuthenticatorDeviceFactory(user=grid_worker_a1)
    gone = UserFactory(full_name="离开的人", role=Role.VOLUNTEER, area=officer_a.area)
    services.do_deactivate_user(gone, by=officer_a, reason="调离")
    User.objects.filter(pk=grid_worker_a2.pk).update(last_login=timezone.now())
    client.force_login(officer_a)

    def listed(**params: Any) -> set[str]:
        return names_listed(client.get(LIST, params))

    assert listed(role=Role.VOLUNTEER) == {"离开的人"}
    assert listed(active="false") == {"离开的人"}
    assert listed(two_factor="true") == {grid_worker_a1.full_name}
    assert listed(area=grid_a2.pk) == {grid_worker_a2.full_name}
    today = timezone.localdate().isoformat()
    # The officer logged in just now too (force_login sets last_login).
    assert listed(last_login_after=today) == {grid_worker_a2.full_name, officer_a.full_name}
    assert grid_worker_a2.full_name not in listed(never_logged_in="true")
    assert listed(q=grid_worker_a1.username) == {grid_worker_a1.full_name}


def test_the_menu_offers_the_accounts_to_administrators_and_officers_alone(
    client: Client, officer_a: User, administrator: User, grid_worker_a1: User
) -> None:
    home = reverse("reports:home")
    assert LIST in page_of(client, officer_a, home).content.decode()
    assert LIST in page_of(client, administrator, home).content.decode()
    assert LIST not in page_of(client, grid_worker_a1, home).content.decode()
    assert page_of(client, grid_worker_a1, LIST).status_code == 403


# --- One account ---------------------------------------------------------------------------


def test_an_accounts_page_shows_its_state_and_changes_but_never_a_secret(
    client: Client, officer_a: User, grid_worker_a1: User
) -> None:
    device = AuthenticatorDeviceFactory(user=grid_worker_a1)
    services.do_deactivate_user(grid_worker_a1, by=officer_a, reason="长期病假")

    response = page_of(client, officer_a, detail(grid_worker_a1))

    text = response.content.decode()
    assert response.status_code == 200
    assert grid_worker_a1.username in text
    assert "长期病假" in text  # the audit row's reason
    assert response.context["two_factor"] is True
    grid_worker_a1.refresh_from_db()
    assert grid_worker_a1.password not in text
    assert grid_worker_a1.password.split("$")[-1] not in text
    assert device.key not in text


def test_an_account_of_another_area_is_not_found_by_id(
    client: Client, officer_a: User, officer_b: User, grid_worker_a1: User
) -> None:
    stranger = UserFactory(role=Role.GRID_WORKER, area=officer_b.area)
    client.force_login(officer_a)
    for name in ("accounts:user_detail", "accounts:user_edit"):
        assert client.get(reverse(name, args=[stranger.pk])).status_code == 404
    for name in ("accounts:user_deactivate", "accounts:user_reset_password"):
        assert client.post(reverse(name, args=[stranger.pk]), {"reason": "x"}).status_code == 404
    stranger.refresh_from_db()
    assert stranger.is_active


# --- A new account -------------------------------------------------------------------------


def test_a_new_account_shows_its_one_time_password_once_and_never_again(
    client: Client, officer_a: User, grid_a1: Area
) -> None:
    form = page_of(client, officer_a, CREATE)
    data = form_as_shown(form, full_name="王秀英", role=Role.GRID_WORKER, area=grid_a1.pk)

    response = client.post(CREATE, data)

    assert response.status_code == 200
    created = User.objects.get(full_name="王秀英")
    password = response.context["password"]
    assert created.check_password(password)
    assert created.must_change_password
    assert password in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert password not in client.get(detail(created)).content.decode()
    for change in ObjectChange.objects.filter(content_type__model="user"):
        assert password not in str(change.before) + str(change.after)


def test_a_role_the_officer_may_not_give_is_refused_and_nothing_is_made(
    client: Client, officer_a: User, community_a: Area
) -> None:
    form = page_of(client, officer_a, CREATE)
    data = form_as_shown(form, full_name="李强", role=Role.COMMUNITY_OFFICER, area=community_a.pk)

    response = client.post(CREATE, data)

    assert response.status_code == 200
    assert response.context["form"].errors["role"]
    assert not User.objects.filter(full_name="李强").exists()


def test_an_area_outside_the_officers_community_is_refused(
    client: Client, officer_a: User, community_b: Area
) -> None:
    form = page_of(client, officer_a, CREATE)
    data = form_as_shown(form, full_name="李强", role=Role.VOLUNTEER, area=community_b.pk)

    response = client.post(CREATE, data)

    assert response.context["form"].errors["area"]
    assert not User.objects.filter(full_name="李强").exists()


def test_a_taken_username_is_refused_whatever_its_case(
    client: Client, officer_a: User, grid_worker_a1: User, grid_a1: Area
) -> None:
    form = page_of(client, officer_a, CREATE)
    data = form_as_shown(
        form,
        full_name="张伟",
        username=grid_worker_a1.username.upper(),
        role=Role.GRID_WORKER,
        area=grid_a1.pk,
    )

    response = client.post(CREATE, data)

    assert response.context["form"].errors["username"] == [
        zh("This username is taken: choose another.")
    ]
    assert not User.objects.filter(full_name="张伟").exists()


# --- Editing -------------------------------------------------------------------------------


def test_an_officer_moves_a_grid_worker_to_another_grid_and_it_is_audited(
    client: Client, officer_a: User, grid_worker_a1: User, grid_a2: Area
) -> None:
    url = reverse("accounts:user_edit", args=[grid_worker_a1.pk])
    data = form_as_shown(page_of(client, officer_a, url), area=grid_a2.pk)

    response = client.post(url, data)

    assert response.status_code == 302
    grid_worker_a1.refresh_from_db()
    assert grid_worker_a1.area == grid_a2
    change = ObjectChange.objects.filter(object_id=str(grid_worker_a1.pk)).latest("pk")
    assert change.after["event"] == "account_changed"
    assert change.actor == officer_a


def test_an_officer_cannot_promote_a_grid_worker_to_officer(
    client: Client, officer_a: User, grid_worker_a1: User, community_a: Area
) -> None:
    url = reverse("accounts:user_edit", args=[grid_worker_a1.pk])
    data = form_as_shown(
        page_of(client, officer_a, url), role=Role.COMMUNITY_OFFICER, area=community_a.pk
    )

    response = client.post(url, data)

    assert response.context["form"].errors["role"]
    grid_worker_a1.refresh_from_db()
    assert grid_worker_a1.role == Role.GRID_WORKER


def test_an_officer_is_refused_another_officers_account_with_the_reason(
    client: Client, officer_a: User, community_a: Area
) -> None:
    peer = UserFactory(role=Role.COMMUNITY_OFFICER, area=community_a)
    client.force_login(officer_a)

    edit = client.get(reverse("accounts:user_edit", args=[peer.pk]))
    deactivate = client.post(reverse("accounts:user_deactivate", args=[peer.pk]), {"reason": "x"})

    assert edit.status_code == 403
    assert deactivate.status_code == 403
    assert zh(str(services.ACCOUNT_REFUSED)) in edit.content.decode()
    peer.refresh_from_db()
    assert peer.is_active


def test_the_last_administrators_role_is_not_taken_away(
    client: Client, superuser: User, administrator: User, community_a: Area
) -> None:
    url = reverse("accounts:user_edit", args=[administrator.pk])
    data = form_as_shown(
        page_of(client, superuser, url), role=Role.COMMUNITY_OFFICER, area=community_a.pk
    )

    response = client.post(url, data)

    errors = " ".join(response.context["form"].non_field_errors())
    assert str(administrator) in errors
    assert str(administrator.area) in errors
    administrator.refresh_from_db()
    assert administrator.role == Role.ADMINISTRATOR


# --- Deactivating and reactivating ---------------------------------------------------------


def test_an_officer_deactivates_and_reactivates_its_health_officer_with_reasons(
    client: Client, officer_a: User, health_a: User
) -> None:
    client.force_login(officer_a)

    client.post(reverse("accounts:user_deactivate", args=[health_a.pk]), {"reason": "调离"})
    health_a.refresh_from_db()
    assert not health_a.is_active

    client.post(reverse("accounts:user_reactivate", args=[health_a.pk]), {"reason": "返岗"})
    health_a.refresh_from_db()
    assert health_a.is_active
    change = ObjectChange.objects.filter(object_id=str(health_a.pk)).latest("pk")
    assert (change.after["event"], change.after["reason"]) == ("reactivated", "返岗")


def test_a_reactivation_needs_a_reason(
    client: Client, officer_a: User, grid_worker_a1: User
) -> None:
    services.do_deactivate_user(grid_worker_a1, by=officer_a, reason="调离")
    client.force_login(officer_a)

    response = client.post(
        reverse("accounts:user_reactivate", args=[grid_worker_a1.pk]), {"reason": " "}
    )

    assert response.status_code == 302
    grid_worker_a1.refresh_from_db()
    assert not grid_worker_a1.is_active


def test_no_one_deactivates_themself(client: Client, officer_a: User) -> None:
    client.force_login(officer_a)

    response = client.post(
        reverse("accounts:user_deactivate", args=[officer_a.pk]), {"reason": "x"}
    )

    assert response.status_code == 403
    assert zh("You cannot do this to your own account.") in response.content.decode()
    officer_a.refresh_from_db()
    assert officer_a.is_active


def test_the_last_administrator_of_an_area_is_not_deactivated(
    client: Client, superuser: User, administrator: User
) -> None:
    client.force_login(superuser)

    response = client.post(
        reverse("accounts:user_deactivate", args=[administrator.pk]), {"reason": "离职"}
    )

    assert response.status_code == 302
    administrator.refresh_from_db()
    assert administrator.is_active
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any(str(administrator) in m for m in messages)


# --- Resets --------------------------------------------------------------------------------


def test_an_officer_resets_a_grid_workers_password_shown_once(
    client: Client, officer_a: User, grid_worker_a1: User
) -> None:
    client.force_login(officer_a)

    response = client.post(reverse("accounts:user_reset_password", args=[grid_worker_a1.pk]))

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    grid_worker_a1.refresh_from_db()
    assert grid_worker_a1.check_password(response.context["password"])
    assert grid_worker_a1.must_change_password


def test_an_officer_may_not_reset_the_health_officers_password_or_app(
    client: Client, officer_a: User, health_a: User
) -> None:
    AuthenticatorDeviceFactory(user=health_a)
    before = User.objects.get(pk=health_a.pk).password
    client.force_login(officer_a)

    password = client.post(reverse("accounts:user_reset_password", args=[health_a.pk]))
    app = client.post(reverse("accounts:user_reset_two_factor", args=[health_a.pk]))

    assert password.status_code == 403
    assert app.status_code == 403
    assert User.objects.get(pk=health_a.pk).password == before
    assert AuthenticatorDevice.objects.filter(user=health_a, confirmed=True).exists()


def test_an_administrator_resets_an_officers_authenticator_app(
    client: Client, administrator: User, officer_a: User
) -> None:
    AuthenticatorDeviceFactory(user=officer_a)
    client.force_login(administrator)

    response = client.post(reverse("accounts:user_reset_two_factor", args=[officer_a.pk]))

    assert response.status_code == 302
    assert not AuthenticatorDevice.objects.filter(user=officer_a).exists()


def test_a_stale_last_login_shows_on_the_accounts_page(
    client: Client, officer_a: User, grid_worker_a1: User
) -> None:
    when = timezone.now() - dt.timedelta(days=40)
    User.objects.filter(pk=grid_worker_a1.pk).update(last_login=when)

    response = page_of(client, officer_a, detail(grid_worker_a1))

    assert timezone.localtime(when).strftime("%Y-%m-%d") in response.content.decode()


def test_the_list_costs_the_same_queries_for_3_accounts_as_for_30(
    client: Client, officer_a: User, grid_a1: Area
) -> None:
    client.force_login(officer_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    UserFactory.create_batch(2, role=Role.GRID_WORKER, area=grid_a1)
    few = queries()
    for user in UserFactory.create_batch(27, role=Role.GRID_WORKER, area=grid_a1):
        AuthenticatorDeviceFactory(user=user)

    assert queries() == few


def test_a_users_page_links_to_their_assignments(client: Client, officer_a: User) -> None:
    worker = UserFactory(username="linked_a1", role=Role.GRID_WORKER, area=officer_a.area)
    client.force_login(officer_a)

    page = client.get(reverse("accounts:user_detail", args=[worker.pk])).content.decode()

    assert reverse("accounts:user_assignments", args=[worker.pk]) in page
