"""No header lets a session skip two-step login: only an API token that actually
authenticated a request (and then there is no session) stands in for the code step.

A session whose user has an authenticator app but who did not enter a code is "unverified"
(``accounts/two_factor.py``); it is ended on any request, page or API, reveal or not, with
or without an ``Authorization`` header.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fangkong.accounts import two_factor
from fangkong.accounts.services import do_issue_api_token
from fangkong.accounts.tests.factories import AuthenticatorDeviceFactory
from fangkong.core.models import AccessEvent
from fangkong.registry.tests.factories import PersonFactory, next_id_number

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
PEOPLE = reverse("api:person-list")


@pytest.fixture
def unverified(client: Client, officer_a: Any) -> Client:
    """officer_a has an app but this session was logged in without a code."""
    AuthenticatorDeviceFactory(user=officer_a)
    client.force_login(officer_a)  # not through the code step: the session is unverified
    assert client.session[two_factor.STATE_KEY] == two_factor.UNVERIFIED
    return client


def _headers(kind: str, user: Any) -> dict[str, str]:
    """No header, a made-up token, or a real, valid token of the same user."""
    if kind == "none":
        return {}
    if kind == "bogus":
        return {"HTTP_AUTHORIZATION": "Bearer not-a-token"}
    key = do_issue_api_token(user, by=None)[1]
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


HEADERS = ["none", "bogus", "valid"]


@pytest.mark.parametrize("header", HEADERS)
def test_an_unverified_session_is_refused_a_page_whatever_header_it_sends(
    unverified: Client, officer_a: Any, header: str
) -> None:
    response = unverified.get(reverse("reports:home"), **_headers(header, officer_a))

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert "_auth_user_id" not in unverified.session


@pytest.mark.parametrize("header", HEADERS)
def test_an_unverified_session_cannot_reveal_whatever_header_it_sends(
    unverified: Client, officer_a: Any, community_a: Any, header: str
) -> None:
    id_number = next_id_number()
    person = PersonFactory(household=None, community=community_a, id_number=id_number)
    url = reverse("registry:person_reveal", kwargs={"pk": person.pk})

    response = unverified.post(url, {"reason": "核实身份"}, **_headers(header, officer_a))

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert not AccessEvent.objects.exists()
    assert id_number not in response.content.decode()


@pytest.mark.parametrize("header", HEADERS)
def test_an_unverified_session_is_refused_by_the_api_whatever_header_it_sends(
    unverified: Client, officer_a: Any, header: str
) -> None:
    response = unverified.get(PEOPLE, **_headers(header, officer_a))

    assert response.status_code == 401
    body = response.json()
    assert body["code"] == "two_factor_required"
    assert body["fields"] == {}
    assert "_auth_user_id" not in unverified.session


def test_a_session_held_for_enrolment_is_held_on_the_api_with_a_bogus_header(
    client: Client, officer_a: Any, settings: Any
) -> None:
    settings.TWO_FACTOR_REQUIRED_ROLES = ["community_officer"]
    client.force_login(officer_a)  # no app yet, and the role must have one

    response = client.get(PEOPLE, HTTP_AUTHORIZATION="Bearer not-a-token")

    assert response.status_code == 403
    assert response.json()["code"] == "two_factor_required"
    assert client.get(reverse("reports:home"), HTTP_AUTHORIZATION="Bearer x")["Location"] == (
        reverse("accounts:account")
    )


def test_a_token_alone_still_works_for_a_user_with_an_app(officer_a: Any) -> None:
    AuthenticatorDeviceFactory(user=officer_a)
    key = do_issue_api_token(officer_a, by=None)[1]

    response = Client().get(PEOPLE, HTTP_AUTHORIZATION=f"Bearer {key}")

    assert response.status_code == 200


def test_a_verified_session_is_untouched_by_a_header(client: Client, officer_a: Any) -> None:
    device = AuthenticatorDeviceFactory(user=officer_a)
    officer_a.otp_device = device  # django-otp's mark of the code step
    client.force_login(officer_a)

    assert client.get(PEOPLE, HTTP_AUTHORIZATION="Bearer not-a-token").status_code == 401
    assert client.get(PEOPLE).status_code == 200
    assert client.get(reverse("reports:home"), HTTP_AUTHORIZATION="Bearer x").status_code == 200
