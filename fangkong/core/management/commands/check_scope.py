"""Compare every copied ``community_id``/``grid_id`` (``fangkong.core.placement``) with what
the joins to its root say; ``--fix`` repairs them, one transaction and one audit row per table.

Exits non-zero when any row disagrees (after ``--fix``: when any still does), so a cron job
or a deployment step can alarm on it."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from fangkong.core.audit import record_scope_repair
from fangkong.core.placement import mismatches, placed_models, repair

#: Ids shown per table (and kept in the audit row): enough to look one up.
SHOWN = 10


class Command(BaseCommand):
    help = (
        "Compare the community and grid copied onto every scoped table with what the "
        "joins to its building say; print the rows that disagree per table and exit "
        "non-zero if any do. --fix repairs them (one transaction and audit row per table)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--fix", action="store_true", help="repair the rows that disagree, table by table"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fix = options["fix"]
        run_id = uuid.uuid4().hex
        wrong = 0
        for model in placed_models():
            label = model._meta.label
            if fix:
                with transaction.atomic():
                    # Read and repaired in one transaction: the audit row counts what changed.
                    pks = list(mismatches(model).order_by("pk").values_list("pk", flat=True))
                    if pks:
                        fixed = repair(model, pks)
                        record_scope_repair(
                            model, run_id=run_id, summary={"rows": fixed, "ids": pks[:SHOWN]}
                        )
                left = mismatches(model).count()
                self.stdout.write(
                    f"{label}: {len(pks)} row(s) disagreed"
                    + (f" (ids {_ids(pks)}), repaired" if pks else "")
                    + (f"; {left} still do" if left else "")
                )
                wrong += left
            else:
                bad = mismatches(model).order_by("pk")
                count = bad.count()
                shown = list(bad.values_list("pk", flat=True)[:SHOWN])
                self.stdout.write(
                    f"{label}: {count} row(s) disagree" + (f" (ids {_ids(shown)})" if count else "")
                )
                wrong += count
        if wrong:
            raise CommandError(
                f"{wrong} row(s) have a community or grid their parents do not "
                "give them" + ("" if fix else "; run check_scope --fix")
            )
        self.stdout.write("Every scoped table agrees with its parents.")


def _ids(pks: list[int]) -> str:
    return ", ".join(str(pk) for pk in pks[:SHOWN]) + (" ..." if len(pks) > SHOWN else "")
