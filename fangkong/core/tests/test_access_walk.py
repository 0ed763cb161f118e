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

import importlib
import importlib.util
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from fangkong.accounts.choices import Role
from fangkong.accounts.tests.factories import UserFactory
from fangkong.areas.choices import AreaLevel
from fangkong.areas.tests.factories import AreaFactory
from fangkong.core.jobs import enqueue_job
from fangkong.core.personal_data import decrypt
from fangkong.core.querysets import sees
from fangkong.core.tests.walk import CANARY_NAME, Route, World, response_text
from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory, PersonFactory


def _import_preview(world: World) -> Any:
    """A finished import preview of the first community (made per request: the walk's
    writes roll back after each test). Its upload is gone, so confirming imports nothing."""
    from fangkong.core.models import Job

    return Job.objects.create(
        kind="registry.import_residents", user=world.users["officer_a"],
        area_path=world.community_a.path, status="completed",
        params={"upload": "0" * 32, "filename": "register.xlsx", "rows": 2,
                "community": world.community_a.pk, "mode": "preview"},
        result={"created": 1, "updated": 0, "unchanged": 0, "rejected": 1, "errors": [
            {"row": 3, "column": "姓名", "message": "-", "code": "x", "value": CANARY_NAME}]},
    )


def _export_job(world: World) -> Any:
    """A finished export of officer_a with its file waiting (made again when a permitted
    request has taken it: the walk's writes roll back, a deleted file does not)."""
    from fangkong.core.exports import EXPORT_KIND, export_dir, export_path
    from fangkong.core.models import Job

    job = world.extra.get("export_job")
    if job is None or not Job.objects.filter(pk=job.pk).exists():
        token = "e" * 32
        job = Job.objects.create(
            kind=EXPORT_KIND, user=world.users["officer_a"], area_path=world.community_a.path,
            status="completed", params={"exporter": "registry.people", "format": "csv",
                                        "encoding": "utf-8", "filters": {}, "rows": 1},
            result={"file": token, "rows": 1, "format": "csv", "filename": "people.csv"})
        world.extra["export_job"] = job
    export_dir().mkdir(parents=True, exist_ok=True)
    export_path(job.result["file"]).write_text(f"姓名\n{CANARY_NAME}\n", encoding="utf-8")
    return job


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
    # An export's file, once, for the officer who asked for it.
    "core:job_download": Route(kwargs=lambda w: {"pk": _export_job(w).pk}, method="post",
                               grid_scoped=False),
    # Import and export (registry/import_views.py): a community officer's rights
    "registry:import_start": Route(kwargs=lambda w: {"community_pk": w.community_a.pk},
                                   grid_scoped=False),
    "registry:import_template": Route(kwargs=lambda w: {"community_pk": w.community_a.pk},
                                      grid_scoped=False),
    # The sample register exists for the demo's communities only: 404 for the walk's.
    "registry:import_sample": Route(kwargs=lambda w: {"community_pk": w.community_a.pk},
                                    grid_scoped=False, ok=404),
    "registry:import_detail": Route(kwargs=lambda w: {"pk": _import_preview(w).pk}),
    "registry:import_confirm": Route(kwargs=lambda w: {"pk": _import_preview(w).pk},
                                     method="post", data=lambda w: {"action": "import"}, ok=302),
    "registry:person_export": Route(kind="list", method="post", data=lambda w: {"format": "xlsx"}),
    "registry:household_export": Route(kind="list", method="post",
                                       data=lambda w: {"format": "csv-utf8"}),
    # The API (/api/v1/): reads here, writes in API_WRITES below
    "api:schema": Route(kind="list", api=True),
    "api:docs": Route(kind="list"),  # a page for people: anonymous visitors log in first
    "api:area-list": Route(kind="list", api=True),
    "api:area-detail": Route(kwargs=lambda w: {"pk": w.grid_a1.pk}, api=True),
    "api:building-list": Route(kind="list", api=True),
    "api:building-detail": Route(kwargs=lambda w: {"pk": w.building.pk}, api=True),
    "api:household-list": Route(kind="list", api=True),
    "api:household-detail": Route(kwargs=lambda w: {"pk": w.household.pk}, api=True),
    "api:person-list": Route(kind="list", api=True, data=lambda w: {"search": CANARY_NAME[:2]}),
    "api:person-detail": Route(kwargs=lambda w: {"pk": w.person.pk}, api=True),
    # A search by the first community's person's own phone: outsiders find no one.
    "api:person-search": Route(kind="list", method="post", api=True,
                               data=lambda w: {"phone": decrypt(w.person.phone_cipher)}),
    "api:person-reveal": Route(
        kwargs=lambda w: {"pk": w.person.pk}, method="post", api=True,
        data=lambda w: {"reason": "核实身份"},
    ),
    "api:person-deactivate": Route(
        kwargs=lambda w: {"pk": w.person.pk}, method="post", api=True,
        data=lambda w: {"status": "moved_out", "date": "2020-02-01", "reason": "搬到外地"},
    ),
}

#: Writes through the API, at the names of list and detail routes that ROUTES walks as reads.
API_WRITES: list[tuple[str, Route]] = [
    ("api:building-list", Route(
        kind="create", method="post", ok=201, api=True, grid_scoped=False,
        data=lambda w: {"community": w.community_a.pk, "grid": w.grid_a1.pk, "number": "99"},
    )),
    ("api:building-detail", Route(
        kwargs=lambda w: {"pk": w.building.pk}, method="patch", api=True,
        data=lambda w: {"section": "北院"},
    )),
    ("api:household-list", Route(
        kind="create", method="post", ok=201, api=True,
        data=lambda w: {"building": w.building.pk, "unit": 1, "room": "999"},
    )),
    ("api:household-detail", Route(
        kwargs=lambda w: {"pk": w.household.pk}, method="put", api=True,
        data=lambda w: {"building": w.building.pk, "unit": 1, "room": w.household.room,
                        "notes": "一楼"},
    )),
    ("api:person-list", Route(
        kind="create", method="post", ok=201, api=True,
        data=lambda w: {"household": w.household.pk, "name": "新来的"},
    )),
    ("api:person-detail", Route(
        kwargs=lambda w: {"pk": w.person.pk}, method="patch", api=True,
        data=lambda w: {"notes": "已核对"},
    )),
]



def _app_route_modules() -> list[Any]:
    """Each app's ``tests/routes.py`` (see walk.py): its ROUTES, API_WRITES and build()."""
    modules = []
    for config in apps.get_app_configs():
        name = f"{config.name}.tests.routes"
        if config.name.startswith("fangkong.") and importlib.util.find_spec(name) is not None:
            modules.append(importlib.import_module(name))
    return modules


APP_ROUTE_MODULES = _app_route_modules()
BUILDERS: list[Callable[[World], None]] = []
for _module in APP_ROUTE_MODULES:
    _clash = set(_module.ROUTES) & set(ROUTES)
    assert not _clash, f"{_module.__name__} redefines {_clash}"
    ROUTES.update(_module.ROUTES)
    API_WRITES.extend(getattr(_module, "API_WRITES", []))
    if hasattr(_module, "build"):
        BUILDERS.append(_module.build)

#: Every walked request: (test id, route name, route).
WALK = [(name, name, route) for name, route in sorted(ROUTES.items())] + [
    (f"{name} {route.method.upper()}", name, route) for name, route in API_WRITES
]

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


def build_world() -> World:
    """Two communities in one street, two grids in the first, every persona, and each app's
    rows (``build`` in its routes module)."""
    city = AreaFactory(level=AreaLevel.CITY, name="沈阳市", code="W2101")
    street = AreaFactory(parent=AreaFactory(parent=city, code="W210102"), code="W210102001")
    community_a = AreaFactory(parent=street, name="文化社区", code="WA")
    community_b = AreaFactory(parent=street, name="长白社区", code="WB")
    grid_a1 = AreaFactory(parent=community_a, code="WA1")
    grid_a2 = AreaFactory(parent=community_a, code="WA2")
    grid_b1 = AreaFactory(parent=community_b, code="WB1")
    personas = {
        "officer_a": (Role.COMMUNITY_OFFICER, community_a),
        "officer_b": (Role.COMMUNITY_OFFICER, community_b),
        "grid_worker_a1": (Role.GRID_WORKER, grid_a1),
        "grid_worker_a2": (Role.GRID_WORKER, grid_a2),
        "health_a": (Role.HEALTH_OFFICER, community_a),
        "checkpoint_a": (Role.CHECKPOINT_STAFF, community_a),
        "volunteer_a": (Role.VOLUNTEER, community_a),
        "street_official": (Role.STREET_OFFICIAL, street),
    }
    users = {name: UserFactory(username=name, role=role, area=area)
             for name, (role, area) in personas.items()}
    building = BuildingFactory(grid=grid_a1, community=community_a, name="甲栋")
    household = HouseholdFactory(building=building)
    person = PersonFactory(household=household, name=CANARY_NAME)
    PersonFactory(household=HouseholdFactory(building=BuildingFactory(grid=grid_b1)))
    job = enqueue_job("core.selftest", user=users["officer_a"], area_path=community_a.path)
    world = World(community_a, grid_a1, building, household, person, job, users=users)
    for build in BUILDERS:
        build(world)
    return world


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """Built once for the whole walk (hundreds of requests); each test's writes roll back
    with its transaction, and the rows are flushed when the walk is done."""
    with django_db_blocker.unblock():
        world: World | None = None
        try:
            world = build_world()
            yield world
        finally:
            call_command("flush", interactive=False, verbosity=0)
            if world is not None and (job := world.extra.get("export_job")) is not None:
                from fangkong.core.exports import export_path

                export_path(job.result["file"]).unlink(missing_ok=True)


def _request(client: Any, name: str, route: Route, world: World) -> Any:
    url = reverse(name, kwargs=route.kwargs(world))
    call = getattr(client, route.method)
    if route.api and route.method != "get":
        return call(url, route.data(world), content_type="application/json")
    return call(url, route.data(world))


def _walk(test: Any) -> Any:
    return pytest.mark.parametrize(
        ("name", "route"), [(name, route) for _id, name, route in WALK],
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
def test_permitted_users_get_the_page(
    client: Any, world: World, name: str, route: Route
) -> None:
    client.force_login(world.users[route.permitted])
    response = _request(client, name, route, world)
    if route.kind == "public" and route.method == "get":
        assert response.status_code in (200, 302)  # logged-in users are sent on to the home page
    else:
        assert response.status_code == route.ok, response.content[:500]
