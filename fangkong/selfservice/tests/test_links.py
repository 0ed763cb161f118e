"""A household's link: issued, replaced and revoked by staff; guessed, revoked and expired
links answered with one Chinese refusal page, never a 500."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import Http404
from django.test import Client
from django.utils import timezone

from fangkong.access import pass_tokens
from fangkong.core.models import ObjectChange
from fangkong.selfservice import services, tokens
from fangkong.selfservice.models import HouseholdLink
from fangkong.selfservice.tests.conftest import Home

pytestmark = pytest.mark.django_db

REFUSAL = "此链接无法打开页面"


def test_a_token_is_at_least_as_hard_to_guess_as_the_gate_token() -> None:
    # The gate token's secret part is its random nonce (the signature is derived from it).
    gate_bits = pass_tokens._NONCE_BYTES * 8
    assert tokens.TOKEN_BITS == 256
    assert max(128, gate_bits) <= tokens.TOKEN_BITS
    token = tokens.new_token()
    assert tokens.well_formed(token)
    assert len({tokens.new_token() for _ in range(1000)}) == 1000


def test_issuing_stores_only_the_tokens_hash_and_is_audited(home: Home) -> None:
    link = home.link
    assert link.token_hash == tokens.token_hash(home.token)
    assert home.token not in str(HouseholdLink.objects.filter(pk=link.pk).values().first())
    assert ObjectChange.objects.filter(
        content_type__model="householdlink", object_id=link.pk, action="create"
    ).exists()


def test_the_link_opens_the_households_page_without_a_login(home: Home) -> None:
    response = home.client.get("/s/home/")
    assert response.status_code == 200
    assert home.household.label in response.content.decode()
    assert response["Referrer-Policy"] == "same-origin"
    assert Client().get(f"/s/{home.token}/")["Referrer-Policy"] == "no-referrer"


@pytest.mark.parametrize(
    "token", ["x" * 43, "guessed", "short", "a.b-c_d", "'; drop table", "A" * 400]
)
def test_a_guessed_or_malformed_link_is_refused_in_chinese(token: str) -> None:
    # "guessed": a well-formed token nobody was given, drawn at run time (a value drawn at
    # collection would differ between xdist's workers, which must collect the same tests).
    if token == "guessed":
        token = tokens.new_token()
    response = Client().get(f"/s/{token}/")
    assert response.status_code == 404
    assert REFUSAL in response.content.decode()


def test_revoking_ends_the_link_and_every_session_opened_with_it_at_once(
    home: Home, grid_worker_a1: Any
) -> None:
    services.do_revoke_link(home.link, by=grid_worker_a1, reason="纸条遗失")
    assert Client().get(f"/s/{home.token}/").status_code == 404
    response = home.client.get("/s/home/")
    assert response.status_code == 403
    assert REFUSAL in response.content.decode()
    changed = ObjectChange.objects.filter(
        content_type__model="householdlink", object_id=home.link.pk, action="update"
    ).get()
    assert changed.actor == grid_worker_a1


def test_replacing_the_link_stops_the_old_slip_and_the_new_one_works(
    home: Home, officer_a: Any
) -> None:
    new, token = services.do_issue_link(home.household, by=officer_a)
    assert Client().get(f"/s/{home.token}/").status_code == 404
    assert Client().get(f"/s/{token}/").status_code == 302
    assert (
        HouseholdLink.objects.filter(household=home.household, revoked_at__isnull=True).get() == new
    )


def test_an_expired_link_is_refused(home: Home) -> None:
    HouseholdLink.objects.filter(pk=home.link.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    response = Client().get(f"/s/{home.token}/")
    assert response.status_code == 404
    assert REFUSAL in response.content.decode()
    assert home.client.get("/s/home/").status_code == 403


def test_the_grid_worker_of_another_grid_cannot_issue_or_revoke(
    home: Home, grid_worker_a2: Any
) -> None:
    with pytest.raises(Http404):
        services.do_issue_link(home.household, by=grid_worker_a2)
    with pytest.raises(Http404):
        services.do_revoke_link(home.link, by=grid_worker_a2)


def test_staff_issue_a_link_see_it_once_and_print_the_slip(
    client: Client, home: Home, grid_worker_a1: Any
) -> None:
    client.force_login(grid_worker_a1)
    page = client.get(f"/selfservice/households/{home.household.pk}/")
    assert page.status_code == 200
    response = client.post(f"/selfservice/households/{home.household.pk}/issue/")
    assert response.status_code == 302
    link = HouseholdLink.objects.get(household=home.household, revoked_at__isnull=True)
    assert response["Location"] == f"/selfservice/links/{link.pk}/"
    shown = client.get(response["Location"])
    assert shown.status_code == 200
    assert "/s/" in shown.content.decode()
    slip = client.get(f"/selfservice/links/{link.pk}/slip/")
    assert slip.status_code == 200
    assert slip["Content-Type"] == "application/pdf"
    # Another session (or later, once replaced) gets nothing: the token is not stored.
    other = Client()
    other.force_login(grid_worker_a1)
    assert other.get(f"/selfservice/links/{link.pk}/slip/").status_code == 404
