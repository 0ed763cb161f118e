"""The access walk: every URL of the project, requested as every kind of outsider.

Each named route is listed in ``ROUTES`` with how to build its arguments from a small world
(two communities, two grids in the first). The walk requests it as anonymous, as an officer
of the other community, as a grid worker of the other grid, and as a permitted user, and
checks the status and that nothing of the first community leaks into lists. A route that is
not listed fails the test: a new page or API route cannot ship without joining the walk.

API routes (``api=True``) answer anonymous callers 401 in the error shape instead of sending
them to the login page. A list or detail route of the API also takes writes at the same name;
those are walked too, from ``API_WRITES``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from fangkong.core.querysets import sees
from fangkong.core.tests.walk import CANARY_NAME, Route, World, response_text
from fangkong.core.tests.walk_routes import ROUTES, WALK, walked_world

#: Route namespaces covered by their own tests (Django's admin is for superusers only).
SKIPPED_NAMESPACES = {"admin"}


def _route_names(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            namespace = entry.namespace
            if namespace in SKIPPED_NAMESPACES:
                continue
            names |= _route_names(entry, f"{prefix}{namespace}:" if namespace else prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(prefix + entry.name)
    return names


def test_every_route_is_known_to_the_access_walk() -> None:
    unknown = _route_names() - set(ROUTES)
    assert not unknown, f"add these routes to the access walk: {sorted(unknown)}"


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    yield from walked_world(django_db_blocker)


def _request(client: Any, name: str, route: Route, world: World) -> Any:
    url = reverse(name, kwargs=route.kwargs(world))
    call = getattr(client, route.method)
    if route.api and route.method != "get":
        return call(url, route.data(world), content_type="application/json")
    return call(url, route.data(world))


def _walk(test: Any) -> Any:
    return pytest.mark.parametrize(
        ("name", "route"),
        [(name, route) for _id, name, route in WALK],
        ids=[test_id for test_id, _name, _route in WALK],
    )(test)


@pytest.mark.django_db
@_walk
def test_anonymous_users_are_sent_to_log_in(
    client: Any, world: World, name: str, route: Route
) -> None:
    response = _request(client, name, route, world)
    if route.kind == "public":
        assert response.status_code == route.ok
    elif route.api:
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def _row_of(name: str, route: Route, world: World) -> Any:
    """The row an object route shows, from its view's model and the ``pk`` in its URL (None
    when the view does not say), so the walk asks ``restrict()`` who may see it."""
    if route.kind != "object":
        return None
    if route.row is not None:
        return route.row(world)
    kwargs = route.kwargs(world)
    if "pk" not in kwargs:
        return None
    match = resolve(reverse(name, kwargs=kwargs))
    view = getattr(match.func, "view_class", None) or getattr(match.func, "cls", None)
    model = getattr(view, "model", None)
    queryset = getattr(view, "queryset", None)
    if model is None and queryset is not None:
        model = queryset.model
    if model is None or getattr(model, "scope_rule", None) is None:
        return None
    return model._default_manager.filter(pk=kwargs["pk"]).first()


@pytest.mark.django_db
@_walk
@pytest.mark.parametrize("outsider", ["officer_b", "grid_worker_a2"])
def test_users_of_another_area_get_not_found_or_nothing_of_it(
    client: Any, world: World, name: str, route: Route, outsider: str
) -> None:
    if route.kind == "public":
        pytest.skip("not an outsider for this route")
    row = _row_of(name, route, world)
    if row is not None:
        # Who is an outsider comes from restrict() alone: the one scope rule. A row that
        # reaches down to them (their community's campaign) is no secret: they may be
        # refused the action, not told it is not there.
        if sees(world.users[outsider], row, "view"):
            pytest.skip("restrict() shows them this row")
    elif outsider == "grid_worker_a2" and not route.grid_scoped:
        pytest.skip("not an outsider for this route")
    client.force_login(world.users[outsider])
    response = _request(client, name, route, world)
    if route.kind in ("object", "community"):
        # A grid worker may open their own community's page, but must see no other grid.
        if route.kind == "community" and outsider == "grid_worker_a2":
            assert response.status_code == 200
            assert world.building.name not in response_text(response)
        else:
            assert response.status_code == 404
    elif route.kind == "create":
        # A reference to the first community's rows is refused as if they did not exist.
        assert response.status_code in (400, 403), response.content[:500]
    else:
        # A list they may not open at all (403) is as good as an empty one.
        assert response.status_code in (200, 302, 403)
        assert CANARY_NAME not in response_text(response)


@pytest.mark.django_db
@_walk
def test_permitted_users_get_the_page(client: Any, world: World, name: str, route: Route) -> None:
    client.force_login(world.users[route.permitted])
    response = _request(client, name, route, world)
    if route.kind == "public" and route.method == "get":
        assert response.status_code in (200, 302)  # logged-in users are sent on to the home page
    else:
        assert response.status_code == route.ok, response.content[:500]


#: What the administrator may open: the area tree, accounts, its own account pages, and
#: pages that show no row of anyone (the home page's figures are cut by its rights).
ADMINISTRATOR_ROUTES = {
    "reports:home",
    "api:schema",
    "api:docs",
    "set_language",
    # A community's building tiles (numbers, names, grids; no resident): laying out grids
    # is area work.
    "registry:assign_grids",
}
ADMINISTRATOR_NAMESPACES = ("areas:", "accounts:", "api:area-", "api:assignment-", "api:user-")


@pytest.mark.django_db
@_walk
def test_the_administrator_is_refused_every_page_of_residents_data(
    client: Any, world: World, name: str, route: Route
) -> None:
    """The administrator manages areas and accounts and nothing else: every other page and
    API route refuses it (403, or 404 for a row), and nothing of the residents shows."""
    if route.kind == "public":
        pytest.skip("no login needed")
    client.force_login(world.users["administrator"])
    response = _request(client, name, route, world)
    assert CANARY_NAME not in response_text(response)
    if name in ADMINISTRATOR_ROUTES or name.startswith(ADMINISTRATOR_NAMESPACES):
        assert response.status_code < 500
    else:
        assert response.status_code in (403, 404), (response.status_code, response.content[:300])
