"""``manage.py restore <file>``: replace the configured database with a backup made by
``manage.py backup``. Refuses a file the data key does not open, or one altered in any way,
before touching the database; asks first unless ``--yes``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from fangkong.core.backups import (
    BackupError,
    database_label,
    explain,
    inspect,
    restore_backup,
)

YES = {"yes", "y", "是"}


class Command(BaseCommand):
    help = (
        "Replace the database with an encrypted backup made by `manage.py backup`. Stop "
        "the web server and workers first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the backup file")
        parser.add_argument(
            "--yes", action="store_true", help="do not ask before replacing the database"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("%(file)s: no such file.") % {"file": path})
        try:
            found = inspect(path)  # a wrong key or a foreign file is refused before asking
        except BackupError as exc:
            raise CommandError(explain(exc, path)) from None
        if not options["yes"] and not self._confirmed(found.header.created):
            raise CommandError(_("Nothing was restored."))
        try:
            restore_backup(path)
        except BackupError as exc:
            raise CommandError(explain(exc, path)) from None
        self.stdout.write(
            self.style.SUCCESS(
                _("Restored %(file)s (made %(created)s) into %(database)s.")
                % {"file": path, "created": found.header.created, "database": database_label()}
            )
        )
        self.stdout.write(
            _(
                "If this version of fangkong is newer than the backup, run "
                "`manage.py migrate` before starting the services."
            )
        )
        if found.retired_key:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "This backup was made under a retired data key (FANGKONG_DATA_KEYS_OLD): "
                        "run "
                        "`manage.py rotate_data_key` now."
                    )
                )
            )

    def _confirmed(self, created: str) -> bool:
        self.stdout.write(
            _("This replaces everything in %(database)s with the backup made %(created)s.")
            % {"database": database_label(), "created": created}
        )
        try:
            answer = input(_("Type yes to go on: "))
        except EOFError:
            return False
        return answer.strip().lower() in YES
