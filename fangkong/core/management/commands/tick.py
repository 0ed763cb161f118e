"""Run the periodic work that is due; ``--loop`` keeps doing so every minute (make demo)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from fangkong.core.periodic import run_due


class Command(BaseCommand):
    help = "Run periodic work that is due (call every minute from cron or a systemd timer)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loop", action="store_true", help="run every 60 seconds")

    def handle(self, *args: Any, loop: bool = False, **options: Any) -> None:
        while True:
            ran = run_due()
            if options["verbosity"] > 1 or ran:
                self.stdout.write(f"tick: ran {len(ran)} task(s) {', '.join(ran)}")
            if not loop:
                return
            time.sleep(60)
