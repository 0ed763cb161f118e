"""Benchmark of phone screening at the scale of a community and of a district.

    .venv/bin/python bench/screening.py [--communities 150] [--households 1901]

In a fresh SQLite database in a temporary directory it builds ``--communities`` communities
of ``--households`` households each (33 buildings, six grids, a grid worker per grid), then:

1. starts a campaign over the first community (every household assigned to its grid's
   worker), renders a caller's list and the officer's coverage page;
2. closes it, starts one over the whole district and renders the same pages again, the
   coverage page as the district official sees it.

Before each page is rendered, a day of calls is simulated (most households reached, some
tried and pending, a few unreachable), so the pages count real figures.

One JSON line per measurement: ``seconds``, ``queries`` and ``ratio`` against a floor
measured in the same run on the same rows — for a start, reading the households and a raw
``executemany`` of the same number of assignment rows into a bare table; for a page, the one
bare query that lists (or counts) what the page is about. Target (issue 5): the district
campaign starts in under 60 s on SQLite; both pages take the same number of queries at both
sizes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BUILDINGS = 33
GRIDS = 6
BATCH = 5000


def setup_django(var_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "fangkong.settings"
    os.environ["FANGKONG_VAR_DIR"] = var_dir
    os.environ["FANGKONG_SQLITE_PATH"] = str(Path(var_dir) / "bench.sqlite3")
    os.environ.pop("DATABASE_URL", None)
    # Development settings (what `make demo` runs): dev secrets under the temp dir, static
    # files served without a manifest. Query logging is bounded by Django.
    os.environ["FANGKONG_DEBUG"] = "1"
    os.environ["FANGKONG_AXES_ENABLED"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def emit(**fields: Any) -> None:
    print(json.dumps({"bench": "screening", **fields}, ensure_ascii=False), flush=True)


# --- The world ------------------------------------------------------------------------------


def _bulk_areas(parents: list[Any], level: str, per_parent: int, prefix: str) -> list[Any]:
    from fangkong.areas.models import Area

    rows = [
        Area(
            level=level,
            name=f"{prefix}{p.pk}-{n}",
            code=f"{prefix}{p.pk}-{n}",
            parent=p,
            path=f"?{prefix}{p.pk}-{n}",
        )
        for p in parents
        for n in range(1, per_parent + 1)
    ]
    rows = Area.objects.bulk_create(rows, batch_size=BATCH)
    for area in rows:
        area.path = f"{area.parent.path}{area.pk}/"
    Area.objects.bulk_update(rows, ["path"], batch_size=BATCH)
    return rows


def build_world(communities: int, households: int) -> dict[str, Any]:
    from fangkong.accounts.choices import Role
    from fangkong.accounts.models import User
    from fangkong.areas.choices import AreaLevel
    from fangkong.areas.services import do_create_area
    from fangkong.registry.models import Building, Household

    city = do_create_area(level=AreaLevel.CITY, name="基准市", code="B0", parent=None, by=None)
    district = do_create_area(
        level=AreaLevel.DISTRICT, name="基准区", code="B1", parent=city, by=None
    )
    street = do_create_area(
        level=AreaLevel.STREET, name="基准街道", code="B2", parent=district, by=None
    )
    community_rows = _bulk_areas([street], AreaLevel.COMMUNITY, communities, "C")
    grid_rows = _bulk_areas(community_rows, AreaLevel.GRID, GRIDS, "G")
    grids_of: dict[int, list[Any]] = {}
    for grid in grid_rows:
        grids_of.setdefault(grid.parent_id, []).append(grid)

    no_login = "!"  # an unusable password hash: the bench logs in with force_login
    users = [
        User(username=f"officer-{c.pk}", role=Role.COMMUNITY_OFFICER, area=c, password=no_login)
        for c in community_rows
    ]
    users += [
        User(username=f"grid-{g.pk}", role=Role.GRID_WORKER, area=g, password=no_login)
        for g in grid_rows
    ]
    users.append(
        User(username="district", role=Role.DISTRICT_OFFICIAL, area=district, password=no_login)
    )
    User.objects.bulk_create(users, batch_size=BATCH)

    buildings = [
        Building(
            community=c,
            grid=grids_of[c.pk][n * GRIDS // BUILDINGS],
            number=str(n + 1),
            name=f"{n + 1}号楼",
            units=4,
            floors=30,
            sort_key=n + 1,
        )
        for c in community_rows
        for n in range(BUILDINGS)
    ]
    buildings = Building.objects.bulk_create(buildings, batch_size=BATCH)
    by_community: dict[int, list[Any]] = {}
    for building in buildings:
        by_community.setdefault(building.community_id, []).append(building)

    batch: list[Any] = []
    for community in community_rows:
        own = by_community[community.pk]
        for n in range(households):
            building = own[n % BUILDINGS]
            k = n // BUILDINGS
            unit, floor, door = k % 4 + 1, k // 8 + 1, k // 4 % 2 + 1
            batch.append(
                Household(
                    community_id=community.pk,
                    building_id=building.pk,
                    unit=unit,
                    floor=floor,
                    room=f"{floor}{door:02d}",
                    number=f"{building.number}-{unit}-{floor}{door:02d}",
                )
            )
            if len(batch) >= BATCH:
                Household.objects.bulk_create(batch)
                batch = []
    Household.objects.bulk_create(batch)
    return {"district": district, "communities": community_rows, "grids": grids_of}


# --- Measurements ---------------------------------------------------------------------------


def floor_for_start(campaign: Any) -> float:
    """Reading the households and inserting the same number of rows into a bare table."""
    from django.db import connection, transaction

    from fangkong.screening.services import campaign_households

    sql, params = (
        campaign_households(campaign)
        .order_by()
        .values_list("pk", "community_id", "building__grid_id")
        .query.sql_with_params()
    )
    now = dt.datetime.now(dt.UTC).isoformat()
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_floor")
        cursor.execute(
            "CREATE TABLE bench_floor (id INTEGER PRIMARY KEY, campaign_id int, "
            "household_id int, community_id int, grid_id int, assignee_id int, "
            "status text, attempts int, version int, created text, updated text)"
        )
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = [
            (campaign.pk, h, c, g, None, "pending", 0, 1, now, now) for h, c, g in cursor.fetchall()
        ]
        cursor.executemany(
            "INSERT INTO bench_floor (campaign_id, household_id, community_id, grid_id, "
            "assignee_id, status, attempts, version, created, updated) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            rows,
        )
    return time.perf_counter() - started


def measure_start(campaign: Any, label: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fangkong.screening.services import do_start_campaign

    floor = floor_for_start(campaign)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        count = do_start_campaign(campaign, by=None)
    seconds = time.perf_counter() - started
    emit(
        measure="start",
        campaign=label,
        households=count,
        seconds=round(seconds, 3),
        queries=len(queries),
        floor_seconds=round(floor, 3),
        ratio=round(seconds / floor, 2),
        target_seconds=60 if label == "district" else None,
    )


def simulate_day(campaign: Any) -> None:
    """A day of calls in bulk: 80 % reached, 10 % tried once and pending, 2 % unreachable."""
    from django.utils import timezone

    from fangkong.screening.choices import AssignmentStatus, Outcome
    from fangkong.screening.models import CallAssignment, CallAttempt

    now = timezone.now()
    morning = now.replace(hour=0, minute=0) + dt.timedelta(hours=1)
    ids = list(
        CallAssignment.objects.filter(campaign=campaign)
        .order_by("pk")
        .values_list("pk", "community_id", "grid_id", "assignee_id")
    )
    reached = [row for n, row in enumerate(ids) if n % 10 < 8]
    tried = [row for n, row in enumerate(ids) if n % 10 == 8]
    lost = [row for n, row in enumerate(ids) if n % 50 == 9]
    for rows, status in (
        (reached, AssignmentStatus.REACHED),
        (tried, AssignmentStatus.PENDING),
        (lost, AssignmentStatus.UNREACHABLE),
    ):
        pks = [row[0] for row in rows]
        for start in range(0, len(pks), BATCH):
            CallAssignment.objects.filter(pk__in=pks[start : start + BATCH]).update(
                status=status,
                attempts=0 if status == AssignmentStatus.REACHED else 1,
                last_attempt_at=now,
            )
    span = max((now - morning).total_seconds(), 60)
    attempts = [
        CallAttempt(
            campaign=campaign,
            assignment_id=pk,
            community_id=community,
            grid_id=grid,
            caller_id=caller,
            at=morning + dt.timedelta(seconds=n * 7919 % span),
            outcome=Outcome.ANSWERED if n % 10 < 8 else Outcome.NO_ANSWER,
        )
        for n, (pk, community, grid, caller) in enumerate(reached[::8] + tried[::8])
    ]
    CallAttempt.objects.bulk_create(attempts, batch_size=BATCH)


def measure_page(client: Any, url: str, label: str, what: str, floor_sql: tuple) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm: templates compiled, caches filled
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(*floor_sql)
        cursor.fetchall()
        floor = time.perf_counter() - started
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    seconds = time.perf_counter() - started
    assert response.status_code == 200, (url, response.status_code)
    emit(
        measure=what,
        campaign=label,
        seconds=round(seconds, 3),
        queries=len(queries),
        floor_seconds=round(floor, 4),
        ratio=round(seconds / max(floor, 1e-6), 1),
        bytes=len(response.content),
    )


def measure_pages(campaign: Any, label: str, caller: Any, viewer: Any) -> None:
    from django.db.models import Count
    from django.test import Client
    from django.urls import reverse

    from fangkong.screening.models import CallAssignment
    from fangkong.screening.stats import my_assignments

    simulate_day(campaign)
    client = Client()
    client.force_login(caller)
    mine = my_assignments(caller).values_list("pk", flat=True).query.sql_with_params()
    measure_page(client, reverse("screening:call_list"), label, "call_list", mine)
    client.force_login(viewer)
    counts = (
        CallAssignment.objects.filter(campaign=campaign)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
        .query.sql_with_params()
    )
    measure_page(
        client, reverse("screening:campaign_detail", args=[campaign.pk]), label, "coverage", counts
    )


def run(communities: int, households: int) -> None:
    from django.utils import timezone

    from fangkong.accounts.models import User
    from fangkong.screening.services import (
        default_questionnaire,
        do_close_campaign,
        do_create_campaign,
    )

    started = time.perf_counter()
    world = build_world(communities, households)
    emit(
        measure="setup",
        communities=communities,
        households=communities * households,
        seconds=round(time.perf_counter() - started, 1),
    )
    today = timezone.localdate()
    first = world["communities"][0]
    caller = User.objects.get(username=f"grid-{world['grids'][first.pk][0].pk}")

    community_campaign = do_create_campaign(
        area=first,
        by=None,
        name="社区排查",
        questionnaire=default_questionnaire(first),
        starts_on=today,
        ends_on=today + dt.timedelta(days=14),
    )
    measure_start(community_campaign, "community")
    measure_pages(
        community_campaign, "community", caller, User.objects.get(username=f"officer-{first.pk}")
    )
    do_close_campaign(community_campaign, by=None)

    district = world["district"]
    district_campaign = do_create_campaign(
        area=district,
        by=None,
        name="全区排查",
        questionnaire=default_questionnaire(district),
        starts_on=today,
        ends_on=today + dt.timedelta(days=14),
    )
    measure_start(district_campaign, "district")
    measure_pages(district_campaign, "district", caller, User.objects.get(username="district"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--communities", type=int, default=150)
    parser.add_argument("--households", type=int, default=1901)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fangkong-bench-") as var_dir:
        setup_django(var_dir)
        run(args.communities, args.households)


if __name__ == "__main__":
    main()
