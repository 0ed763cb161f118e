"""Every list route of the API, fed numbers too big for any database column and broken page
parameters, answers a 4xx in the error shape: never a 500, never HTML.

The routes are found through the URL resolver (as the access walk finds them), and each
route's filters through its filterset, so a new list route or filter is walked without being
listed here. Each is requested as the persona the access walk says may use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import django_filters
import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from fangkong.core.tests.walk import World
from fangkong.core.tests.walk_routes import ROUTES, build_world

CJK = re.compile(r"[\u4e00-\u9fff]")
#: Numbers past 64 bits, both ways, and 2**70 as schemathesis sends it.
HUGE = ("99999999999999999999999", "-99999999999999999999999", str(2**70))
#: What REST framework used to ignore or answer with a 404 or a 500.
BAD_PAGES = ("1" + "0" * 20, "abc", "0", "-1", "null", "1.5", "２")
BAD_PAGE_SIZES = ("null", "abc", "0", "-1", "1.5", "")
#: Cursors no list made: junk, a signature that does not match, one far too long.
BAD_CURSORS = ("abc", "eyJsIjoiLyJ9:1tAbcd:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "x" * 5000)
#: Filters of ids: a number past 64 bits names no row, and says so.
ID_FILTERS = (
    django_filters.NumberFilter,
    django_filters.ModelChoiceFilter,
    django_filters.ModelMultipleChoiceFilter,
)


def _list_routes(
    resolver: URLResolver | None = None, prefix: str = ""
) -> Iterator[tuple[str, Any]]:
    """(name, viewset) of every route whose GET is a viewset's ``list``."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            yield from _list_routes(
                entry, f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            )
        elif isinstance(entry, URLPattern) and entry.name:
            actions = getattr(entry.callback, "actions", None) or {}
            if actions.get("get") == "list":
                yield prefix + entry.name, entry.callback.cls


#: Routes whose GET is a viewset's ``list`` but answer a series, not a paged list: one row a
#: day for at most 366 days of one area (their bad input is tested beside them).
SERIES = {"api:daily-figures-list"}  # reports/tests/test_daily_figures_api.py

LIST_ROUTES = sorted((name, cls) for name, cls in _list_routes() if name not in SERIES)


def test_the_walk_finds_the_api_s_list_routes() -> None:
    names = [name for name, _cls in LIST_ROUTES]
    assert {"api:person-list", "api:task-list", "api:pass-list"} <= set(names)
    assert all(name.startswith("api:") for name in names)


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    with django_db_blocker.unblock():
        try:
            yield build_world()
        finally:
            call_command("flush", interactive=False, verbosity=0)


def _assert_error_shape(response: Any, what: str) -> dict[str, Any]:
    assert response.status_code < 500, f"{what}: {response.status_code}"
    assert response["Content-Type"].startswith("application/json"), what
    body = response.json()
    if response.status_code >= 400:
        assert set(body) >= {"code", "message", "fields"}, what
        assert CJK.search(body["message"]), f"{what}: {body['message']}"
    return body


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "viewset"), LIST_ROUTES, ids=[n for n, _v in LIST_ROUTES])
def test_a_list_route_answers_huge_numbers_and_bad_pages_with_a_4xx_in_the_error_shape(
    client: Any, world: World, name: str, viewset: Any
) -> None:
    client.force_login(world.users[ROUTES[name].permitted])
    url = reverse(name)
    filterset = getattr(viewset, "filterset_class", None)
    filters = filterset.base_filters if filterset is not None else {}
    for param, filter_ in filters.items():
        for value in HUGE:
            response = client.get(url, {param: value})
            body = _assert_error_shape(response, f"{name} ?{param}={value}")
            if isinstance(filter_, ID_FILTERS):
                assert response.status_code == 400, f"{name} ?{param}={value}"
                assert param in body["fields"], f"{name} ?{param}={value}"
    for value in BAD_PAGES:
        response = client.get(url, {"page": value})
        assert response.status_code == 400, f"{name} ?page={value}"
        assert list(_assert_error_shape(response, f"{name} ?page")["fields"]) == ["page"]
    for value in BAD_PAGE_SIZES:
        response = client.get(url, {"page_size": value})
        expected = 200 if value == "" else 400
        assert response.status_code == expected, f"{name} ?page_size={value}"
        _assert_error_shape(response, f"{name} ?page_size={value}")
    # Every list pages by cursor too; a cursor not made by it is refused, never a 500.
    response = client.get(url, {"cursor": "", "page_size": 1})
    assert response.status_code == 200, f"{name} ?cursor= {response.content[:300]!r}"
    assert {"count", "count_capped", "next", "previous"} <= set(response.json()), name
    next_link = response.json()["next"]
    if next_link:
        assert client.get(next_link).status_code == 200, f"{name} next cursor"
    for value in BAD_CURSORS:
        response = client.get(url, {"cursor": value})
        assert response.status_code == 400, f"{name} ?cursor={value}"
        assert list(_assert_error_shape(response, f"{name} ?cursor")["fields"]) == ["cursor"]
    response = client.get(url, {"cursor": "", "page": "1"})
    assert response.status_code == 400, f"{name} ?cursor=&page=1"
    # A size past the maximum is the maximum; an id past 64 bits in the path names no row.
    assert client.get(url, {"page_size": HUGE[0]}).status_code == 200
    detail = client.get(f"{url}{HUGE[0]}/")
    assert detail.status_code == 404, name
    assert _assert_error_shape(detail, f"{name} detail")["code"] == "not_found"
