"""The access walk: every URL of the project, requested as every kind of outsider.

Each named route is listed in ``ROUTES`` with how to build its arguments from a small world
(two communities, two grids in the first). The walk requests it as anonymous, as an officer
of the other community, as a grid worker of the other grid, and as a permitted user, and
checks the status and that nothing of the first community leaks into lists. A route that is
not listed fails the test: a new page or API route cannot ship without joining the walk.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from fangkong.core.jobs import enqueue_job
from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory, PersonFactory

#: A marker in the first community's data that must never show to outsiders.
CANARY_NAME = "甲乙丙丁"


@dataclass
class World:
    community_a: Any
    grid_a1: Any
    building: Any
    household: Any
    person: Any
    job: Any
    users: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Route:
    """How to call one route and what each persona gets.

    ``kind``: ``object`` routes point at a row of grid a1 (outsiders get 404); ``list`` routes
    show rows (outsiders get a page without the first community's rows); ``public`` routes
    need no login; ``admin`` routes are for superusers only.
    """

    kwargs: Callable[[World], dict[str, Any]] = lambda w: {}
    kind: str = "object"
    permitted: str = "officer_a"
    method: str = "get"
    data: Callable[[World], dict[str, Any]] = lambda w: {}
    ok: int = 200
    grid_scoped: bool = True  # the other grid's worker is an outsider too


ROUTES: dict[str, Route] = {
    # Public
    "accounts:login": Route(kind="public"),
    "set_language": Route(kind="public", method="post", data=lambda w: {"language": "en"}, ok=302),
    # Lists and overview pages
    "reports:home": Route(kind="list"),
    "areas:tree": Route(kind="list"),
    # Searching for part of the name: the search box echoes the query, not the whole name.
    "registry:person_list": Route(kind="list", data=lambda w: {"q": CANARY_NAME[:2]}),
    "core:audit_list": Route(kind="list"),
    "accounts:logout": Route(kind="list", method="post", ok=302),
    # Rows of the first community, grid a1
    "registry:community": Route(kwargs=lambda w: {"pk": w.community_a.pk}, kind="community"),
    "registry:building_detail": Route(kwargs=lambda w: {"pk": w.building.pk}),
    "registry:building_edit": Route(kwargs=lambda w: {"pk": w.building.pk}),
    "registry:building_add": Route(kwargs=lambda w: {"community_pk": w.community_a.pk},
                                   grid_scoped=False),
    "registry:household_detail": Route(kwargs=lambda w: {"pk": w.household.pk}),
    "registry:household_edit": Route(kwargs=lambda w: {"pk": w.household.pk}),
    "registry:household_add": Route(kwargs=lambda w: {"building_pk": w.building.pk}),
    "registry:person_detail": Route(kwargs=lambda w: {"pk": w.person.pk}),
    "registry:person_edit": Route(kwargs=lambda w: {"pk": w.person.pk}),
    "registry:person_add": Route(kwargs=lambda w: {"household_pk": w.household.pk}),
    "registry:person_add_no_household": Route(
        kwargs=lambda w: {"community_pk": w.community_a.pk}, grid_scoped=False
    ),
    "registry:person_deactivate": Route(kwargs=lambda w: {"pk": w.person.pk}),
    "registry:person_reveal": Route(
        kwargs=lambda w: {"pk": w.person.pk}, method="post",
        data=lambda w: {"reason": "核实身份"},
    ),
    "core:job_detail": Route(kwargs=lambda w: {"pk": w.job.pk}, grid_scoped=False),
}

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


@pytest.fixture
def world(
    community_a: Any, grid_a1: Any, grid_a2: Any, community_b: Any, grid_b1: Any,
    officer_a: Any, officer_b: Any, grid_worker_a1: Any, grid_worker_a2: Any,
    django_capture_on_commit_callbacks: Any,
) -> World:
    building = BuildingFactory(grid=grid_a1, community=community_a, name="甲栋")
    household = HouseholdFactory(building=building)
    person = PersonFactory(household=household, name=CANARY_NAME)
    PersonFactory(household=HouseholdFactory(building=BuildingFactory(grid=grid_b1)))
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue_job("core.selftest", user=officer_a, area_path=community_a.path)
    return World(
        community_a, grid_a1, building, household, person, job,
        users={"officer_a": officer_a, "officer_b": officer_b,
               "grid_worker_a1": grid_worker_a1, "grid_worker_a2": grid_worker_a2},
    )


def _request(client: Any, name: str, route: Route, world: World) -> Any:
    url = reverse(name, kwargs=route.kwargs(world))
    call = getattr(client, route.method)
    return call(url, route.data(world))


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_anonymous_users_are_sent_to_log_in(client: Any, world: World, name: str) -> None:
    route = ROUTES[name]
    response = _request(client, name, route, world)
    if route.kind == "public":
        assert response.status_code == route.ok
    else:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ROUTES))
@pytest.mark.parametrize("outsider", ["officer_b", "grid_worker_a2"])
def test_users_of_another_area_get_not_found_or_nothing_of_it(
    client: Any, world: World, name: str, outsider: str
) -> None:
    route = ROUTES[name]
    if route.kind == "public" or (outsider == "grid_worker_a2" and not route.grid_scoped):
        pytest.skip("not an outsider for this route")
    client.force_login(world.users[outsider])
    response = _request(client, name, route, world)
    if route.kind in ("object", "community"):
        # A grid worker may open their own community's page, but must see no other grid.
        if route.kind == "community" and outsider == "grid_worker_a2":
            assert response.status_code == 200
            assert world.building.name not in response.content.decode()
        else:
            assert response.status_code == 404
    else:
        # A list they may not open at all (403) is as good as an empty one.
        assert response.status_code in (200, 302, 403)
        assert CANARY_NAME not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(ROUTES))
def test_permitted_users_get_the_page(client: Any, world: World, name: str) -> None:
    route = ROUTES[name]
    client.force_login(world.users[route.permitted])
    response = _request(client, name, route, world)
    if route.kind == "public" and route.method == "get":
        assert response.status_code in (200, 302)  # logged-in users are sent on to the home page
    else:
        assert response.status_code == route.ok, response.content[:500]
