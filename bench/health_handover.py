"""Does a hand-over take visibly longer when the other community does not know the person?

    .venv/bin/python bench/health_handover.py [--rounds 200]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fk_bench \
        .venv/bin/python bench/health_handover.py

A case's community hands over a contact by name and ID number (the case page's form, posted
through Django's test client with the whole middleware stack). When the other community
knows the ID number the contact is linked to that record; when it does not, the person is
recorded there first (more INSERTs and their audit rows). Everything the case's community
sees is the same either way (tests in fangkong/health/tests/test_handover.py); this measures
what is left, the time. ``--rounds`` hand-overs of each kind, interleaved (match, no match,
match...) so that drift weighs on both, each with a fresh ID number.

The search of the other registry runs in a background task (a worker, as in production; the
request only queues it): ``request`` lines time what the case's community waits for, and
``worker`` lines the queued searches run afterwards, which only the other side could time.
Prints one JSON line per kind and side (median, p10, p90 in ms, statements) and the
difference of the requests' medians in ms and as a fraction of the spread (p90 - p10) of the
matched ones.
On SQLite it runs in a temporary directory; with DATABASE_URL, in a test database on that
server (created and dropped by Django's test runner machinery).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def setup_django(var_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "fangkong.settings"
    os.environ["FANGKONG_VAR_DIR"] = var_dir
    os.environ["FANGKONG_SQLITE_PATH"] = str(Path(var_dir) / "bench.sqlite3")
    os.environ["FANGKONG_DEBUG"] = "1"
    os.environ["FANGKONG_AXES_ENABLED"] = "0"
    # Tasks queue for a worker, as in production (the search of B's registry waits there).
    os.environ.pop("FANGKONG_TASKS_INLINE", None)
    import django

    django.setup()


class _Counter:
    """A database execute wrapper that notes each statement."""

    def __init__(self, into: list[str]) -> None:
        self.into = into

    def __call__(self, execute: Any, sql: str, *rest: Any) -> Any:
        self.into.append(sql)
        return execute(sql, *rest)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(fraction * len(ordered)), len(ordered) - 1)]


def run(rounds: int) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from fangkong.accounts.choices import Role
    from fangkong.accounts.tests.factories import UserFactory
    from fangkong.areas.choices import AreaLevel
    from fangkong.areas.tests.factories import AreaFactory
    from fangkong.health.models import Contact
    from fangkong.health.services import do_link_handover
    from fangkong.health.tests.factories import CaseFactory, family
    from fangkong.registry.tests.factories import (
        BuildingFactory,
        HouseholdFactory,
        PersonFactory,
        next_id_number,
    )

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    city = AreaFactory(level=AreaLevel.CITY, code="B21")
    street = AreaFactory(parent=AreaFactory(parent=city, code="B2101"), code="B2101001")
    community_a = AreaFactory(parent=street, code="BA")
    community_b = AreaFactory(parent=street, code="BB")
    grid_a, grid_b = (
        AreaFactory(parent=community_a, code="BA1"),
        AreaFactory(parent=community_b, code="BB1"),
    )
    health = UserFactory(username="bench_health", role=Role.HEALTH_OFFICER, area=community_a)
    UserFactory(username="bench_officer_b", role=Role.COMMUNITY_OFFICER, area=community_b)
    case = CaseFactory(
        person=PersonFactory(household=family(grid_a, 0)), isolated_on=timezone.localdate()
    )
    # B's registry: a few thousand residents, among them the ones the matched rounds type
    building = BuildingFactory(grid=grid_b, community=community_b)
    known = []
    for i in range(max(2000, rounds)):
        number = next_id_number()
        PersonFactory(household=HouseholdFactory(building=building), id_number=number)
        if i < rounds:
            known.append(number)
    client = Client()
    client.force_login(health)
    url = reverse("health:contact_add", args=[case.pk])
    times: dict[str, list[float]] = {"match": [], "no_match": []}
    queries: dict[str, list[int]] = {"match": [], "no_match": []}
    for i in range(rounds):
        for kind in ("match", "no_match") if i % 2 == 0 else ("no_match", "match"):
            number = known[i] if kind == "match" else next_id_number()
            # A name per round: two typed alike (name and masks) are one contact, refused.
            data = {
                "kind": "close",
                "last_exposure": timezone.localdate().isoformat(),
                "other_community": community_b.pk,
                "name": f"某某{i}{kind}",
                "id_number": number,
            }
            counted: list[str] = []
            with connection.execute_wrapper(_Counter(counted)):
                start = time.perf_counter()
                response = client.post(url, data)
                elapsed = time.perf_counter() - start
            assert response.status_code == 302, response.status_code
            times[kind].append(elapsed * 1000)
            queries[kind].append(len(counted))
    # The worker's side: the queued searches, matched and not
    worker: dict[str, list[float]] = {"match": [], "no_match": []}
    worker_queries: dict[str, list[int]] = {"match": [], "no_match": []}
    for contact in Contact.objects.filter(person__isnull=True).order_by("pk"):
        kind = "no_match" if contact.handover_name.endswith("no_match") else "match"
        counted = []
        with connection.execute_wrapper(_Counter(counted)):
            start = time.perf_counter()
            do_link_handover(contact.pk)
            worker[kind].append((time.perf_counter() - start) * 1000)
        worker_queries[kind].append(len(counted))
    for side, measured, statements in (
        ("request", times, queries),
        ("worker", worker, worker_queries),
    ):
        for kind in measured:
            print(
                json.dumps(
                    {
                        "side": side,
                        "kind": kind,
                        "rounds": rounds,
                        "database": connection.vendor,
                        "median_ms": round(statistics.median(measured[kind]), 2),
                        "p10_ms": round(percentile(measured[kind], 0.1), 2),
                        "p90_ms": round(percentile(measured[kind], 0.9), 2),
                        "statements": sorted(set(statements[kind])),
                    }
                )
            )
    difference = statistics.median(times["no_match"]) - statistics.median(times["match"])
    spread = percentile(times["match"], 0.9) - percentile(times["match"], 0.1)
    print(
        json.dumps(
            {
                "request_difference_of_medians_ms": round(difference, 2),
                "as_fraction_of_match_p10_p90_spread": round(difference / spread, 2),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var_dir:
        setup_django(var_dir)
        from django.test.utils import (
            setup_databases,
            setup_test_environment,
            teardown_databases,
            teardown_test_environment,
        )

        setup_test_environment()
        old: Any = setup_databases(verbosity=0, interactive=False)
        try:
            run(args.rounds)
        finally:
            teardown_databases(old, verbosity=0)
            teardown_test_environment()


if __name__ == "__main__":
    main()
