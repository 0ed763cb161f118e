"""``manage.py setup``: the area tree and the first administrator, from a file or from
answers typed at the prompts (in Chinese or English, after ``--language`` or ``LANG``).

    manage.py setup --from docs/setup/tree.xlsx
    manage.py setup                         # asks, one level at a time

Running it again with the same file changes nothing and says so; a file with any bad row
changes nothing and lists every problem (see ``accounts/first_run.py``). The administrator's
one-time password is printed once: they must change it at their first login.
"""

from __future__ import annotations

import os
import sys
from typing import Any
from zoneinfo import available_timezones

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fangkong.accounts import first_run
from fangkong.accounts.first_run import ADMINISTRATOR, SetupError, SetupResult, TreeRow
from fangkong.areas.choices import AreaLevel


def language_from_environment() -> str:
    """The language of the prompts: LANGUAGE, LC_ALL, LC_MESSAGES or LANG as the shell sets
    them (``zh_CN.UTF-8`` → Chinese, ``en_US.UTF-8`` → English), else the site's."""
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "").strip().lower()
        if value.startswith("zh"):
            return "zh-hans"
        if value.startswith("en"):
            return "en"
    return settings.LANGUAGE_CODE


class Command(BaseCommand):
    help = "Create the area tree and the first administrator, from a file or interactively."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--from",
            dest="source",
            metavar="FILE",
            help="A .xlsx or .json tree file (see docs/setup/).",
        )
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            help="Language of prompts and messages (default: from LANG).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(options.get("language") or language_from_environment()):
            rows: list[TreeRow] | None
            if options.get("source"):
                rows = self._read(options["source"])
            else:
                rows = Prompts(self).ask()
                if rows is None:
                    self.stdout.write(_("Nothing was changed."))
                    return
            try:
                result = first_run.apply_setup(rows)
            except SetupError as exc:
                raise CommandError(self._errors(exc)) from None
            self._report(result)

    def _read(self, path: str) -> list[TreeRow]:
        try:
            return first_run.read_tree_file(path)
        except SetupError as exc:
            raise CommandError(self._errors(exc)) from None

    def _errors(self, exc: SetupError) -> str:
        lines = [
            ngettext(
                "Nothing was changed: %(count)d problem must be fixed first.",
                "Nothing was changed: %(count)d problems must be fixed first.",
                len(exc.errors),
            )
            % {"count": len(exc.errors)}
        ]
        for error in exc.errors:
            where = (
                _("Row %(row)d, %(column)s") % {"row": error.row, "column": error.column}
                if error.row
                else _("The file")
            )
            value = f" ({error.value})" if error.value else ""
            lines.append(f"  {where}: {error.message}{value}")
        return "\n".join(lines)

    def _report(self, result: SetupResult) -> None:
        plan = result.plan
        if plan.changes_nothing:
            self.stdout.write(
                _("Nothing to change: the %(count)d areas%(admin)s are already set up.")
                % {
                    "count": len(plan.existing),
                    "admin": _(" and the administrator") if plan.administrator_exists else "",
                }
            )
            return
        self.stdout.write(
            _("Created %(new)d areas (%(old)d were already there).")
            % {"new": len(result.areas), "old": len(plan.existing)}
        )
        if result.administrator is not None:
            self.stdout.write(
                _("Administrator %(username)s of %(area)s, one-time password: %(password)s")
                % {
                    "username": result.administrator.username,
                    "area": result.administrator.area,
                    "password": result.password,
                }
            )
            self.stdout.write(
                _(
                    "Hand it over in person; it must be changed at the first login. "
                    "It is not shown again."
                )
            )


class Prompts:
    """The questions of an interactive set-up: a city, a district, a street, its
    communities (each with a time zone and a number of grids), and the administrator."""

    def __init__(self, command: BaseCommand) -> None:
        self.command = command
        self.rows: list[TreeRow] = []

    def _input(self, question: str, default: str = "") -> str:
        prompt = f"{question} [{default}]: " if default else f"{question}: "
        self.command.stdout.write(prompt, ending="")
        self.command.stdout.flush()
        line = sys.stdin.readline()
        if not line:
            raise CommandError(_("The answers ended early; nothing was changed."))
        return line.strip() or default

    def _required(self, question: str, default: str = "") -> str:
        while True:
            answer = self._input(question, default)
            if answer:
                return answer
            self.command.stdout.write(_("An answer is needed."))

    def _area(self, level: AreaLevel, parent: str, question: str, time_zone: str = "") -> str:
        name = self._required(_("Name of the %(level)s") % {"level": level.label})
        code = self._required(_("Code of %(name)s") % {"name": name})
        self.rows.append(
            TreeRow(
                row=len(self.rows) + 1,
                level=level,
                code=code,
                name=name,
                parent=parent,
                time_zone=time_zone,
            )
        )
        return code

    def ask(self) -> list[TreeRow] | None:
        self.command.stdout.write(
            _(
                "Set-up: the area tree (city > district > street > community > grid) "
                "and the first administrator."
            )
        )
        city = self._area(AreaLevel.CITY, "", "")
        district = self._area(AreaLevel.DISTRICT, city, "")
        street = self._area(AreaLevel.STREET, district, "")
        zones = available_timezones()
        while True:
            name = self._input(_("Name of a community (leave empty when done)"))
            if not name:
                break
            code = self._required(_("Code of %(name)s") % {"name": name})
            while True:
                time_zone = self._input(_("Time zone"), first_run.DEFAULT_TIME_ZONE)
                if time_zone in zones:
                    break
                self.command.stdout.write(_("Unknown time zone: write it as Asia/Shanghai."))
            while True:
                answer = self._input(_("Number of grids"), "1")
                if answer.isdigit() and 0 <= int(answer) <= 99:
                    grids = int(answer)
                    break
                self.command.stdout.write(_("Write a number from 0 to 99."))
            self.rows.append(
                TreeRow(len(self.rows) + 1, AreaLevel.COMMUNITY, code, name, street, time_zone)
            )
            for number in range(1, grids + 1):
                self.rows.append(
                    TreeRow(
                        len(self.rows) + 1,
                        AreaLevel.GRID,
                        f"{code}-G{number:02d}",
                        _("Grid %(number)d") % {"number": number},
                        code,
                    )
                )
        username = self._required(_("Username of the administrator"), "admin")
        full_name = self._required(_("Full name of the administrator"))
        area = self._required(_("Code of the area they administer"), street)
        self.rows.append(TreeRow(len(self.rows) + 1, ADMINISTRATOR, username, full_name, area))
        answer = self._input(
            _("Create these %(count)d areas and the administrator? (y/n)")
            % {"count": len(self.rows) - 1},
            "y",
        )
        if answer.strip().lower() not in ("y", "yes", "是", "好"):
            return None
        return self.rows
