"""``manage.py backup``: the whole database, sealed under a key derived from the data key,
into one file (``core.backups``). Run it from cron or a systemd timer (docs/deploy.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from fangkong.core.backups import (
    BackupError,
    backup_path,
    default_directory,
    explain,
    make_backup,
    prune,
)


class Command(BaseCommand):
    help = (
        "Back the database up into an encrypted file (SQLite: online backup; PostgreSQL: "
        "pg_dump). The file opens only with the data key: keep the two apart."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        where = parser.add_mutually_exclusive_group()
        where.add_argument(
            "--output", type=Path, help="the backup file to write (default: a dated name in --dir)"
        )
        where.add_argument(
            "--dir",
            type=Path,
            help="directory for dated backups (default: FANGKONG_VAR_DIR/backups)",
        )
        parser.add_argument(
            "--keep",
            type=int,
            default=0,
            help="with --dir: keep only this many newest backups (0: keep all)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.db import connection

        if options["keep"] < 0:
            raise CommandError(_("--keep cannot be negative."))
        directory = options["dir"] or default_directory()
        output = options["output"] or backup_path(directory, connection.vendor)
        try:
            result = make_backup(output)
        except BackupError as exc:
            raise CommandError(explain(exc, output)) from None
        self.stdout.write(
            _("Backup written: %(file)s (%(size)s of database, encrypted).")
            % {"file": result.path, "size": filesizeformat(result.size)}
        )
        if options["keep"] and not options["output"]:
            deleted = prune(directory, options["keep"])
            if deleted:
                self.stdout.write(_("Older backups deleted: %(count)s.") % {"count": len(deleted)})
