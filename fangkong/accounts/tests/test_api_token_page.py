"""The API tokens page: a user lists and revokes their own tokens; a community officer also
those of the users of their community; nobody else's. Revoking is audited and the token stops
working at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fangkong.accounts.models import ApiToken
from fangkong.accounts.services import do_issue_api_token
from fangkong.core.models import ObjectChange

pytestmark = pytest.mark.django_db

TOKENS = reverse("accounts:api_tokens")
PEOPLE = reverse("api:person-list")


def revoke_url(token: ApiToken) -> str:
    return reverse("accounts:api_token_revoke", kwargs={"pk": token.pk})


def issue(user: Any, description: str = "") -> tuple[ApiToken, str]:
    return do_issue_api_token(user, by=None, description=description)


def test_a_user_lists_their_own_tokens_and_nobody_elses(
    client: Client, grid_worker_a1: Any, grid_worker_a2: Any
) -> None:
    own, key = issue(grid_worker_a1, "扫码枪")
    other, _ = issue(grid_worker_a2, "别人的")
    client.force_login(grid_worker_a1)

    page = client.get(TOKENS).content.decode()

    assert f"{own.prefix}…" in page
    assert "扫码枪" in page
    assert f"{timezone.localtime(own.expires):%Y-%m-%d %H:%M}" in page
    assert other.prefix not in page
    assert "别人的" not in page
    assert key not in page
    assert own.key_hash not in page


def test_a_user_revokes_their_own_token_and_it_stops_working_at_once(
    client: Client, grid_worker_a1: Any
) -> None:
    token, key = issue(grid_worker_a1)
    assert Client().get(PEOPLE, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200
    client.force_login(grid_worker_a1)

    response = client.post(revoke_url(token))

    assert response["Location"] == TOKENS
    token.refresh_from_db()
    assert token.revoked is not None
    refused = Client().get(PEOPLE, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert refused.status_code == 401
    assert refused.json()["code"] == "not_authenticated"
    change = ObjectChange.objects.get(content_type__model="apitoken", action="update")
    assert change.actor == grid_worker_a1
    assert change.before["revoked"] is None
    assert change.after["revoked"] is not None
    assert token.key_hash not in str(change.before) + str(change.after)
    # Revoked tokens leave the list unless asked for
    client.get(TOKENS)  # the page that shows the "revoked" message
    assert token.prefix not in client.get(TOKENS).content.decode()
    assert token.prefix in client.get(TOKENS, {"all": "1"}).content.decode()


def test_an_officer_lists_and_revokes_the_tokens_of_their_communitys_users(
    client: Client, officer_a: Any, grid_worker_a1: Any, officer_b: Any
) -> None:
    worker_token, _ = issue(grid_worker_a1, "网格员的")
    foreign_token, _ = issue(officer_b, "长白的")
    client.force_login(officer_a)

    page = client.get(TOKENS).content.decode()
    assert "网格员的" in page
    assert "长白的" not in page

    assert client.post(revoke_url(worker_token)).status_code == 302
    assert client.post(revoke_url(foreign_token)).status_code == 404
    worker_token.refresh_from_db()
    foreign_token.refresh_from_db()
    assert worker_token.revoked is not None
    assert foreign_token.revoked is None


@pytest.mark.parametrize("persona", ["grid_worker_a2", "health_a", "street_official"])
def test_users_without_the_right_cannot_revoke_anothers_token(
    client: Client, request: pytest.FixtureRequest, persona: str, grid_worker_a1: Any
) -> None:
    token, _ = issue(grid_worker_a1)
    client.force_login(request.getfixturevalue(persona))

    assert client.post(revoke_url(token)).status_code == 404
    assert token.prefix not in client.get(TOKENS).content.decode()
    token.refresh_from_db()
    assert token.revoked is None


def test_revoking_twice_changes_nothing_more(client: Client, grid_worker_a1: Any) -> None:
    token, _ = issue(grid_worker_a1)
    client.force_login(grid_worker_a1)

    client.post(revoke_url(token))
    client.post(revoke_url(token))

    assert ObjectChange.objects.filter(content_type__model="apitoken", action="update").count() == 1


def test_the_list_costs_the_same_queries_for_many_tokens(
    client: Client,
    officer_a: Any,
    grid_worker_a1: Any,
    grid_worker_a2: Any,
    django_assert_num_queries: Any,
) -> None:
    for user in (officer_a, grid_worker_a1, grid_worker_a2) * 4:
        issue(user)
    client.force_login(officer_a)

    # session, user, the user's area (scope), the ids of the areas below it (tokens are
    # scoped by their owner's area), count, the page of tokens with owners and areas
    with django_assert_num_queries(6):
        assert client.get(TOKENS).status_code == 200
