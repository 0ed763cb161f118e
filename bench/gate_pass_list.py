"""The pass list a gate phone downloads: bytes of the full list and of an incremental sync,
against the old full list (every field, ``suspended_until`` and defaults included, spaced
JSON) computed beside it from the same rows.

    .venv/bin/python bench/gate_pass_list.py [--scans 40]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/fk_bench \
        .venv/bin/python bench/gate_pass_list.py

Seeds the demo (``seed_demo``: 在水一方社区, 1,901 households) in a fresh SQLite file (or the
empty PostgreSQL database of ``DATABASE_URL``, migrated first), then, as demo-gate at the
East Gate: the full list (``GET /access/gate/data/?checkpoint=``), then what a sync five
minutes later carries after a busy gate's five minutes — ``--scans`` scans (half exits, half
returns), one household suspended, one card replaced — through ``?since=<cursor>``. The rows
the seed wrote are dated before the cursor first (the sync resends what changed in the two
minutes before it). Prints JSON: sizes in bytes (raw and gzip, as nginx would send them),
counts, and the ratios.
"""

from __future__ import annotations

import argparse
import atexit
import datetime as dt
import gzip
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
os.environ.setdefault("FANGKONG_TESTING", "1")

if not os.environ.get("DATABASE_URL"):
    _DB_DIR = tempfile.mkdtemp(prefix="fk-gate-list-bench-")
    atexit.register(shutil.rmtree, _DB_DIR, ignore_errors=True)
    os.environ["FANGKONG_VAR_DIR"] = _DB_DIR
    os.environ["FANGKONG_SQLITE_PATH"] = str(Path(_DB_DIR) / "bench.sqlite3")

import django  # noqa: E402

django.setup()


def old_full_list(data: dict[str, Any]) -> bytes:
    """The list as the phones downloaded it before: every field of every pass, defaults
    and ``suspended_until`` included, with Django's default (spaced) JSON."""
    from fangkong.access.models import Pass

    until = dict(
        Pass.objects.filter(pk__in=[p["id"] for p in data["passes"]]).values_list(
            "pk", "suspended_until"
        )
    )
    passes = [
        {
            "id": p["id"],
            "serial": p["serial"],
            "digest": p["digest"],
            "status": p.get("status", "active"),
            "suspended_until": until[p["id"]].isoformat() if until.get(p["id"]) else None,
            "household": p["household"],
            "person": p.get("person"),
            "room": p["room"],
            "size": p["size"],
            "exempt": p.get("exempt", False),
            "out_since": p.get("out_since"),
        }
        for p in data["passes"]
    ]
    old = {k: v for k, v in data.items() if k not in ("cursor", "full", "removed")}
    old["passes"] = passes
    return json.dumps(old).encode()


def sizes(body: bytes) -> dict[str, int]:
    return {"bytes": len(body), "gzip_bytes": len(gzip.compress(body, 6))}


def measure(guard: Any, gate: Any, scans: int) -> dict[str, Any]:
    """The full list, then a sync after ``scans`` scans, a suspension and a replacement."""
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from fangkong.access import services
    from fangkong.access.choices import PassStatus
    from fangkong.access.models import GateEvent, Pass
    from fangkong.registry.models import Household

    client = Client()
    client.force_login(guard)
    url = reverse("access:gate_data")

    full = client.get(url, {"checkpoint": gate.pk})
    assert full.status_code == 200, full.content[:300]
    first = json.loads(full.content)
    old = old_full_list(first)

    # Five minutes pass: the rows written so far are older than the cursor.
    old_time = timezone.now() - dt.timedelta(minutes=10)
    Pass.objects.filter(community=gate.community).update(updated=old_time)
    Household.objects.filter(community=gate.community).update(updated=old_time)
    GateEvent.objects.filter(community=gate.community).update(received_at=old_time)

    working = list(
        Pass.objects.filter(community=gate.community, status=PassStatus.ACTIVE)
        .exclude(household__passes__out_since__isnull=False)
        .order_by("pk")[: scans // 2 + 2]
    )
    for item in working[: scans // 2]:
        for direction in ("out", "in"):
            services.record_scan(
                services.ScanRequest(
                    checkpoint=gate,
                    code=item.token,
                    direction=direction,
                    temperature=Decimal("36.5"),
                    client_event_id=uuid.uuid4(),
                ),
                by=guard,
            )
    services.do_suspend_household_passes(
        working[-2].household, source="office", reason="bench", until=None, by=None
    )
    services.do_replace_pass(working[-1], by=None, reason="bench")

    later = client.get(url, {"checkpoint": gate.pk, "since": first["cursor"]})
    assert later.status_code == 200, later.content[:300]
    second = json.loads(later.content)
    assert second["full"] is False

    figures: dict[str, Any] = {
        "database": django.db.connection.vendor,
        "passes": len(first["passes"]),
        "households_with_exits": len(first["exits"]),
        "old_full_list": sizes(old),
        "full_list": sizes(full.content),
        "incremental_sync": {
            **sizes(later.content),
            "scans": scans // 2 * 2,
            "passes": len(second["passes"]),
            "removed": len(second["removed"]),
            "exit_windows": len(second["exits"]),
        },
    }
    figures["ratio_full_to_old"] = round(len(full.content) / len(old), 3)
    figures["ratio_incremental_to_full"] = round(len(later.content) / len(full.content), 4)
    figures["ratio_incremental_to_old"] = round(len(later.content) / len(old), 4)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=40, help="scans between the two syncs")
    args = parser.parse_args()

    from django.core.management import call_command

    from fangkong.access import services
    from fangkong.accounts.models import User

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    seeded = time.monotonic() - started
    guard = User.objects.get(username="demo-gate")
    gate = services.checkpoints_for(guard).order_by("community", "name", "pk").first()
    assert gate is not None
    figures = {"seed_seconds": round(seeded, 1), **measure(guard, gate, args.scans)}
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
