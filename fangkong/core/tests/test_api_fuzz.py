"""Schemathesis over ``/api/v1/openapi.json`` as four roles: no 5xx, no answer off the schema.

For each role (community officer, grid worker, checkpoint staff, district official) the
schema is read as that role, in-process from the Django WSGI app (no network, no server),
and every operation is called with generated requests: the schema's examples, its boundary
values (schemathesis's coverage phase) and a bounded number of random ones, valid and
invalid, from a fixed seed. Each answer must

* not be a server error (any 5xx),
* have a status the operation documents,
* have the content type it documents,
* have a body that matches the documented schema.

The data is a small community with rows of every kind (``api_world.build_world``), made in
the test's transaction; ids in paths and references in bodies name its rows (most of the
time), so writes reach the services. Each request runs in a savepoint that is rolled back
after it, so every case sees the same rows and a failed request cannot spoil the next.

Every case is run (no stop at the first failure, no shrinking): the test fails at the end
with a line per failing operation and the request that showed it. ``KNOWN_FAILING`` names the
cases of findings other engineers are fixing, which are skipped and counted. Environment:

* ``FANGKONG_FUZZ_ONLY=REGEX`` fuzzes only the operations it matches ("PATCH /api/v1/...");
* ``FANGKONG_FUZZ_REPORT=path`` appends the counts per role and operation as JSON lines
  (``bench/api_fuzz.py`` runs the test with it and prints the figures).
"""

from __future__ import annotations

import json
import os
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.apps import apps
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection, transaction
from django.db.models import Model
from django.urls import resolve
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.generation.feedback import FeedbackSources

# The per-operation test builder schemathesis's own pytest integration uses. Its
# ``pytest.from_fixture`` loader cannot run on pytest 9.2 (it renames ``Function._nodeid``,
# which pytest 9.2 no longer has), so the loop over operations is ours; the cases are the same.
from schemathesis.pytest._test_builder import build_operation_test
from schemathesis.python._constants.orchestrator import make_constants_value_source
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from fangkong.accounts.models import ApiToken, User
from fangkong.areas.models import Area
from fangkong.core.api import hash_token
from fangkong.core.tests.api_world import build_world

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

SCHEMA_URL = "/api/v1/openapi.json"
#: The same cases on every run: a failure seen in CI is seen again on a laptop.
SEED = 20200212
#: Random cases per operation and role, on top of the schema's examples and boundary values.
#: Small enough that the four roles together stay within about two minutes on two cores.
MAX_EXAMPLES = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
#: Of the boundary-value cases of writes, the community officer sends one in this many.
WRITE_COVERAGE_SHARE = 3
#: The role and the persona (conftest.py) who plays it; the community officer first.
ROLES = {
    "community_officer": "officer_a",
    "grid_worker": "grid_worker_a1",
    "checkpoint_staff": "checkpoint_a",
    "district_official": "district_official",
}


#: Cases skipped while a finding is being fixed, each named by its finding and owner (the
#: predicate says which cases): none now. A skip here must say why and be temporary.
KNOWN_FAILING: dict[str, Callable[[Any], bool]] = {}


#: ``FANGKONG_FUZZ_ONLY=regex`` fuzzes only the operations ("PATCH /api/v1/people/{id}/")
#: it matches: while fixing one route, run its cases alone.
ONLY = re.compile(os.environ.get("FANGKONG_FUZZ_ONLY", ""))


@pytest.fixture
def world(
    community_a: Any, grid_a1: Any, community_b: Any, grid_b1: Any, officer_a: Any, health_a: Any
) -> Any:
    build_world(community_b, grid_b1, officer=None, health=None)  # rows out of everyone's reach
    return build_world(community_a, grid_a1, officer=officer_a, health=health_a)


@pytest.fixture
def _requests_in_the_test_transaction() -> Iterator[None]:
    """Requests share the test's connection and transaction, as Django's test client does:
    the WSGI handler would otherwise close the connection at each request's start and end."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _token_headers(user: Any) -> dict[str, str]:
    key = f"fuzz-{user.username}-0123456789abcdef"
    ApiToken.objects.create(user=user, key_hash=hash_token(key), prefix=key[:8])
    return {"Authorization": f"Bearer {key}"}


#: Body fields that name a row, and the kind of row: the fuzzer names real rows of the
#: caller's community most of the time, so writes get past "not found" to the services.
REFERENCES: dict[str, str] = {
    "community": "areas.area",
    "area": "areas.area",
    "grid": "areas.area",
    "grids": "areas.area",
    "other_community": "areas.area",
    "parent": "areas.area",
    "move_to": "areas.area",
    "assignee": "accounts.user",
    "handler": "accounts.user",
    "counsellor": "accounts.user",
    "follow_up_assignee": "accounts.user",
    "user": "accounts.user",
    "building": "registry.building",
    "buildings": "registry.building",
    "household": "registry.household",
    "person": "registry.person",
    "head": "registry.person",
    "moved_people": "registry.person",
    "checkpoint": "staff.checkpoint",
    "organisation": "staff.organisation",
    "team": "staff.team",
    "shift": "staff.shift",
    "return_shift": "staff.shift",
    "member": "staff.staffmember",
    "by_member": "staff.staffmember",
    "from_member": "staff.staffmember",
    "to_member": "staff.staffmember",
    "leader": "staff.staffmember",
    "on_duty": "staff.staffmember",
    "assignment": "staff.shiftassignment",
    "case": "health.case",
    "merchant": "merchants.merchant",
    "contact": "health.contact",
    "questionnaire": "screening.questionnaire",
    "place": "supplies.place",
    "item": "supplies.item",
    "volunteer": "volunteers.volunteer",
    "script": "outreach.broadcastscript",
}
#: How often a generated id or reference is a real row (the rest stay random: 404s, 400s).
REAL_ROWS = 0.8


def _rows(model: type[Model], world: Any) -> list[int]:
    """Ids of a few rows of ``model`` in the world's community."""
    if model is Area:
        return [world.community.pk, world.grid.pk]
    if model is User:
        rows = model.objects.filter(area__path__startswith=world.community.path)
    else:
        fields = {f.name for f in model._meta.get_fields()}
        owner = "community" if "community" in fields else "area"
        rows = model._default_manager.filter(**{owner: world.community})
    return list(rows.order_by("pk").values_list("pk", flat=True)[:5])


def _detail_model(path: str) -> type[Model]:
    """The model behind an API path with ``{id}`` (its viewset's queryset)."""
    match = resolve(path.replace("{id}", "1"))
    return match.func.cls.queryset.model


def _config(world: Any, paths: list[str]) -> dict[str, Any]:
    """schemathesis's settings: seed, bounds, and real rows for ids and references."""
    dictionaries: dict[str, dict[str, list[int]]] = {}

    def bind(label: str) -> dict[str, Any]:
        if label not in dictionaries:
            rows = _rows(apps.get_model(label), world)
            assert rows, f"api_world.build_world makes no {label} row for the fuzz to use"
            dictionaries[label] = {"values": rows}
        return {"dictionary": label, "probability": REAL_ROWS}

    references = {}
    for name, label in REFERENCES.items():
        references[f"body.{name}"] = bind(label)
        references[f"body.{name}[*]"] = bind(label)
    operations = [
        {
            "include-path": path,
            "parameters": {**references, "path.id": _rows(_detail_model(path), world)[0]},
        }
        for path in paths
        if "{id}" in path
    ]
    return {
        "seed": SEED,
        "suppress-health-check": ["all"],
        "dictionaries": dictionaries,
        "parameters": references,
        "operations": operations,
        "generation": {
            "mode": "all",
            "max-examples": MAX_EXAMPLES,
            # No shrinking: each failing case is counted as it was sent.
            "no-shrink": True,
            # Requests carry the role's own token; generated credentials would only test 401.
            "with-security-parameters": False,
            "database": "none",
        },
        "phases": {"stateful": {"enabled": False}},
    }


def _load_schema(world: Any, headers: dict[str, str]) -> Any:
    app = get_wsgi_application()
    served = schemathesis.openapi.from_wsgi(SCHEMA_URL, app, headers=headers)
    config = schemathesis.Config.from_dict(_config(world, list(served.raw_schema["paths"])))
    schema = schemathesis.openapi.from_dict(served.raw_schema, config=config)
    schema.app, schema.location = app, SCHEMA_URL
    return schema


class Tally:
    """Cases, and failing cases by kind, per operation; the first message of each failure."""

    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str]] = Counter()
        self.first: dict[str, dict[str, str]] = defaultdict(dict)

    def record(self, operation: str, case: Any, status: int, failures: list[Any]) -> None:
        self.counts[(operation, "cases")] += 1
        if not failures:
            return
        kind = "5xx" if status >= 500 else "schema"
        self.counts[(operation, kind)] += 1
        sent = f"{status} for {case.method} {case.formatted_path} {case.query or ''} {case.body!r}"
        for failure in failures:
            message = " ".join(failure.message.split())[:300]
            self.first[operation].setdefault(failure.title, f"{message} [{sent[:300]}]")

    def total(self, kind: str) -> int:
        return sum(n for (_, k), n in self.counts.items() if k == kind)

    def report(self) -> list[str]:
        lines = []
        for operation, failures in sorted(self.first.items()):
            counts = ", ".join(
                f"{self.counts[(operation, k)]} {k}"
                for k in ("5xx", "schema")
                if self.counts[(operation, k)]
            )
            lines.append(f"{operation} ({counts} of {self.counts[(operation, 'cases')]})")
            lines += [f"    {title}: {message}" for title, message in failures.items()]
        return lines


def _runs_here(case: Any, role_index: int) -> bool:
    """Whether this role sends this case. Random (fuzzing) cases: every role sends its own.
    Boundary-value (coverage) cases are the same for every role and there are many (about
    fifteen thousand): each read's cases are shared out among the four roles (each case sent
    by one of them), and the writes' cases are sent by the community officer, the role that
    makes those writes, one in ``WRITE_COVERAGE_SHARE``. Which ones is fixed by the case's
    content, so a run repeats exactly."""
    if case.meta is None or case.meta.phase.name.value != "coverage":
        return True
    content = repr((case.method, case.path_parameters, case.query, case.body))
    digest = zlib.crc32(f"{case.operation.label}|{content}".encode())
    if case.operation.method.upper() in {"GET", "HEAD"}:
        return digest % len(ROLES) == role_index
    return role_index == 0 and digest % WRITE_COVERAGE_SHARE == 0


def _case_runner(tally: Tally, headers: dict[str, str], role_index: int) -> Callable[[Any], None]:
    def run_case(case: Any) -> None:
        operation = f"{case.operation.method.upper()} {case.operation.path}"
        if not _runs_here(case, role_index):
            return
        known = next((name for name, matches in KNOWN_FAILING.items() if matches(case)), None)
        if known is not None:
            tally.counts[("known failing", known)] += 1
            return
        # Each request in a savepoint, rolled back: every case sees the same rows, and a
        # request that broke the transaction (PostgreSQL) cannot fail the ones after it.
        savepoint = transaction.savepoint_create()
        try:
            response = case.call(headers=headers)
        finally:
            transaction.savepoint_rollback(savepoint)
            connection.needs_rollback = False
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            tally.record(operation, case, response.status_code, list(group.exceptions))
        else:
            tally.record(operation, case, response.status_code, [])

    return run_case


def fuzz(schema: Any, headers: dict[str, str], role_index: int, methods: set[str]) -> Tally:
    """The operations of ``schema`` with these methods, with schemathesis's examples, coverage
    and fuzzing cases."""
    tally = Tally()
    feedback = FeedbackSources(constants_value_source=make_constants_value_source(schema))
    run_case = _case_runner(tally, headers, role_index)
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # the schema itself is checked by test_openapi
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        if operation.method.upper() not in methods or not ONLY.search(label):
            continue
        test = build_operation_test(
            config=schema.config,
            operation=operation,
            test_func=run_case,
            given_kwargs={},
            feedback=feedback,
        )
        test()
    return tally


def _write_report(role: str, tally: Tally) -> None:
    path = os.environ.get("FANGKONG_FUZZ_REPORT")
    if not path:
        return
    rows = [
        {"role": role, "operation": operation, "kind": kind, "count": n}
        for (operation, kind), n in sorted(tally.counts.items())
    ]
    rows += [
        {
            "role": role,
            "operation": operation,
            "kind": "first",
            "failure": title,
            "message": message,
        }
        for operation, failures in sorted(tally.first.items())
        for title, message in failures.items()
    ]
    with Path(path).open("a", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")


READS = {"GET"}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
#: Each role's operations in one test, the community officer's in two (reads, writes): the
#: officer sends the most cases, and two halves let two workers share them.
PARTS = [
    pytest.param("community_officer", READS, id="community_officer-reads"),
    pytest.param("community_officer", WRITES, id="community_officer-writes"),
    *[pytest.param(role, READS | WRITES, id=role) for role in list(ROLES)[1:]],
]


@pytest.mark.usefixtures("_requests_in_the_test_transaction")
@pytest.mark.parametrize(("role", "methods"), PARTS)
def test_every_operation_answers_the_role_within_its_schema(
    role: str, methods: set[str], request: pytest.FixtureRequest, world: Any
) -> None:
    # Given the role's token and the schema as the role reads it
    headers = _token_headers(request.getfixturevalue(ROLES[role]))
    schema = _load_schema(world, headers)

    # When its operations are called with schemathesis's cases
    tally = fuzz(schema, headers, list(ROLES).index(role), methods)
    _write_report(role, tally)

    # Then none answered 5xx or off the schema
    assert ONLY.pattern or tally.total("cases") > len(list(schema.get_all_operations())) / 2
    failing = tally.report()
    assert failing == [], (
        f"{role}: {tally.total('5xx')} 5xx and {tally.total('schema')} answers off the schema "
        f"in {tally.total('cases')} cases:\n" + "\n".join(failing)
    )
