"""Count the stored figures of the home pages again: every community, one (``--community``),
or only those changed since they were counted (``--stale``). ``tick`` does the last every
minute and the first once a day; this is for after a restore or a bulk change in SQL."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.reports.figures import refresh_figures, refresh_stale


class Command(BaseCommand):
    help = "Count the stored figures of the home pages and the coverage pages again."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--community",
            type=int,
            action="append",
            metavar="ID",
            help="a community's id (repeatable); default: every community",
        )
        parser.add_argument(
            "--stale",
            action="store_true",
            help="only communities changed since their figures were counted",
        )

    def handle(self, *args: Any, **options: Any) -> None:
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
        counted = len(refresh_stale(ids)) if options["stale"] else refresh_figures(ids)
        self.stdout.write(f"figures counted for {counted} communities")
