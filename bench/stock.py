"""Stock balances of a district on one date (issue 17, Figures).

    .venv/bin/python bench/stock.py [--communities 150] [--days 365] [--runs 7] [--keep FILE]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fk_bench .venv/bin/python bench/stock.py

Builds a synthetic district in a fresh database (a SQLite file in a temporary directory, or
the database DATABASE_URL names, which must be empty or a previous run's): ``--communities``
communities, ten to a street, each with ten items, an office and three gates, and ``--days``
days of ledger rows: every week a lot of each item received into the office, every day six
transfers from the office to the gates (a row out and a row in each) and six issues at the
gates. At the defaults that is about 1.06 million ledger rows, inserted in bulk (raw rows,
not through the services: this measures the balances, not the writers).

Then the median time and the queries of ``supplies.services.balances_on`` (every item's
balance in every place at the end of the middle day of the year) for the whole district and
for one community, and the ratio community / district: a balance reads the communities'
rows up to the day from the ledger's ``(community, day, item, place, quantity)`` index, so
the cost follows the data asked for, not the data stored. Prints one JSON object.
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
ITEMS = 10
GATES = 3


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


def build(communities: int, days: int, first: dt.date) -> dict[str, Any]:
    """The synthetic district and its ledger; its ids and the rows written."""
    from django.db import transaction

    from fangkong.areas.choices import AreaLevel
    from fangkong.areas.models import Area
    from fangkong.areas.services import do_create_area
    from fangkong.core.bulk import BulkWriter, sqlite_cache
    from fangkong.supplies.choices import Category, MovementKind, PlaceKind, Source, Unit
    from fangkong.supplies.models import Item, Lot, Movement, Place

    rng = random.Random(17)

    def area(level: str, name: str, code: str, parent: Area | None) -> Area:
        return do_create_area(level=level, name=name, code=code, parent=parent, by=None)

    ledger = BulkWriter(Movement)
    written = 0
    batch_id = 0
    with transaction.atomic(), sqlite_cache():
        city = area(AreaLevel.CITY, "基准市", "S", None)
        district = area(AreaLevel.DISTRICT, "基准区", "S1", city)
        streets: list[Area] = []
        ids: list[int] = []
        for c in range(communities):
            if c % PER_STREET == 0:
                streets.append(
                    area(
                        AreaLevel.STREET,
                        f"第{len(streets) + 1}街道",
                        f"S1S{len(streets)}",
                        district,
                    )
                )
            community = area(AreaLevel.COMMUNITY, f"第{c + 1}社区", f"S1C{c}", streets[-1])
            ids.append(community.pk)
            items = Item.objects.bulk_create(
                Item(
                    community=community,
                    name=f"物资{i}",
                    category=Category.OTHER,
                    base_unit=Unit.PIECE,
                )
                for i in range(ITEMS)
            )
            places = Place.objects.bulk_create(
                [Place(community=community, kind=PlaceKind.OFFICE, name="社区办公室")]
                + [
                    Place(community=community, kind=PlaceKind.CHECKPOINT, name=f"{g + 1}号门")
                    for g in range(GATES)
                ]
            )
            office, gates = places[0], places[1:]
            lots = Lot.objects.bulk_create(
                Lot(
                    community=community,
                    item=item,
                    source=Source.PURCHASE,
                    received_on=first + dt.timedelta(days=week * 7),
                    quantity=1000,
                    entered_quantity=1000,
                    entered_unit=Unit.PIECE,
                )
                for week in range((days + 6) // 7)
                for item in items
            )
            rows: list[dict[str, Any]] = []

            def add(batch: int, *values: Any, rows: list[dict[str, Any]] = rows) -> None:
                _row(rows, community.pk, batch, *values)  # noqa: B023 (used in this round)

            for back in range(days):
                day = first + dt.timedelta(days=back)
                week_lots = lots[(back // 7) * ITEMS : (back // 7 + 1) * ITEMS]
                if back % 7 == 0:
                    for lot in week_lots:
                        batch_id += 1
                        _row(
                            rows,
                            community.pk,
                            batch_id,
                            MovementKind.RECEIVED,
                            day,
                            lot,
                            office,
                            lot.quantity,
                        )
                for gate in gates:
                    for lot in rng.sample(week_lots, 2):
                        batch_id += 1
                        _row(
                            rows,
                            community.pk,
                            batch_id,
                            MovementKind.TRANSFER_OUT,
                            day,
                            lot,
                            office,
                            -20,
                        )
                        _row(
                            rows,
                            community.pk,
                            batch_id,
                            MovementKind.TRANSFER_IN,
                            day,
                            lot,
                            gate,
                            20,
                        )
                        batch_id += 1
                        _row(
                            rows,
                            community.pk,
                            batch_id,
                            MovementKind.ISSUED,
                            day,
                            lot,
                            gate,
                            -rng.randrange(1, 20),
                        )
            ledger.insert_rows(rows)
            written += len(rows)
    return {
        "district": district.pk,
        "community": ids[0],
        "communities": ids,
        "ledger_rows": written,
    }


def _row(
    rows: list[dict[str, Any]],
    community_id: int,
    batch: int,
    kind: str,
    day: dt.date,
    lot: Any,
    place: Any,
    quantity: int,
) -> None:
    rows.append(
        {
            "community_id": community_id,
            "batch": batch,
            "kind": kind,
            "day": day,
            "item_id": lot.item_id,
            "place_id": place.pk,
            "lot_id": lot.pk,
            "quantity": quantity,
            "version": 1,
        }
    )


def timed(call: Callable[[], Any], runs: int) -> dict[str, Any]:
    """Median milliseconds of ``runs`` calls after one untimed, the queries of one, and the
    balances it answered."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    with CaptureQueriesContext(connection) as queries:
        answer = call()
    return {
        "ms": round(statistics.median(times), 2),
        "queries": len(queries),
        "balances": len(answer),
    }


def measure(built: dict[str, Any], day: dt.date, runs: int) -> dict[str, Any]:
    from fangkong.supplies.services import balances_on

    district = timed(lambda: balances_on(built["communities"], day), runs)
    community = timed(lambda: balances_on([built["community"]], day), runs)
    return {
        "day": day.isoformat(),
        "district": district,
        "community": community,
        "ratio_community_to_district": round(community["ms"] / max(district["ms"], 0.01), 4),
        "share_of_data_asked": round(1 / len(built["communities"]), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--communities", type=int, default=150)
    parser.add_argument("--days", type=int, default=365, help="days of ledger rows")
    parser.add_argument("--runs", type=int, default=7, help="timed reads of each")
    parser.add_argument("--keep", help="SQLite file to build in and keep (default: temporary)")
    options = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        database = None
        if not os.environ.get("DATABASE_URL"):
            database = options.keep or str(Path(tmp) / "stock-bench.sqlite3")
        setup(database)
        from django.db import connection

        first = dt.date(2020, 1, 1)
        began = time.perf_counter()
        built = build(options.communities, options.days, first)
        build_seconds = round(time.perf_counter() - began, 1)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE supplies_movement")
        day = first + dt.timedelta(days=options.days // 2)
        result = {
            "database": connection.vendor,
            "size": {"communities": options.communities, "days": options.days},
            "ledger_rows": built["ledger_rows"],
            "build_seconds": build_seconds,
            **measure(built, day, options.runs),
            "load_average": {"before": load_before, "after": os.getloadavg()},
        }
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))


if __name__ == "__main__":
    main()
