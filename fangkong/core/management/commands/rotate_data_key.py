"""``manage.py rotate_data_key``: re-encrypt and re-index every protected value under the
current data key (``FANGKONG_DATA_KEY``), reading rows still under a retired key listed in
``FANGKONG_DATA_KEYS_OLD``. Safe to interrupt and run again; see ``core.key_rotation`` and
docs/deploy.md for the whole procedure."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from fangkong.core.key_rotation import BATCH_SIZE, ModelOutcome, RotationResult, rotate


class Command(BaseCommand):
    help = ("Re-encrypt every ID number and phone and recompute their blind indexes under "
            "FANGKONG_DATA_KEY, in batches. Run it after moving the old key to "
            "FANGKONG_DATA_KEYS_OLD; it can be interrupted and run again.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true",
                            help="count the rows still to rotate; change nothing")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE,
                            help=f"rows per transaction (default {BATCH_SIZE})")
        parser.add_argument("--pause", type=float, default=0.0,
                            help="seconds to wait between batches, to leave the database to "
                                 "the gates and the office meanwhile (default 0)")
        parser.add_argument("--json", action="store_true",
                            help="print one JSON object at the end instead of a summary")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        if options["pause"] < 0:
            raise CommandError(_("--pause cannot be negative."))
        quiet = options["json"] or options["verbosity"] < 1
        if not quiet:
            self.stdout.write(_("Retired keys listed in FANGKONG_DATA_KEYS_OLD: %(count)s")
                              % {"count": len(settings.DATA_KEYS_OLD)})
        result = rotate(dry_run=options["dry_run"], batch_size=options["batch_size"],
                        pause=options["pause"], progress=None if quiet else self._progress)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            self._summary(result)
        if not result.dry_run and not result.complete:
            raise CommandError(self._incomplete(result))

    def _progress(self, pass_number: int, outcome: ModelOutcome) -> None:
        self.stdout.write(
            _("pass %(pass)s, %(model)s: %(checked)s of %(total)s checked, %(rotated)s "
              "rotated") % {"pass": pass_number, "model": outcome.label,
                            "checked": outcome.checked, "total": outcome.total,
                            "rotated": outcome.rotated})
        self.stdout.flush()  # a long run shows where it is, line by line, even in a pipe

    def _summary(self, result: RotationResult) -> None:
        if result.dry_run:
            for outcome in result.passes[0]:
                self.stdout.write(_("%(model)s: %(count)s of %(total)s rows to rotate")
                                  % {"model": outcome.label, "count": outcome.rotated,
                                     "total": outcome.total})
            self.stdout.write(_("Dry run: nothing was changed."))
            return
        self.stdout.write(_("Rows rotated: %(count)s.") % {"count": result.rotated})
        if result.complete:
            self.stdout.write(self.style.SUCCESS(_(
                "Every ID number and phone is under the current key. The keys in "
                "FANGKONG_DATA_KEYS_OLD can now be removed (keep a copy with the backups made "
                "before today).")))

    def _incomplete(self, result: RotationResult) -> str:
        last = result.passes[-1]
        conflicts = {o.label: o.conflicts for o in last if o.conflicts}
        unreadable = {o.label: o.unreadable for o in last if o.unreadable}
        lines = [_("The rotation is not complete: %(count)s rows are not under the current "
                   "key. Keep FANGKONG_DATA_KEYS_OLD as it is.") % {"count": result.remaining}]
        for label, keys in conflicts.items():
            lines.append(_("%(model)s %(keys)s: another row of the same community has the same "
                           "ID number; merge the two records, then run the command again.")
                         % {"model": label, "keys": ", ".join(map(str, keys[:20]))})
        for label, keys in unreadable.items():
            lines.append(_("%(model)s %(keys)s: no listed key decrypts these values; add the key "
                           "they were written under to FANGKONG_DATA_KEYS_OLD and run the "
                           "command again.")
                         % {"model": label, "keys": ", ".join(map(str, keys[:20]))})
        if not conflicts and not unreadable:
            lines.append(_("Rows kept changing while they were rotated; run the command again "
                           "when the office is quiet."))
        return "\n".join(lines)
