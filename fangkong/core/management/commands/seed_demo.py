"""``manage.py seed_demo [--reset]``: build the demo communities, users and registry.

Runs every app's ``demo.py`` in dependency order (see fangkong.core.demo). Without
``--reset`` an existing demo is left alone; with it the demo's rows are deleted and rebuilt.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from fangkong.core.demo import DemoError, DemoResult, run_demo


class Command(BaseCommand):
    help = (
        "Create the demo data (在水一方社区 with 33 buildings, 1,901 households, 8,089 "
        "people, and demo logins). --reset deletes the demo and rebuilds it."
    )
    # Seeding touches models only; skipping URL and template checks keeps it usable while
    # pages are half-built, and `manage.py check` runs in CI anyway.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--reset",
            action="store_true",
            help="delete the existing demo data (areas, users, registry, logs) and rebuild it",
        )

    def handle(self, *args: Any, reset: bool = False, **options: Any) -> None:
        verbose = options.get("verbosity", 1) > 1
        started = time.monotonic()
        try:
            result = run_demo(
                reset=reset,
                password=settings.DEMO_PASSWORD,
                log=(lambda line: self.stdout.write(line)) if verbose else (lambda _: None),
            )
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        if result.created:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo data built in {time.monotonic() - started:.1f} s "
                    f"({', '.join(result.modules)})."
                )
            )
        else:
            self.stdout.write(
                self.style.WARNING(
                    "Demo data already exists; nothing changed. Run `seed_demo --reset` to rebuild "
                    "it."
                )
            )
        self._summary(result)

    def _summary(self, result: DemoResult) -> None:
        ctx = result.context
        with translation.override(settings.LANGUAGE_CODE):
            rows = [
                (login.username, str(login.role_label), login.area, login.full_name)
                for login in ctx.logins
            ]
        if rows:
            headers = ("username", "role", "area", "name")
            widths = [max(_width(r[i]) for r in [headers, *rows]) for i in range(4)]
            self.stdout.write("")
            for row in [headers, *rows]:
                self.stdout.write(
                    "  ".join(_pad(cell, w) for cell, w in zip(row, widths, strict=True))
                )
            self.stdout.write(
                f"\nPassword for every demo login: {settings.DEMO_PASSWORD}"
                "  (set FANGKONG_DEMO_PASSWORD to change it)"
            )
        for note in ctx.notes:
            self.stdout.write(f"\n{note}")
        if ctx.counts:
            self.stdout.write("")
            for label, value in ctx.counts:
                self.stdout.write(f"  {label}: {value:,}")


def _width(text: str) -> int:
    # CJK characters take two columns in a terminal; pad by display width, not length.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))
