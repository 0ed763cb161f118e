"""Benchmark of a data-key rotation's work on the audit chains (``rotate_data_key``).

    .venv/bin/python bench/audit_rekey.py --demo                       # the demo (~18,000 rows)
    .venv/bin/python bench/audit_rekey.py --rows 700000 --communities 100   # a district
    DATABASE_URL=postgres://postgres@127.0.0.1/fk_bench .venv/bin/python bench/audit_rekey.py …

SQLite runs in a fresh database in a temporary directory; with ``DATABASE_URL`` the database
named there is used and must be empty (it is migrated, and left as the run leaves it). Under
an "old" data key it builds either the demo (``seed_demo``) or ``--rows`` audit rows (four
change rows to one access event, snapshots the size of a person's) spread over
``--communities`` community chains and the global one, sealed as the audit code seals them.
Then it switches keys as docs/deploy.md says (new key current, old key retired) and runs
``key_rotation.rotate()``: the check of every chain, the data (the demo's people, households,
visitors and staff; none for ``--rows``), the re-seal in batches, the check under the new key
alone.

One JSON line per measurement. The floor is ``verify``: one walk of every chain under both
keys, what ``verify_audit`` costs every night, measured on the same rows before the rotation;
each phase's ``ratio`` is its time over that floor. The rotation walks the chains three
times (check, re-seal, final check), so about 3-4x the floor is the expected shape.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OLD_KEY = "bench-old-data-key-" + "o" * 30
NEW_KEY = "bench-new-data-key-" + "n" * 30
BATCH = 10_000


def setup_django(var_dir: str) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "fangkong.settings"
    os.environ["FANGKONG_VAR_DIR"] = var_dir
    if not os.environ.get("DATABASE_URL"):
        os.environ["FANGKONG_SQLITE_PATH"] = str(Path(var_dir) / "bench.sqlite3")
    os.environ["FANGKONG_DEBUG"] = "1"
    os.environ["FANGKONG_AXES_ENABLED"] = "0"
    os.environ["FANGKONG_DATA_KEY"] = OLD_KEY
    os.environ.pop("FANGKONG_DATA_KEYS_OLD", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def emit(**fields: Any) -> None:
    print(json.dumps({"bench": "audit_rekey", **fields}, ensure_ascii=False), flush=True)


def build_rows(total: int, communities: int) -> None:
    """``total`` audit rows over ``communities`` chains (and the global one), sealed."""
    from django.contrib.contenttypes.models import ContentType
    from django.db import transaction
    from django.utils import timezone

    from fangkong.core.audit_chain import ACCESS, CHANGE, seal
    from fangkong.core.bulk import BulkWriter
    from fangkong.core.models import AccessEvent, AuditChain, ObjectChange
    from fangkong.registry.models import Person

    kind = ContentType.objects.get_for_model(Person).pk
    start = timezone.now() - dt.timedelta(days=365)
    made = 0
    while made < total:
        size = min(BATCH, total - made)
        changes, accesses = [], []
        for n in range(made, made + size):
            community = n % (communities + 1)  # 0: the global chain
            area = f"/1/2/3/{community}/" if community else "/1/2/"
            moment = start + dt.timedelta(seconds=n)
            if n % 5 == 4:
                accesses.append(
                    {
                        "time": moment,
                        "actor_id": None,
                        "actor_name": "officer",
                        "request_id": f"r{n}",
                        "kind": "reveal",
                        "content_type_id": kind,
                        "object_id": str(n),
                        "object_repr": f"居民{n}",
                        "area_path": area,
                        "community_id": community or None,
                        "person_id": n,
                        "reason": "核对身份",
                        "detail": {"fields": ["id_number"]},
                    }
                )
                continue
            changes.append(
                {
                    "time": moment,
                    "actor_id": None,
                    "actor_name": "officer",
                    "request_id": f"r{n}",
                    "action": "update",
                    "content_type_id": kind,
                    "object_id": str(n),
                    "object_repr": f"居民{n}",
                    "area_path": area,
                    "community_id": community or None,
                    "person_id": n,
                    "before": {
                        "name": f"居民{n}",
                        "phone_mask": "138****5678",
                        "notes": "",
                        "status": "permanent",
                        "room": "502",
                        "sex": "F",
                        "birth_year": 1958,
                        "grid": 7,
                        "household": n,
                        "version": 1,
                    },
                    "after": {
                        "name": f"居民{n}",
                        "phone_mask": "138****5678",
                        "notes": "独居老人",
                        "status": "permanent",
                        "room": "502",
                        "sex": "F",
                        "birth_year": 1958,
                        "grid": 7,
                        "household": n,
                        "version": 2,
                    },
                }
            )
        with transaction.atomic():
            seal(CHANGE, changes)
            BulkWriter(ObjectChange, start).insert_rows(changes)
            seal(ACCESS, accesses)
            BulkWriter(AccessEvent, start).insert_rows(accesses)
        made += size
    assert ObjectChange.objects.count() + AccessEvent.objects.count() == total
    assert AuditChain.objects.count() == communities + 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--demo", action="store_true", help="seed the demo instead of rows")
    parser.add_argument("--rows", type=int, default=700_000)
    parser.add_argument("--communities", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="fangkong-bench-") as var_dir:
        setup_django(var_dir)
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        from fangkong.core import key_rotation
        from fangkong.core.audit_chain import verify
        from fangkong.core.models import AccessEvent, AuditChain, ObjectChange
        from fangkong.core.personal_data import reset_keys

        started = time.perf_counter()
        if args.demo:
            call_command("seed_demo", verbosity=0, stdout=io.StringIO())
        else:
            build_rows(args.rows, args.communities)
        rows = ObjectChange.objects.count() + AccessEvent.objects.count()
        chains = AuditChain.objects.count()
        emit(
            step="build",
            database=connection.vendor,
            rows=rows,
            chains=chains,
            seconds=round(time.perf_counter() - started, 1),
        )

        # The floor: one walk of every chain, as verify_audit does each night.
        started = time.perf_counter()
        report = verify()
        floor = time.perf_counter() - started
        assert report.intact, report.problems[:5]
        emit(
            step="verify",
            rows=report.rows,
            seconds=round(floor, 2),
            rows_per_second=round(report.rows / floor),
        )

        # The switch of keys, then the rotation, its phases timed.
        settings.DATA_KEY, settings.DATA_KEYS_OLD = NEW_KEY, [OLD_KEY]
        reset_keys()
        phases: dict[str, float] = {"checks": 0.0, "reseal": 0.0}
        timed_verify, timed_chain = key_rotation.verify, key_rotation._rekey_chain

        def checks(*a: Any, **k: Any) -> Any:
            t = time.perf_counter()
            try:
                return timed_verify(*a, **k)
            finally:
                phases["checks"] += time.perf_counter() - t

        def reseal(*a: Any, **k: Any) -> Any:
            t = time.perf_counter()
            try:
                return timed_chain(*a, **k)
            finally:
                phases["reseal"] += time.perf_counter() - t

        key_rotation.verify, key_rotation._rekey_chain = checks, reseal
        started = time.perf_counter()
        result = key_rotation.rotate(batch_size=args.batch_size)
        total = time.perf_counter() - started
        assert result.complete, result.as_dict()
        audit = result.audit
        emit(
            step="rotate",
            rows=audit.checked,
            sealed=audit.rekeyed,
            heads=audit.heads,
            data_rows=result.rotated,
            batch_size=args.batch_size,
            seconds=round(total, 2),
            ratio=round(total / floor, 2),
        )
        emit(
            step="rotate: checks before and after",
            seconds=round(phases["checks"], 2),
            ratio=round(phases["checks"] / floor, 2),
        )
        emit(
            step="rotate: re-seal",
            seconds=round(phases["reseal"], 2),
            ratio=round(phases["reseal"] / floor, 2),
            rows_per_second=round(audit.checked / phases["reseal"]),
        )
        emit(step="rotate: data", seconds=round(total - phases["checks"] - phases["reseal"], 2))

        settings.DATA_KEYS_OLD = []
        started = time.perf_counter()
        after = verify()
        assert after.intact, after.problems[:5]
        emit(
            step="verify_audit with the old key dropped",
            rows=after.rows,
            seconds=round(time.perf_counter() - started, 2),
        )


if __name__ == "__main__":
    main()
