"""``manage.py rotate_data_key``: re-encrypt and re-index every protected value under the
current data key (``FANGKONG_DATA_KEY``), reading rows still under a retired key listed in
``FANGKONG_DATA_KEYS_OLD``, and seal the audit chains again under it. Refuses, changing
nothing, when an audit chain is already broken (``--reseal-broken-audit`` mends it, on the
record). Safe to interrupt and run again; see ``core.key_rotation`` and docs/deploy.md for
the whole procedure."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from fangkong.core.audit_chain import Problem
from fangkong.core.key_rotation import (
    BATCH_SIZE,
    AuditChainsBroken,
    ChainProgress,
    ModelOutcome,
    RotationResult,
    rotate,
)

#: Problems named in a message; the rest are counted (``verify_audit`` lists them all).
SHOWN = 20


def _chain_name(community: int) -> str:
    return (_("community %(id)s") % {"id": community}) if community else _("global")


def _listed(problems: list[Problem]) -> list[str]:
    lines = [f"  {p}" for p in problems[:SHOWN]]
    if len(problems) > SHOWN:
        lines.append(
            "  "
            + _("… and %(count)s more (manage.py verify_audit lists them all)")
            % {"count": len(problems) - SHOWN}
        )
    return lines


class Command(BaseCommand):
    help = (
        "Re-encrypt every ID number and phone and recompute their blind indexes under "
        "FANGKONG_DATA_KEY, and seal the audit chains again under it, in batches. Run it "
        "after moving the old key to FANGKONG_DATA_KEYS_OLD; it can be interrupted and "
        "run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="count the rows still to rotate; change nothing"
        )
        parser.add_argument(
            "--batch-size",
            type=int,
            default=BATCH_SIZE,
            help=f"rows per transaction (default {BATCH_SIZE})",
        )
        parser.add_argument(
            "--pause",
            type=float,
            default=0.0,
            help="seconds to wait between batches, to leave the database to "
            "the gates and the office meanwhile (default 0)",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="print one JSON object at the end instead of a summary",
        )
        parser.add_argument(
            "--reseal-broken-audit",
            action="store_true",
            help="when an audit chain is already broken, mend it and go on "
            "(what was found is recorded in the change log) instead of "
            "refusing; only once the breaks are investigated",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            raise CommandError(_("--batch-size must be at least 1."))
        if options["pause"] < 0:
            raise CommandError(_("--pause cannot be negative."))
        quiet = options["json"] or options["verbosity"] < 1
        if not quiet:
            self.stdout.write(
                _("Retired keys listed in FANGKONG_DATA_KEYS_OLD: %(count)s")
                % {"count": len(settings.DATA_KEYS_OLD)}
            )
        try:
            result = rotate(
                dry_run=options["dry_run"],
                batch_size=options["batch_size"],
                pause=options["pause"],
                progress=None if quiet else self._progress,
                audit_progress=None if quiet else self._audit_progress,
                reseal_broken_audit=options["reseal_broken_audit"],
            )
        except AuditChainsBroken as broken:
            raise CommandError(self._refused(broken)) from None
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            self._summary(result)
        if not result.dry_run and not result.complete:
            raise CommandError(self._incomplete(result))

    def _progress(self, pass_number: int, outcome: ModelOutcome) -> None:
        self.stdout.write(
            _("pass %(pass)s, %(model)s: %(checked)s of %(total)s checked, %(rotated)s rotated")
            % {
                "pass": pass_number,
                "model": outcome.label,
                "checked": outcome.checked,
                "total": outcome.total,
                "rotated": outcome.rotated,
            }
        )
        self.stdout.flush()  # a long run shows where it is, line by line, even in a pipe

    def _audit_progress(self, pass_number: int, chain: ChainProgress) -> None:
        self.stdout.write(
            _(
                "pass %(pass)s, audit chain %(chain)s: %(checked)s of %(total)s rows checked, "
                "%(sealed)s sealed again"
            )
            % {
                "pass": pass_number,
                "chain": _chain_name(chain.community),
                "checked": chain.checked,
                "total": max(chain.total, chain.checked),
                "sealed": chain.rekeyed,
            }
        )
        self.stdout.flush()

    def _refused(self, broken: AuditChainsBroken) -> str:
        report = broken.report
        if broken.key_missing:
            return "\n".join(
                [
                    _(
                        "No listed key verifies %(unsealed)s of the %(rows)s audit rows: the key "
                        "they were sealed under is missing from FANGKONG_DATA_KEYS_OLD. Nothing "
                        "was "
                        "changed. List that key (the data key before this one) and run the command "
                        "again; do not mend these chains."
                    )
                    % {"unsealed": report.unsealed, "rows": report.rows},
                    *_listed(report.problems),
                ]
            )
        return "\n".join(
            [
                _(
                    "The audit chains are already broken (%(count)s problem(s)); nothing was "
                    "changed. Sealing them under the new key now would hide these breaks:"
                )
                % {"count": len(report.problems)},
                *_listed(report.problems),
                _(
                    "Investigate the rows named (manage.py verify_audit --json, the last backups), "
                    "then run the command again with --reseal-broken-audit: the chains are mended "
                    "as they stand and what was found is recorded in the change log."
                ),
            ]
        )

    def _summary(self, result: RotationResult) -> None:
        audit = result.audit
        if result.dry_run:
            for outcome in result.passes[0]:
                self.stdout.write(
                    _("%(model)s: %(count)s of %(total)s rows to rotate")
                    % {"model": outcome.label, "count": outcome.rotated, "total": outcome.total}
                )
            self.stdout.write(
                _("Audit chains: %(count)s of %(total)s rows and %(heads)s head(s) to seal again")
                % {"count": audit.rekeyed, "total": audit.checked, "heads": audit.heads}
            )
            if audit.found:
                self.stdout.write(self._refused(AuditChainsBroken(audit.checked_before)))
            self.stdout.write(_("Dry run: nothing was changed."))
            return
        for mending in audit.mended:
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "Audit chain %(chain)s mended (%(count)s problem(s) recorded in the change "
                        "log): %(rows)s row(s) sealed again as found, %(places)s missing place(s) "
                        "bridged, %(moved)s row(s) moved to the end of the chain"
                    )
                    % {
                        "chain": _chain_name(mending.community),
                        "count": len(mending.problems),
                        "rows": mending.rows,
                        "places": mending.bridged,
                        "moved": mending.moved,
                    }
                )
            )
        self.stdout.write(_("Rows rotated: %(count)s.") % {"count": result.rotated})
        self.stdout.write(
            _(
                "Audit rows sealed again under the current key: %(rows)s of "
                "%(total)s checked; heads: %(heads)s."
            )
            % {"rows": audit.rekeyed, "total": audit.checked, "heads": audit.heads}
        )
        if result.complete:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Every ID number and phone is under the current key, and the audit chains "
                        "verify under it alone. The keys in FANGKONG_DATA_KEYS_OLD can now be "
                        "removed "
                        "(keep a copy with the backups made before today)."
                    )
                )
            )

    def _incomplete(self, result: RotationResult) -> str:
        if result.data_complete:
            return "\n".join(
                [
                    _(
                        "The audit chains do not verify under the current key alone (%(count)s "
                        "problem(s)). Keep FANGKONG_DATA_KEYS_OLD as it is."
                    )
                    % {"count": len(result.audit.left or [])},
                    *_listed(result.audit.left or []),
                    _(
                        "Rows sealed under a retired key after the rotation began mean a service "
                        "still runs with the old key: restart every service and run the command "
                        "again. Rows changed meanwhile: investigate, then run it again with "
                        "--reseal-broken-audit."
                    ),
                ]
            )
        last = result.passes[-1]
        conflicts = {o.label: o.conflicts for o in last if o.conflicts}
        unreadable = {o.label: o.unreadable for o in last if o.unreadable}
        lines = [
            _(
                "The rotation is not complete: %(count)s rows are not under the current "
                "key. Keep FANGKONG_DATA_KEYS_OLD as it is."
            )
            % {"count": result.remaining}
        ]
        for label, keys in conflicts.items():
            lines.append(
                _(
                    "%(model)s %(keys)s: another row of the same community has the same "
                    "ID number; merge the two records, then run the command again."
                )
                % {"model": label, "keys": ", ".join(map(str, keys[:20]))}
            )
        for label, keys in unreadable.items():
            lines.append(
                _(
                    "%(model)s %(keys)s: no listed key decrypts these values; add the key "
                    "they were written under to FANGKONG_DATA_KEYS_OLD and run the "
                    "command again."
                )
                % {"model": label, "keys": ", ".join(map(str, keys[:20]))}
            )
        if not conflicts and not unreadable:
            lines.append(
                _(
                    "Rows kept changing while they were rotated; run the command again "
                    "when the office is quiet."
                )
            )
        return "\n".join(lines)
