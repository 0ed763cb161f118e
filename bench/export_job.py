"""Export writers: rows/s and peak memory, the old writer (openpyxl's write-only mode into
memory, as exports were written inside the request) against the new ones (xlsxwriter's
constant-memory mode to a file, and the streaming CSV), and their ratio.

    .venv/bin/python bench/export_job.py [--rows 50000] [--repeat 1]
    .venv/bin/python bench/export_job.py --db [--rows 50000]     # the whole export, from a database
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fk_bench \
        .venv/bin/python bench/export_job.py --db                     # an empty database

Rows have the shape of the people export (12 columns: building, unit, room, name, sex, age,
masked ID number and phone, relation, residency, tags, status), with the ID number and phone
columns formatted as text, as ``registry.exports`` writes them. Each writer runs twice: once
timed (wall and CPU), once under ``tracemalloc`` for the peak of Python memory (the file
itself counts when it is built in memory, as the old exports did). Prints JSON.

``--db`` measures the whole people export instead (``registry.exports.export_people`` as the
job runs it: the restricted queryset read with ``.iterator()``, rows built, file written, the
access event recorded) over ``--rows`` generated people of one community, in a fresh SQLite
file (or the empty PostgreSQL database of ``DATABASE_URL``, migrated first), with the old
writer patched in against the new one.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import io
import json
import os
import random
import shutil
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, BinaryIO

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
os.environ.setdefault("FANGKONG_TESTING", "1")

if "--db" in sys.argv and not os.environ.get("DATABASE_URL"):
    _DB_DIR = tempfile.mkdtemp(prefix="fk-export-bench-")
    atexit.register(shutil.rmtree, _DB_DIR, ignore_errors=True)
    os.environ["FANGKONG_VAR_DIR"] = _DB_DIR
    os.environ["FANGKONG_SQLITE_PATH"] = str(Path(_DB_DIR) / "bench.sqlite3")

import django  # noqa: E402

django.setup()

from fangkong.core.spreadsheets import (  # noqa: E402
    SheetSpec,
    _clean_row,
    neutralise,
    write_csv,
    write_xlsx,
)

HEADER = [
    "楼栋",
    "单元",
    "房号",
    "姓名",
    "性别",
    "年龄",
    "身份证号",
    "手机号",
    "与户主关系",
    "人员类型",
    "标签",
    "状态",
]
TEXT_COLUMNS = (6, 7)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英"


def people(n: int) -> Iterator[list[Any]]:
    """``n`` rows like the people export's, generated (no one real)."""
    rng = random.Random(12)
    for i in range(n):
        yield [
            f"东园{i // 400 + 1}号楼",
            i % 6 + 1,
            f"{(i // 6) % 30 + 1}0{i % 4 + 1}",
            rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.randint(1, 2))),
            rng.choice("男女"),
            rng.randint(0, 99),
            f"210102********{rng.randint(0, 9999):04d}",
            f"1{rng.randint(30, 89)}****{rng.randint(0, 9999):04d}",
            rng.choice(["户主", "配偶", "子女", "父母"]),
            rng.choice(["常住", "租户", "流动"]),
            rng.choice(["", "", "独居老人", "慢性病"]),
            "在册",
        ]


def old_write_xlsx(target: BinaryIO, sheets: Sequence[SheetSpec], progress: Any = None) -> int:
    """The writer exports used before issue 12 (openpyxl's write-only mode), kept here only
    to measure against."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    written = 0
    bold = Font(bold=True)
    for spec in sheets:
        sheet = workbook.create_sheet(title=spec.title[:31])
        header = []
        for text in spec.header:
            cell = WriteOnlyCell(sheet, value=neutralise(text))
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        text_columns = set(spec.text_columns)
        for row in spec.rows:
            values = _clean_row(row)
            cells: list[Any] = []
            for index, value in enumerate(values):
                cell = WriteOnlyCell(sheet, value=value)
                if index in text_columns:
                    cell.number_format = "@"
                cells.append(cell)
            sheet.append(cells)
            written += 1
    workbook.save(target)
    return written


def _sheet(n: int) -> list[SheetSpec]:
    return [SheetSpec("人员", HEADER, people(n), text_columns=TEXT_COLUMNS)]


def old_xlsx(n: int, directory: Path) -> int:
    # In memory, as the request built it before sending it.
    out = io.BytesIO()
    old_write_xlsx(out, _sheet(n))
    return len(out.getvalue())


def new_xlsx(n: int, directory: Path) -> int:
    path = directory / "people.xlsx"
    with path.open("wb") as out:
        write_xlsx(out, _sheet(n))
    return path.stat().st_size


def new_csv(n: int, directory: Path) -> int:
    path = directory / "people.csv"
    with path.open("wb") as out:
        write_csv(out, HEADER, people(n), encoding="utf-8")
    return path.stat().st_size


def rows_only(n: int, directory: Path) -> int:
    """Generating the rows alone: what every writer pays before writing."""
    return sum(1 for _ in people(n))


WRITERS: dict[str, Callable[[int, Path], int]] = {
    "rows_only": rows_only,
    "old_xlsx_openpyxl_in_memory": old_xlsx,
    "new_xlsx_xlsxwriter_constant_memory": new_xlsx,
    "new_csv_streaming": new_csv,
}


def measure(name: str, n: int, repeat: int) -> dict[str, Any]:
    write = WRITERS[name]
    best_wall = best_cpu = float("inf")
    size = 0
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as directory:
            wall, cpu = time.perf_counter(), time.process_time()
            size = write(n, Path(directory))
            best_wall = min(best_wall, time.perf_counter() - wall)
            best_cpu = min(best_cpu, time.process_time() - cpu)
    with tempfile.TemporaryDirectory() as directory:
        tracemalloc.start()
        write(n, Path(directory))
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {
        "rows": n,
        "wall_s": round(best_wall, 3),
        "cpu_s": round(best_cpu, 3),
        "rows_per_s": round(n / best_wall),
        "cpu_ms_per_row": round(best_cpu * 1000 / n, 4),
        "peak_python_mb": round(peak / 2**20, 1),
        "file_mb": round(size / 2**20, 2),
    }


def build_community(n: int) -> Any:
    """A community of ``n`` people in 40-household buildings, bulk inserted; its officer."""
    from django.core.management import call_command

    from fangkong.accounts.choices import Role
    from fangkong.accounts.tests.factories import UserFactory
    from fangkong.areas.choices import AreaLevel
    from fangkong.areas.tests.factories import AreaFactory
    from fangkong.registry.models import Household, Person
    from fangkong.registry.tests.factories import BuildingFactory

    call_command("migrate", verbosity=0)
    city = AreaFactory(level=AreaLevel.CITY, name="基准市", code="B21")
    street = AreaFactory(parent=AreaFactory(parent=city, code="B2101"), code="B210101")
    community = AreaFactory(parent=street, name="基准社区", code="B21010101")
    grid = AreaFactory(parent=community, code="B2101010101")
    rows = people(n)
    made = 0
    number = 0
    while made < n:
        number += 1
        building = BuildingFactory(
            grid=grid,
            community=community,
            number=str(number),
            name=f"东园{number}号楼",
            units=4,
            floors=10,
        )
        households = Household.objects.bulk_create(
            Household(
                building=building,
                community=community,
                unit=i % 4 + 1,
                floor=i // 4 + 1,
                room=f"{i // 4 + 1}0{i % 4 + 1}",
                number=f"{number}-{i % 4 + 1}-{i}",
            )
            for i in range(40)
        )
        batch = []
        for household in households:
            for _ in range(3):
                if made == n:
                    break
                row = next(rows)
                batch.append(
                    Person(
                        household=household,
                        community=community,
                        name=row[3],
                        sex="M" if row[4] == "男" else "F",
                        birth_date=dt.date(2026 - row[5], 1, 1),
                        id_number_mask=row[6],
                        phone_mask=row[7],
                        relation="head",
                        residency="permanent",
                    )
                )
                made += 1
        Person.objects.bulk_create(batch)
    return UserFactory(username="bench-officer", role=Role.COMMUNITY_OFFICER, area=community)


def measure_db(n: int) -> dict[str, Any]:
    """The whole people export, as the job runs it, with each writer."""
    from fangkong.registry import exports
    from fangkong.registry.models import Person

    officer = build_community(n)
    runs = {
        "old_xlsx_openpyxl_in_memory": ("xlsx", old_write_xlsx),
        "new_xlsx_xlsxwriter_constant_memory": ("xlsx", write_xlsx),
        "new_csv_streaming": ("csv", write_xlsx),
    }
    figures: dict[str, Any] = {}
    for name, (fmt, writer) in runs.items():
        exports.write_xlsx = writer  # type: ignore[assignment]

        def run(fmt: str = fmt, name: str = name) -> int:
            # In memory, as the request built it before; a file, as the job writes it.
            target: Any = io.BytesIO() if name.startswith("old") else tempfile.TemporaryFile()  # noqa: SIM115 - closed below
            with target:
                exports.export_people(
                    Person.objects.restrict(officer), fmt, target, user=officer, encoding="utf-8"
                )
                target.seek(0, io.SEEK_END)
                return target.tell()

        wall, cpu = time.perf_counter(), time.process_time()
        size = run()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        tracemalloc.start()
        run()
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        figures[name] = {
            "rows": n,
            "wall_s": round(wall, 3),
            "cpu_s": round(cpu, 3),
            "rows_per_s": round(n / wall),
            "cpu_ms_per_row": round(cpu * 1000 / n, 4),
            "peak_python_mb": round(peak / 2**20, 1),
            "file_mb": round(size / 2**20, 2),
        }
    exports.write_xlsx = write_xlsx  # type: ignore[assignment]
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=1, help="timed runs; the best is kept")
    parser.add_argument("--db", action="store_true", help="the whole export from a database")
    args = parser.parse_args()
    if args.db:
        from django.db import connection

        figures = measure_db(args.rows)
        figures["database"] = connection.vendor
        old = figures["old_xlsx_openpyxl_in_memory"]
        new = figures["new_xlsx_xlsxwriter_constant_memory"]
        csv_ = figures["new_csv_streaming"]
        figures["ratios_old_over_new"] = _ratios(old, new, csv_)
        print(json.dumps(figures, indent=2, ensure_ascii=False))
        return 0
    figures = {name: measure(name, args.rows, args.repeat) for name in WRITERS}
    old = figures["old_xlsx_openpyxl_in_memory"]
    new = figures["new_xlsx_xlsxwriter_constant_memory"]
    csv_ = figures["new_csv_streaming"]
    figures["ratios_old_over_new"] = _ratios(old, new, csv_)
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0


def _ratios(old: dict[str, Any], new: dict[str, Any], csv_: dict[str, Any]) -> dict[str, float]:
    return {
        "xlsx_time": round(old["wall_s"] / new["wall_s"], 2),
        "xlsx_cpu": round(old["cpu_s"] / new["cpu_s"], 2),
        "xlsx_peak_memory": round(old["peak_python_mb"] / max(new["peak_python_mb"], 0.1), 1),
        "csv_time": round(old["wall_s"] / csv_["wall_s"], 2),
        "csv_cpu": round(old["cpu_s"] / csv_["cpu_s"], 2),
        "csv_peak_memory": round(old["peak_python_mb"] / max(csv_["peak_python_mb"], 0.1), 1),
    }


if __name__ == "__main__":
    raise SystemExit(main())
