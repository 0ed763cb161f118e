"""Count and store the daily figures of a past day (the daily report's numbers) again:
every community, or one (``--community``). ``tick`` stores yesterday's after each
community's midnight; this is for a day whose rows changed later (offline gate scans
uploaded late, a correction) or after a restore."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.reports.daily import FutureDayError, store_day


class Command(BaseCommand):
    help = "Count and store the daily figures of one day again."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="the day")
        parser.add_argument(
            "--community",
            type=int,
            action="append",
            metavar="ID",
            help="a community's id (repeatable); default: every community",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = dt.date.fromisoformat(options["date"])
        except ValueError as error:
            raise CommandError(f"--date: give a day as YYYY-MM-DD ({error})") from error
        ids = options["community"]
        if ids:
            found = set(
                Area.objects.filter(pk__in=ids, level=AreaLevel.COMMUNITY).values_list(
                    "pk", flat=True
                )
            )
            missing = sorted(set(ids) - found)
            if missing:
                raise CommandError(f"not a community: {', '.join(map(str, missing))}")
        try:
            stored = store_day(ids or None, day)
        except FutureDayError as error:
            raise CommandError(f"{day} has not begun yet: nothing to count") from error
        self.stdout.write(f"stored the figures of {day} for {stored} communities")
