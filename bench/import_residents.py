#!/usr/bin/env python
"""Benchmark of the resident import (issue 3, "Figures").

``bench/import_residents.py --rows N`` builds a fresh SQLite database in a temporary
directory, a community with enough buildings, and a register of N generated residents as
.xlsx; imports it through ``manage.py import_residents`` (the command's code path); then
measures a floor in the same run: reading the same file with python-calamine and inserting
the same cells with a raw ``sqlite3`` ``executemany`` into a bare table. It prints one JSON
line::

    {"rows": N, "rows_per_s": ..., "peak_rss_mb": ..., "ratio_to_floor": ..., "floor": {...}}

``ratio_to_floor`` is the import's time divided by the floor's: what later work drives
down. ``peak_rss_mb`` is the process's high-water mark when the import ends (generation
included, the floor not yet run). ``--profile`` runs the import under cProfile and prints
its top lines to stderr. Target for N = 100,000: at least 5,000 rows/s and under 400 MB.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import math
import os
import pstats
import random
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
UNITS, FLOORS, DOORS = 4, 18, 4
RELATIONS = ("户主", "配偶", "子女", "子女", "父母")
RESIDENCIES = ("常住",) * 8 + ("租户", "流动")
TAGS = ("",) * 12 + ("独居老人", "慢性病", "慢性病、残疾", "退役军人", "低保")


def setup_django(directory: Path, debug: bool = False) -> None:
    """Settings for a throwaway site: its own SQLite file and keys, no test mode.

    DEBUG is off unless asked for: with DEBUG on, Django logs every query and, on SQLite,
    quotes every parameter of every logged INSERT through extra queries; a server does not.
    The development keys are allowed either way (FANGKONG_ALLOW_DEV_SECRETS).
    """
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
    os.environ.update(
        FANGKONG_DEBUG="1" if debug else "0",
        FANGKONG_ALLOW_DEV_SECRETS="1",
        FANGKONG_TESTING="0",
        FANGKONG_VAR_DIR=str(directory),
        FANGKONG_SQLITE_PATH=str(directory / "bench.sqlite3"),
        FANGKONG_LOG_LEVEL="WARNING",
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_community(households: int) -> Any:
    from fangkong.areas.choices import AreaLevel
    from fangkong.areas.services import do_create_area
    from fangkong.registry.services import do_create_building

    city = do_create_area(level=AreaLevel.CITY, name="基准市", code="B1", parent=None, by=None)
    district = do_create_area(
        level=AreaLevel.DISTRICT, name="基准区", code="B2", parent=city, by=None
    )
    street = do_create_area(
        level=AreaLevel.STREET, name="基准街道", code="B3", parent=district, by=None
    )
    community = do_create_area(
        level=AreaLevel.COMMUNITY, name="基准社区", code="BENCH", parent=street, by=None
    )
    grids = [
        do_create_area(
            level=AreaLevel.GRID, name=f"第{i}网格", code=f"BENCH-{i}", parent=community, by=None
        )
        for i in range(1, 7)
    ]
    per_building = UNITS * FLOORS * DOORS
    for number in range(1, math.ceil(households / per_building) + 2):
        do_create_building(
            community=community,
            by=None,
            number=str(number),
            name=f"{number}号楼",
            units=UNITS,
            floors=FLOORS,
            grid=grids[number % len(grids)],
        )
    return community


def register_rows(n: int, seed: int = 3) -> Iterator[list[Any]]:
    """N residents in households of 1–5 people, with valid unique IDs and phones."""
    from fangkong.core.demo import (
        birth_date_for_age,
        fake_mobile,
        fake_name,
        fake_resident_id,
        fake_surname,
    )

    rng = random.Random(seed)
    ids: set[str] = set()
    phones: set[str] = set()
    slot = 0
    made = 0
    while made < n:
        building, rest = divmod(slot, UNITS * FLOORS * DOORS)
        unit, rest = divmod(rest, FLOORS * DOORS)
        floor, door = divmod(rest, DOORS)
        slot += 1
        surname = fake_surname(rng)
        for relation in RELATIONS[: min(rng.randint(1, 5), n - made)]:
            age = rng.randint(25, 70) if relation != "子女" else rng.randint(1, 30)
            sex = rng.choice("MF")
            birth = birth_date_for_age(rng, age)
            yield [
                str(building + 1),
                str(unit + 1),
                f"{floor + 1}{door + 1:02d}",
                fake_name(rng, sex, birth.year, surname),
                "男" if sex == "M" else "女",
                fake_resident_id(rng, birth, sex, ids),
                fake_mobile(rng, phones) if age >= 14 else "",
                relation,
                rng.choice(RESIDENCIES),
                rng.choice(TAGS),
            ]
            made += 1


def write_register(path: Path, n: int) -> None:
    from openpyxl import Workbook

    from fangkong.registry.imports import TEMPLATE_HEADERS

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("居民登记")
    sheet.append(list(TEMPLATE_HEADERS))
    for row in register_rows(n):
        sheet.append(row)
    workbook.save(path)


def run_import(
    path: Path, community: Any, profile: bool, profile_out: str = ""
) -> tuple[float, float, dict[str, Any]]:
    from django.core.management import call_command

    out = io.StringIO()
    # CPU time: the machine may be shared, and a wall clock would profile the neighbours.
    profiler = cProfile.Profile(time.process_time) if profile else None
    started = time.perf_counter()
    cpu_started = time.process_time()
    if profiler:
        profiler.enable()
    call_command("import_residents", str(path), "--community", community.code, "--json", stdout=out)
    if profiler:
        profiler.disable()
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    if profiler:
        if profile_out:
            profiler.dump_stats(profile_out)
        stats = pstats.Stats(profiler, stream=sys.stderr)
        stats.sort_stats("cumulative").print_stats(30)
        stats.sort_stats("tottime").print_stats(30)
    return elapsed, cpu, json.loads(out.getvalue())


def run_floor(path: Path, directory: Path) -> tuple[float, float, int]:
    """Read the file with calamine and insert its cells raw: the least an import can do."""
    import python_calamine

    database = sqlite3.connect(directory / "floor.sqlite3")
    database.execute("PRAGMA journal_mode=WAL")
    database.execute("PRAGMA synchronous=NORMAL")
    columns = ", ".join(f"c{i} TEXT" for i in range(10))
    database.execute(f"CREATE TABLE floor (id INTEGER PRIMARY KEY, {columns})")
    started = time.perf_counter()
    cpu_started = time.process_time()
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    sheet = workbook.get_sheet_by_index(0)
    rows = sheet.iter_rows()
    next(rows)  # the header
    placeholders = ", ".join("?" * 10)
    with database:
        cursor = database.executemany(
            f"INSERT INTO floor ({', '.join(f'c{i}' for i in range(10))}) VALUES ({placeholders})",
            ([str(v) for v in row[:10]] for row in rows),
        )
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    count = cursor.rowcount
    database.close()
    return elapsed, cpu, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true", help="cProfile the import (stderr)")
    parser.add_argument("--profile-out", default="", help="also save the profile to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="processes checking rows (default: as the import decides; 1 for "
        "a profile of all the work in one process)",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help="run with FANGKONG_DEBUG=1 (query logging on, as `make demo`)",
    )
    args = parser.parse_args()

    directory = Path(tempfile.mkdtemp(prefix="fangkong-bench-"))
    try:
        setup_django(directory, args.debug)
        from fangkong.registry import imports

        if args.workers:
            imports.workers_for = lambda rows: args.workers  # type: ignore[assignment]
        community = make_community(args.rows // 3 + 1)
        path = directory / "register.xlsx"
        generate_started = time.perf_counter()
        write_register(path, args.rows)
        generated = time.perf_counter() - generate_started

        seconds, cpu, result = run_import(
            path, community, args.profile or bool(args.profile_out), args.profile_out
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        # Worker processes (forked: their RSS counts pages shared with this process too).
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        workers_peak = children.ru_maxrss / 1024
        workers_cpu = children.ru_utime + children.ru_stime
        floor_seconds, floor_cpu, floor_rows = run_floor(path, directory)
        from django.db import connection

        print(
            json.dumps(
                {
                    "rows": args.rows,
                    "rows_per_s": round(args.rows / seconds),
                    "peak_rss_mb": round(peak),
                    "ratio_to_floor": round(seconds / floor_seconds, 1),
                    "seconds": round(seconds, 2),
                    "cpu_seconds": round(cpu, 2),
                    "created": result["created"],
                    "rejected": result["rejected"],
                    "households_created": result["households_created"],
                    "workers": imports.workers_for(args.rows),
                    "workers_peak_rss_mb": round(workers_peak),
                    "workers_cpu_seconds": round(workers_cpu, 2),
                    "floor": {
                        "seconds": round(floor_seconds, 3),
                        "cpu_seconds": round(floor_cpu, 3),
                        "rows": floor_rows,
                        "rows_per_s": round(floor_rows / floor_seconds),
                    },
                    "file_mb": round(path.stat().st_size / 1024 / 1024, 1),
                    "generate_seconds": round(generated, 1),
                    "database": connection.vendor,
                    "debug": args.debug,
                    "profiled": args.profile,
                }
            )
        )
    finally:
        if args.keep:
            print(f"kept {directory}", file=sys.stderr)
        else:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
