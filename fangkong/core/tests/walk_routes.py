"""The access walk's routes and world (test_access_walk.py walks them; the date, list-input
and canary tests reuse them): core's own routes here, each app's from its ``tests/routes.py``
(format: walk.py), and the world they point at."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Iterator
from typing import Any

from django.apps import apps
from django.core.management import call_command

from fangkong.accounts.choices import Role
from fangkong.accounts.tests.factories import UserFactory
from fangkong.areas.choices import AreaLevel
from fangkong.areas.tests.factories import AreaFactory
from fangkong.core.jobs import enqueue_job
from fangkong.core.tests.walk import CANARY_NAME, Route, World
from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory, PersonFactory


def _export_job(world: World) -> Any:
    """A finished export of officer_a with its file waiting (made again when a permitted
    request has taken it: the walk's writes roll back, a deleted file does not)."""
    from fangkong.core.exports import EXPORT_KIND, export_dir, export_path
    from fangkong.core.models import Job

    job = world.extra.get("export_job")
    if job is None or not Job.objects.filter(pk=job.pk).exists():
        token = "e" * 32
        job = Job.objects.create(
            kind=EXPORT_KIND,
            user=world.users["officer_a"],
            area_path=world.community_a.path,
            status="completed",
            params={
                "exporter": "registry.people",
                "format": "csv",
                "encoding": "utf-8",
                "filters": {},
                "rows": 1,
            },
            result={"file": token, "rows": 1, "format": "csv", "filename": "people.csv"},
        )
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
    "core:audit_list": Route(kind="list"),
    "accounts:logout": Route(kind="list", method="post", ok=302),
    "core:job_detail": Route(kwargs=lambda w: {"pk": w.job.pk}, grid_scoped=False),
    # An export's file, once, for the officer who asked for it.
    "core:job_download": Route(
        kwargs=lambda w: {"pk": _export_job(w).pk}, method="post", grid_scoped=False
    ),
    # The API (/api/v1/): its schema and docs, the area tree
    "api:schema": Route(kind="list", api=True),
    "api:docs": Route(kind="list"),  # a page for people: anonymous visitors log in first
    "api:area-list": Route(kind="list", api=True),
    "api:area-detail": Route(kwargs=lambda w: {"pk": w.grid_a1.pk}, api=True),
    # The daily figures of the first community (reports.daily): not found by outsiders.
    "reports:daily_figures": Route(
        kwargs=lambda w: {"pk": w.community_a.pk}, row=lambda w: w.community_a
    ),
    "reports:store_daily_figures": Route(
        kwargs=lambda w: {"pk": w.community_a.pk},
        row=lambda w: w.community_a,
        method="post",
        data=lambda w: {"day": "2026-01-02"},
        ok=302,
    ),
    "api:daily-figures-list": Route(
        api=True, row=lambda w: w.community_a, data=lambda w: {"area": w.community_a.pk}
    ),
}

#: Writes through the API, at the names of list and detail routes that ROUTES walks as reads
#: (each app's ``API_WRITES``).
API_WRITES: list[tuple[str, Route]] = []


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
        # Areas and accounts of the street, no resident's data (test_access_walk).
        "administrator": (Role.ADMINISTRATOR, street),
    }
    # A username of plain English letters would read as English on the Chinese pages' check
    # (the header shows it): the walk's administrator logs in as admin_w.
    usernames = {"administrator": "admin_w"}
    users = {
        name: UserFactory(username=usernames.get(name, name), role=role, area=area)
        for name, (role, area) in personas.items()
    }
    building = BuildingFactory(grid=grid_a1, community=community_a, name="甲栋")
    household = HouseholdFactory(building=building)
    person = PersonFactory(household=household, name=CANARY_NAME)
    PersonFactory(household=HouseholdFactory(building=BuildingFactory(grid=grid_b1)))
    job = enqueue_job("core.selftest", user=users["officer_a"], area_path=community_a.path)
    world = World(community_a, grid_a1, building, household, person, job, users=users)
    for build in BUILDERS:
        build(world)
    return world


def walked_world(django_db_blocker: Any) -> Iterator[World]:
    """The world for a module's tests (a module-scoped fixture yields from this): built once
    for hundreds of requests; each test's writes roll back with its transaction, and the rows
    are flushed when the module is done."""
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
