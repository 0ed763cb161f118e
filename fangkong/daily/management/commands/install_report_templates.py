"""Install the shipped report templates (``fangkong/daily/templates_xlsx/``): the community
daily report for every community, the street summary for every street, or for the areas
named by ``--area``. An area that has an active template of the same name keeps it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.daily.shipped import install_shipped_templates


class Command(BaseCommand):
    help = "Install the shipped report templates for communities and streets."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--area",
            type=int,
            action="append",
            metavar="ID",
            help="a community's or a street's id (repeatable); default: every one",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        areas = Area.objects.filter(
            level__in=(AreaLevel.COMMUNITY, AreaLevel.STREET), closed_at__isnull=True
        ).order_by("path")
        if options["area"]:
            areas = areas.filter(pk__in=options["area"])
            if areas.count() != len(set(options["area"])):
                raise CommandError("--area: give the ids of open communities or streets")
        installed = 0
        for area in areas:
            installed += len(install_shipped_templates(area, by=None))
        self.stdout.write(f"{installed} template(s) installed")
