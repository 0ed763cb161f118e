"""Daily figures and dashboards of a district: storing one day, and reading a district's, a
street's and a community's (issue 16, Figures).

    .venv/bin/python bench/reports.py [--communities 150] [--households 3000] [--days 365]
                                      [--runs 7] [--repeats 3] [--keep FILE] [--small]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fk_bench .venv/bin/python bench/reports.py

Builds a synthetic district in a fresh database (a SQLite file in a temporary directory, or
the database DATABASE_URL names, which must be empty): ``--communities`` communities, ten to
a street, each with ``--households`` households of about 2.7 people, a pass each, one gate
and the day's gate events (a third of the households go out and come back, a few are
refused), people under quarantine with their reports of the day, and ``--days`` days of
stored daily figures per community, rolled up to the streets and the district. Raw rows are
inserted in bulk, not through the services: this measures the figures, not the registry.
The default is the issue's full size: 150 communities of 3,000 households, about 1.2
million people, a year of stored figures. ``--small`` is a tiny district (three
communities) for a quick look; the suite runs the builder and the measurements at that size
(bench/test_reports.py).

Then, in one process: the time and queries to count and store one day for the whole
district (``reports.daily.store_day``; the median of ``--repeats`` runs: storing is
idempotent), the median time and queries of reading one day (``figures_for``) and the last
30 days (``series``), and the dashboards (``/dashboard/``, through the real view with
Django's test client, logged in as the district's official, a street's official and a
community's officer), with the ratios district / community.

Prints one JSON object. Targets (issue 16): storing a district's day under 60 s; the
district's dashboard no more than 2x a community's, and the same number of queries for a
street of ten communities as for the district of all of them (a constant number of queries).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PER_STREET = 10
TARGET_STORE_S = 60.0
TARGET_RATIO = 2.0
#: ``--small``: a tiny district, for a quick look and the suite.
SMALL = {"communities": 3, "households": 6, "days": 31}


def setup(database: str | None) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
    os.environ.setdefault("FANGKONG_DEBUG", "1")
    if database:
        os.environ["FANGKONG_SQLITE_PATH"] = database
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build(communities: int, households: int, days: int, day: dt.date) -> dict[str, Any]:
    """The synthetic district; returns its areas' ids and the rows written."""
    from django.db import transaction
    from django.utils import timezone

    from fangkong.access.choices import Decision, Direction, PassStatus, ReasonCode
    from fangkong.access.models import GateEvent, Pass
    from fangkong.areas.choices import AreaLevel
    from fangkong.areas.models import Area
    from fangkong.areas.services import do_create_area
    from fangkong.health.choices import QuarantineKind
    from fangkong.health.models import HealthReport, Quarantine
    from fangkong.registry.models import Building, Household, Person
    from fangkong.reports import daily
    from fangkong.reports.models import CommunityFigure
    from fangkong.staff.models import Checkpoint

    rng = random.Random(16)
    written: dict[str, int] = {}

    def area(level: str, name: str, code: str, parent: Area | None) -> Area:
        return do_create_area(level=level, name=name, code=code, parent=parent, by=None)

    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time(6), tzinfo=tz)
    with transaction.atomic():
        city = area(AreaLevel.CITY, "基准市", "B", None)
        district = area(AreaLevel.DISTRICT, "基准区", "B1", city)
        streets: list[Area] = []
        ids: list[int] = []
        for c in range(communities):
            if c % PER_STREET == 0:
                streets.append(
                    area(
                        AreaLevel.STREET,
                        f"第{len(streets) + 1}街道",
                        f"B1S{len(streets)}",
                        district,
                    )
                )
            community = area(AreaLevel.COMMUNITY, f"第{c + 1}社区", f"B1C{c}", streets[-1])
            grid = area(AreaLevel.GRID, "第一网格", f"B1C{c}G1", community)
            ids.append(community.pk)
            building = Building(community=community, grid=grid, number="1", units=6, floors=30)
            building.save()
            gate = Checkpoint(community=community, name="东门")
            gate.save()
            homes = Household.objects.bulk_create(
                Household(community=community, grid=grid, building=building, room=str(100 + h))
                for h in range(households)
            )
            people = Person.objects.bulk_create(
                Person(community=community, grid=grid, household=home, name=f"居民{i}")
                for home in homes
                for i in range(2 + (home.pk % 5 < 2) + (home.pk % 3 == 0))
            )
            passes = Pass.objects.bulk_create(
                Pass(
                    community=community,
                    grid=grid,
                    household=home,
                    serial=f"{c}-{n}",
                    nonce=f"{c}-{n}-{rng.random()}"[:24],
                    digest=f"{c}-{n}",
                    status=PassStatus.ACTIVE if n % 50 else PassStatus.SUSPENDED,
                )
                for n, home in enumerate(homes)
            )
            events = []
            for n, item in enumerate(passes):
                if n % 3:
                    continue  # a third of the households go out that day
                out = start + dt.timedelta(minutes=rng.randrange(0, 600))
                for direction, at in (
                    (Direction.OUT, out),
                    (Direction.IN, out + dt.timedelta(hours=2)),
                ):
                    events.append(
                        GateEvent(
                            community=community,
                            checkpoint=gate,
                            pass_obj=item,
                            household_id=item.household_id,
                            direction=direction,
                            decision=Decision.ALLOW,
                            reason_code=ReasonCode.OK,
                            passed=True,
                            client_event_id=_uuid(rng),
                            time=at,
                        )
                    )
            events += [
                GateEvent(
                    community=community,
                    checkpoint=gate,
                    direction=Direction.OUT,
                    decision=Decision.DENY,
                    reason_code=ReasonCode.QUOTA_USED,
                    client_event_id=_uuid(rng),
                    time=start + dt.timedelta(minutes=rng.randrange(0, 600)),
                )
                for _ in range(max(households // 100, 1))
            ]
            GateEvent.objects.bulk_create(events, batch_size=5000)
            quarantined = people[:: max(len(people) // 20, 1)]
            quarantines = Quarantine.objects.bulk_create(
                Quarantine(
                    community=community,
                    grid=grid,
                    person=person,
                    household_id=person.household_id,
                    kind=QuarantineKind.HOME,
                    period_days=14,
                    start_date=day - dt.timedelta(days=3),
                    planned_end=day + dt.timedelta(days=11),
                )
                for person in quarantined
            )
            HealthReport.objects.bulk_create(
                HealthReport(
                    community=community,
                    grid=grid,
                    person_id=q.person_id,
                    quarantine=q,
                    taken_at=start,
                    day=day,
                    temperature="36.5",
                )
                for q in quarantines[::2]
            )
            for name, n in (
                ("people", len(people)),
                ("households", len(homes)),
                ("gate events", len(events)),
                ("quarantines", len(quarantines)),
            ):
                written[name] = written.get(name, 0) + n
        # The stored history: every key of every community, ``days`` days back.
        keys = daily.DAILY_KEYS
        batch: list[CommunityFigure] = []
        stored = 0
        for back in range(1, days + 1):
            for cid in ids:
                batch.extend(
                    CommunityFigure(
                        community_id=cid,
                        day=day - dt.timedelta(days=back),
                        key=key,
                        value=rng.randrange(0, 500),
                    )
                    for key in keys
                )
            if len(batch) > 50_000:
                CommunityFigure.objects.bulk_create(batch, batch_size=5000)
                stored += len(batch)
                batch = []
        CommunityFigure.objects.bulk_create(batch, batch_size=5000)
        written["stored figures"] = stored + len(batch)
        for back in range(1, days + 1):  # the streets' and the district's sums of each day
            daily.roll_up(ids, day - dt.timedelta(days=back))
    return {
        "district": district.pk,
        "street": streets[0].pk,
        "community": ids[0],
        "communities": len(ids),
        "rows": written,
    }


def _uuid(rng: random.Random) -> Any:
    import uuid

    return uuid.UUID(int=rng.getrandbits(128), version=4)


def timed(call: Callable[[], Any], runs: int) -> dict[str, Any]:
    """Median milliseconds of ``runs`` calls after one untimed, and the queries of one."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    with CaptureQueriesContext(connection) as queries:
        call()
    return {"ms": round(statistics.median(times), 2), "queries": len(queries)}


def _client(user: Any) -> Any:
    """Django's test client logged in as ``user``, the two-step login passed."""
    from django.test import Client

    from fangkong.accounts import two_factor

    client = Client()
    client.force_login(user)
    session = client.session
    session[two_factor.STATE_KEY] = two_factor.VERIFIED
    session.save()
    return client


def users(built: dict[str, Any]) -> dict[str, Any]:
    """The district's official, the first street's official, the first community's officer."""
    from fangkong.accounts.choices import Role
    from fangkong.accounts.models import User

    roles = {
        "district": Role.DISTRICT_OFFICIAL,
        "street": Role.STREET_OFFICIAL,
        "community": Role.COMMUNITY_OFFICER,
    }
    found = {}
    for name, role in roles.items():
        user, _created = User.objects.get_or_create(
            username=f"bench-{name}",
            defaults={"role": role, "area_id": built[name], "full_name": f"基准{name}"},
        )
        found[name] = user
    return found


def dashboards(built: dict[str, Any], runs: int) -> dict[str, Any]:
    """Each dashboard (its own area's, at /dashboard/) through the real view: the median
    milliseconds, the queries of one request, the page's size."""
    from django.urls import reverse

    url = reverse("reports:dashboard")
    found: dict[str, Any] = {}
    for name, user in users(built).items():
        client = _client(user)

        def get(client: Any = client) -> Any:
            response = client.get(url)
            assert response.status_code == 200, response.status_code
            return response

        found[name] = {**timed(get, runs), "bytes": len(get().content)}
    return found


def ratio(part: dict[str, dict[str, Any]]) -> float:
    return round(part["district"]["ms"] / max(part["community"]["ms"], 0.01), 2)


def measure(built: dict[str, Any], day: dt.date, runs: int, repeats: int = 1) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from fangkong.areas.models import Area
    from fangkong.reports import daily

    seconds = []
    for _ in range(repeats):  # storing is idempotent: the same day again
        with CaptureQueriesContext(connection) as queries:
            began = time.perf_counter()
            stored = daily.store_day(None, day)
            seconds.append(time.perf_counter() - began)
    median = statistics.median(seconds)
    store = {
        "seconds": round(median, 2),
        "runs": [round(s, 2) for s in seconds],
        "queries": len(queries),
        "communities": stored,
    }
    areas = {name: Area.objects.get(pk=built[name]) for name in ("district", "street", "community")}
    one_day = {
        name: timed(lambda a=a: daily.figures_for(a, day), runs) for name, a in areas.items()
    }
    month = {
        name: timed(lambda a=a: daily.series(a, day - dt.timedelta(days=29), day), runs)
        for name, a in areas.items()
    }
    pages = dashboards(built, runs)
    constant = pages["district"]["queries"] == pages["street"]["queries"]
    return {
        "store_day": {**store, "target_s": TARGET_STORE_S, "pass": median < TARGET_STORE_S},
        "figures_for": {**one_day, "ratio_district_to_community": ratio(one_day)},
        "series_30_days": {**month, "ratio_district_to_community": ratio(month)},
        "dashboard": {
            **pages,
            "ratio_district_to_community": ratio(pages),
            "queries_constant": constant,
        },
        "targets": {
            "store_s": TARGET_STORE_S,
            "ratio": TARGET_RATIO,
            "pass": median < TARGET_STORE_S and ratio(pages) <= TARGET_RATIO and constant,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--communities", type=int, default=150)
    parser.add_argument("--households", type=int, default=3000, help="per community")
    parser.add_argument("--days", type=int, default=365, help="days of stored history")
    parser.add_argument("--runs", type=int, default=7, help="timed reads per figure and page")
    parser.add_argument("--repeats", type=int, default=3, help="times the day is stored")
    parser.add_argument("--keep", help="SQLite file to build in and keep (default: temporary)")
    parser.add_argument("--small", action="store_true", help="a tiny district (3 communities)")
    options = parser.parse_args()
    if options.small:
        for name, value in SMALL.items():
            setattr(options, name, value)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        database = None
        if not os.environ.get("DATABASE_URL"):
            database = options.keep or str(Path(tmp) / "reports-bench.sqlite3")
        setup(database)
        from django.utils import timezone

        day = timezone.localdate() - dt.timedelta(days=1)
        began = time.perf_counter()
        built = build(options.communities, options.households, options.days, day)
        built["build_seconds"] = round(time.perf_counter() - began, 1)
        from django.db import connection

        result = {
            "database": connection.vendor,
            "size": {
                "communities": options.communities,
                "households_per_community": options.households,
                "days_stored": options.days,
            },
            "built": built,
            **measure(built, day, options.runs, options.repeats),
            "load_average": {"before": load_before, "after": os.getloadavg()},
        }
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))


if __name__ == "__main__":
    main()
