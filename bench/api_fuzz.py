"""The API fuzz's figures: schemathesis cases, 5xx and answers off the schema, per role.

    .venv/bin/python bench/api_fuzz.py [--only REGEX] [--workers 2]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fk_bench .venv/bin/python bench/api_fuzz.py

Runs ``fangkong/core/tests/test_api_fuzz.py`` (the four roles, the same fixed seed as CI) with
``FANGKONG_FUZZ_REPORT`` set, then prints one line per role: cases sent, cases answered 5xx,
cases answered off the schema (undocumented status or content type, or a body that breaks
the documented schema), operations with a failure, and cases skipped as known failures of
other findings (``KNOWN_FAILING``); then the failing operations with their first failure.
The wall time and the machine's load are printed too: the fuzz is meant to stay within about
two minutes on two idle cores.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST = "fangkong/core/tests/test_api_fuzz.py"
ROLES = ("community_officer", "grid_worker", "checkpoint_staff", "district_official")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="fuzz only operations matching this regex")
    parser.add_argument("--workers", default="2", help="pytest-xdist workers (0: none)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        report = Path(directory) / "fuzz.jsonl"
        env = {
            **os.environ,
            "FANGKONG_TESTING": "1",
            "FANGKONG_FUZZ_REPORT": str(report),
            "FANGKONG_FUZZ_ONLY": args.only,
        }
        started = time.monotonic()
        xdist = ["-n", args.workers] if args.workers != "0" else ["-p", "no:xdist"]
        run = subprocess.run(
            [sys.executable, "-m", "pytest", TEST, "-q", "--no-header", *xdist],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.monotonic() - started
        rows = (
            [json.loads(line) for line in report.read_text().splitlines()]
            if report.exists()
            else []
        )

    counts: collections.Counter[tuple[str, str]] = collections.Counter()
    failing: dict[str, set[str]] = collections.defaultdict(set)
    first: dict[tuple[str, str], list[str]] = collections.defaultdict(list)
    for row in rows:
        role = row["role"]
        if row["kind"] == "first":
            first[(role, row["operation"])].append(f"{row['failure']}: {row['message'][:200]}")
        elif row["operation"] == "known failing":
            counts[(role, "known")] += row["count"]
        else:
            counts[(role, row["kind"])] += row["count"]
            if row["kind"] in ("5xx", "schema"):
                failing[role].add(row["operation"])

    print(f"{'role':<20}{'cases':>8}{'5xx':>6}{'schema':>8}{'failing ops':>13}{'skipped':>9}")
    for role in ROLES:
        print(
            f"{role:<20}{counts[(role, 'cases')]:>8}{counts[(role, '5xx')]:>6}"
            f"{counts[(role, 'schema')]:>8}{len(failing[role]):>13}"
            f"{counts[(role, 'known')]:>9}"
        )
    print(
        f"wall {wall:.0f} s, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}, "
        f"pytest exit {run.returncode}"
    )
    for (role, operation), messages in sorted(first.items()):
        print(f"\n{role}: {operation}")
        for message in messages:
            print(f"    {message}")
    if not rows:
        print(run.stdout[-3000:], run.stderr[-3000:], sep="\n")
    return 0 if rows else 1


if __name__ == "__main__":
    raise SystemExit(main())
