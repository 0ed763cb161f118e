#!/usr/bin/env python
"""Benchmark of the veterans' list import (issue 17: "the district's 14,000: must be fast").

``bench/volunteers_import.py --rows N`` builds a fresh SQLite database in a temporary
directory and a community, writes a list of N generated veterans as .xlsx, and imports it
twice through ``fangkong.volunteers.imports.run_import`` (the import job's code path): the
first run adds everyone, the second (the same file again) adds no one. It prints one JSON
line::

    {"rows": N, "first_s": ..., "rows_per_s": ..., "rerun_s": ..., "created": N, "rerun_created": 0}
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.import_residents import setup_django  # noqa: E402

SKILLS = ("", "", "驾驶", "医疗", "搬运", "心理疏导", "驾驶、搬运", "门岗")
GROUPS = ("退役军人",) * 6 + ("军属", "党员")


def veterans_xlsx(n: int, seed: int = 17) -> io.BytesIO:
    import openpyxl

    rng = random.Random(seed)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["姓名", "手机号", "类别", "技能", "备注"])
    for i in range(n):
        sheet.append([f"老兵{i}", f"139{i:08d}", rng.choice(GROUPS), rng.choice(SKILLS), ""])
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=14_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup_django(Path(tmp))
        from fangkong.areas.choices import AreaLevel
        from fangkong.areas.services import do_create_area
        from fangkong.volunteers.imports import run_import

        city = do_create_area(level=AreaLevel.CITY, name="基准市", code="V1", parent=None, by=None)
        district = do_create_area(
            level=AreaLevel.DISTRICT, name="基准区", code="V2", parent=city, by=None
        )
        street = do_create_area(
            level=AreaLevel.STREET, name="基准街道", code="V3", parent=district, by=None
        )
        community = do_create_area(
            level=AreaLevel.COMMUNITY, name="基准社区", code="V4", parent=street, by=None
        )
        data = veterans_xlsx(args.rows).getvalue()
        began = time.perf_counter()
        first = run_import(io.BytesIO(data), community, None)
        first_s = time.perf_counter() - began
        began = time.perf_counter()
        again = run_import(io.BytesIO(data), community, None)
        rerun_s = time.perf_counter() - began
    print(
        json.dumps(
            {
                "rows": args.rows,
                "first_s": round(first_s, 2),
                "rows_per_s": round(args.rows / first_s),
                "rerun_s": round(rerun_s, 2),
                "created": first.created,
                "rerun_created": again.created,
                "rerun_unchanged": again.unchanged,
            }
        )
    )


if __name__ == "__main__":
    main()
