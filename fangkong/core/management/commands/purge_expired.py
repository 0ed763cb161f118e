"""Purge personal data whose retention period has ended (what the daily job does), and print
the count per rule. ``--dry-run`` counts and changes nothing."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fangkong.core.retention import BATCH_SIZE, purge_expired


class Command(BaseCommand):
    help = (
        "Delete or anonymise personal data past its retention period "
        "(docs/data-dictionary.md) and print the count per rule."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="count what would be purged; change nothing"
        )
        parser.add_argument(
            "--json", action="store_true", help="print one JSON object instead of a summary"
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"rows per transaction (default {BATCH_SIZE})",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        result = purge_expired(dry_run=options["dry_run"], batch_size=options["batch_size"])
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            verb = "would be " if result.dry_run else ""
            for o in result.outcomes:
                state = (
                    "FAILED (see the log)"
                    if o.failed
                    else f"{o.deleted} {verb}deleted, {o.anonymised} {verb}anonymised"
                )
                self.stdout.write(f"{o.rule} ({o.period}): {state}")
        if result.failed:
            raise CommandError(f"retention rules failed: {', '.join(result.failed)}")
