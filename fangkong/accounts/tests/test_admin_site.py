"""Django's admin is not mounted unless asked for (``FANGKONG_ADMIN=1``); when it is, it has
no password form of its own and opens only to staff whose session passed the code step."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fangkong.accounts import two_factor
from fangkong.accounts.tests.factories import PASSWORD, AuthenticatorDeviceFactory, code_for

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def test_the_admin_is_not_mounted_by_default(client: Client, superuser: Any) -> None:
    assert client.get("/admin/").status_code == 404
    client.force_login(superuser)
    assert client.get("/admin/").status_code == 404
    login = client.post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert login.status_code == 404


@pytest.fixture
def admin_mounted(settings: Any) -> None:
    settings.ROOT_URLCONF = "fangkong.accounts.tests.admin_urls"


@pytest.mark.usefixtures("admin_mounted")
def test_the_admins_login_form_logs_no_one_in(client: Client, superuser: Any) -> None:
    # Given an administrator with an app, who types the password into the admin's form
    AuthenticatorDeviceFactory(user=superuser)

    response = client.post(reverse("admin:login"), {"username": "admin", "password": PASSWORD})

    # Then they are sent to fangkong's login (password, then code), and not logged in
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("admin:index"))["Location"].startswith(reverse("admin:login"))


@pytest.mark.usefixtures("admin_mounted")
def test_the_admin_refuses_a_superuser_logged_in_with_the_password_alone(
    client: Client, superuser: Any
) -> None:
    # Given an administrator without an app, logged in with the password alone
    response = client.post(LOGIN, {"username": "admin", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[two_factor.STATE_KEY] == two_factor.NONE

    # When they open the admin, they are sent to set up two-step login instead
    response = client.get(reverse("admin:index"), follow=True)

    assert response.redirect_chain[-1][0] == reverse("accounts:account")
    assert "验证器应用" in response.content.decode()  # the message says why, in Chinese
    assert "_auth_user_id" in client.session  # still logged in for the rest of fangkong


@pytest.mark.usefixtures("admin_mounted")
def test_the_admin_opens_after_the_code_step(client: Client, superuser: Any) -> None:
    device = AuthenticatorDeviceFactory(user=superuser)
    client.post(LOGIN, {"username": "admin", "password": PASSWORD, "next": "/admin/"})

    response = client.post(reverse("accounts:login_code"), {"code": code_for(device)})

    assert response["Location"] == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.usefixtures("admin_mounted")
def test_the_admin_refuses_non_staff_without_a_loop(client: Client, officer_a: Any) -> None:
    client.force_login(officer_a)

    response = client.get(reverse("admin:index"), follow=True)

    assert response.status_code == 403
