"""Failed logins behind the reverse proxy of docs/deploy.md: the pause falls on the client
that failed, not on the proxy (and so on everyone), and a forged ``X-Forwarded-For`` moves
it nowhere.

nginx appends the address it saw to ``X-Forwarded-For`` (``$proxy_add_x_forwarded_for``)
and passes the request on from its own address, 127.0.0.1 here.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.urls import reverse

from fangkong.accounts.client_ip import client_ip
from fangkong.accounts.tests.factories import PASSWORD

LOGIN = reverse("accounts:login")
PROXY = "127.0.0.1"
ATTACKER, OFFICE = "203.0.113.9", "10.0.0.7"


def log_in(password: str, remote: str, forwarded: str | None = None) -> Any:
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return Client().post(
        LOGIN, {"username": "officer_a", "password": password}, REMOTE_ADDR=remote, **headers
    )


@pytest.fixture
def behind_proxy(settings: Any) -> None:
    settings.TRUSTED_PROXIES = [PROXY]


@pytest.mark.django_db
@pytest.mark.usefixtures("behind_proxy")
def test_behind_the_trusted_proxy_only_the_failing_client_is_paused(officer_a: Any) -> None:
    # Given an attacker behind the proxy who guesses officer_a's password until paused
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in("guess", PROXY, ATTACKER)
    assert log_in(PASSWORD, PROXY, ATTACKER).status_code == 429

    # When the real officer logs in through the same proxy from the office
    response = log_in(PASSWORD, PROXY, OFFICE)

    # Then they get in: the pause is the attacker's alone
    assert response.status_code == 302


@pytest.mark.django_db
@pytest.mark.usefixtures("behind_proxy")
def test_a_client_behind_the_proxy_cannot_forge_its_way_out_of_a_pause(officer_a: Any) -> None:
    # Given an attacker who writes a different address into the header on every guess
    # (nginx appends the address it really saw after it)
    for n in range(settings.AXES_FAILURE_LIMIT):
        log_in("guess", PROXY, f"198.51.100.{n}, {ATTACKER}")

    # Then they are paused all the same, and the office address they forged is not
    assert log_in(PASSWORD, PROXY, f"198.51.100.99, {ATTACKER}").status_code == 429
    assert log_in(PASSWORD, PROXY, f"{OFFICE}, {ATTACKER}").status_code == 429
    assert log_in(PASSWORD, PROXY, OFFICE).status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize("trusted", [[], [PROXY]])
def test_a_forged_header_from_an_untrusted_address_is_ignored(
    officer_a: Any, settings: Any, trusted: list[str]
) -> None:
    settings.TRUSTED_PROXIES = trusted
    # Given an attacker who connects directly and claims to be the office
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in("guess", ATTACKER, OFFICE)

    # Then the pause is on the attacker's own address, not the office's
    assert log_in(PASSWORD, ATTACKER).status_code == 429
    assert log_in(PASSWORD, OFFICE).status_code == 302
    assert log_in(PASSWORD, PROXY, OFFICE).status_code == 302


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "client"),
    [
        # No proxy configured: the address the request came from, whatever the header says
        ([], "203.0.113.9", "10.0.0.7", "203.0.113.9"),
        # From the trusted proxy: the rightmost address that is not a trusted proxy
        (["127.0.0.1"], "127.0.0.1", "10.0.0.7", "10.0.0.7"),
        (["127.0.0.1"], "127.0.0.1", "1.2.3.4, 10.0.0.7", "10.0.0.7"),
        (["127.0.0.1", "172.16.0.0/12"], "127.0.0.1", "1.2.3.4, 10.0.0.7, 172.16.5.5", "10.0.0.7"),
        (["::1"], "::1", "2001:db8::7", "2001:db8::7"),
        (["127.0.0.1"], "127.0.0.1", "::ffff:10.0.0.7", "10.0.0.7"),
        # A trusted proxy that forwarded no header, or garbage: the last address vouched for
        (["127.0.0.1"], "127.0.0.1", "", "127.0.0.1"),
        (["127.0.0.1"], "127.0.0.1", "10.0.0.7, not-an-address", "127.0.0.1"),
        (["127.0.0.1"], "127.0.0.1", "not-an-address, 10.0.0.7", "10.0.0.7"),
    ],
)
def test_the_client_address_is_read_from_the_right_of_the_header(
    settings: Any, trusted: list[str], remote: str, forwarded: str, client: str
) -> None:
    settings.TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == client
