"""No English on a Chinese page: every page of the access walk, opened by the persona allowed
to open it, in Chinese, shows no English word outside a short list (english_words.py).

Source strings are English; a message left out of the catalogue, a label Django or a library
brings (a blank choice, a filter's "---------", a 403 page), or a code shown instead of its name
(``health.delivery``) is English on the page, and this test names it with the page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse

from fangkong.core.tests.english_words import english_words
from fangkong.core.tests.walk import Route, World
from fangkong.core.tests.walk_routes import WALK, walked_world

#: Pages that are not the site's own words: the API's reference is generated from the code
#: for programmers (field names, HTTP words).
NOT_OURS = {"api:docs"}

PAGES = [
    (test_id, name, route)
    for test_id, name, route in WALK
    if route.method == "get" and not route.api and name not in NOT_OURS
]


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    yield from walked_world(django_db_blocker)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "route"), [(n, r) for _i, n, r in PAGES], ids=[i for i, _n, _r in PAGES]
)
def test_a_chinese_page_shows_no_english(
    client: Any, world: World, name: str, route: Route
) -> None:
    # Given the persona the page is for, reading in Chinese
    if route.kind != "public":
        client.force_login(world.users[route.permitted])
    # When they open it
    response = client.get(
        reverse(name, kwargs=route.kwargs(world)), route.data(world), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code < 500, response.content[:500]
    if "text/html" not in response.get("Content-Type", "") or response.status_code != 200:
        pytest.skip(f"not a page ({response.status_code} {response.get('Content-Type')})")
    # Then no English word shows
    found = english_words(response.content.decode())
    assert not found, f"{name}: {found[:10]}"
