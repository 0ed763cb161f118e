"""Import a register: ``manage.py import_residents FILE --community CODE_OR_NAME``
``[--dry-run] [--all-or-nothing] [--json]``.

Imports the valid rows of a register (.xlsx or .csv) into a community, as the import page
does, as system work: no user's area applies, and the audit log names ``import_residents``.

With ``--json`` it prints one JSON object: ``created``, ``updated``, ``unchanged``,
``rejected`` (counts of rows) and ``errors`` (``[{row, column, message}]``), plus
``households_created``, ``unknown_headers``, ``written`` and ``dry_run``. The exit status is 0
when the file was read, even with rejected rows, and 1 when the whole file is refused (or
the community is unknown, or the disk is full: ``disk_full``, nothing written); the JSON
then has ``error`` (and ``code``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.disk_full import DISK_FULL_CODE, DISK_FULL_MESSAGE, is_disk_full
from fangkong.core.spreadsheets import SpreadsheetError
from fangkong.registry.bulk import SystemActor
from fangkong.registry.imports import ImportConflict, ImportResult, preview, run_import

ACTOR = SystemActor("import_residents")


class Command(BaseCommand):
    help = (
        "Import residents from a register (.xlsx or .csv) into a community. Valid rows "
        "are imported; rejected rows are listed with their row, column and reason."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the register: .xlsx, or .csv in UTF-8, GB18030 or UTF-16")
        parser.add_argument("--community", required=True, help="the community's code or exact name")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="check the file and report what would change; write nothing",
        )
        parser.add_argument(
            "--all-or-nothing", action="store_true", help="import nothing when any row is rejected"
        )
        parser.add_argument(
            "--json", action="store_true", help="print one JSON object instead of a summary"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Messages in the site's language (Chinese by default), not the command's English.
        with translation.override(settings.LANGUAGE_CODE):
            self._handle(options)

    def _handle(self, options: dict[str, Any]) -> None:
        as_json = options["json"]
        try:
            community = _community(options["community"])
            path = Path(options["file"])
            if not path.is_file():
                raise SpreadsheetError("no_file", _("%(file)s: no such file") % {"file": path})
            if options["dry_run"]:
                result = preview(path, community, None)
            else:
                result = run_import(path, community, None, options["all_or_nothing"], actor=ACTOR)
        except (SpreadsheetError, ImportConflict) as exc:
            self._refuse(
                as_json, getattr(exc, "message", str(exc)), getattr(exc, "code", "conflict"), exc
            )
        except (DatabaseError, OSError) as exc:
            if not is_disk_full(exc):
                raise
            # The import's transaction was rolled back: say why, not a traceback.
            self._refuse(as_json, str(DISK_FULL_MESSAGE), DISK_FULL_CODE, exc)
        if as_json:
            self.stdout.write(json.dumps(_json(result), ensure_ascii=False))
        else:
            self._summary(result)

    def _refuse(self, as_json: bool, message: str, code: str, exc: Exception) -> NoReturn:
        if as_json:
            self.stdout.write(json.dumps({"error": message, "code": code}, ensure_ascii=False))
        raise CommandError(message) from exc

    def _summary(self, result: ImportResult) -> None:
        verb = "would be" if result.dry_run else "were"
        self.stdout.write(
            f"{result.rows} rows: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged, {result.rejected} rejected "
            f"({result.households_created} households {verb} created)."
        )
        if not result.dry_run and not result.written:
            self.stdout.write(self.style.WARNING("Nothing was written (--all-or-nothing)."))
        if result.unknown_headers:
            self.stdout.write(f"Ignored columns: {', '.join(result.unknown_headers)}")
        for error in result.errors:
            self.stdout.write(f"row {error.row}, {error.column}: {error.message}")


def _community(reference: str) -> Area:
    communities: QuerySet[Area] = Area.objects.filter(level=AreaLevel.COMMUNITY)
    found = communities.filter(code=reference).first()
    if found is not None:
        return found
    named = list(communities.filter(name=reference)[:2])
    if len(named) == 1:
        return named[0]
    if named:
        message = _("%(community)s: several communities have this name; give its code.")
    else:
        message = _("%(community)s: no community has this code or name.")
    raise SpreadsheetError("community", message % {"community": reference})


def _json(result: ImportResult) -> dict[str, Any]:
    data = result.as_dict()
    data["errors"] = [
        {"row": e["row"], "column": e["column"], "message": e["message"]} for e in data["errors"]
    ]
    return data
