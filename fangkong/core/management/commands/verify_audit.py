"""Check the hash chains of the change log and the access log (``fangkong.core.audit_chain``):
every edited, deleted or inserted row is named, and the command exits non-zero on a break."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from fangkong.core.audit_chain import verify


class Command(BaseCommand):
    help = (
        "Verify the audit logs' hash chains; name each edited, deleted or inserted row "
        "and exit non-zero if any chain is broken."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--community",
            type=int,
            metavar="ID",
            help="verify only this community's chain (0: the global chain)",
        )
        parser.add_argument(
            "--json", action="store_true", help="print one JSON object instead of lines"
        )
        parser.add_argument(
            "--current-key-only",
            action="store_true",
            help="verify with FANGKONG_DATA_KEY alone, as if "
            "FANGKONG_DATA_KEYS_OLD were empty: whether the retired keys "
            "may be dropped",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        community = options["community"]
        if community is not None and community < 0:
            raise CommandError("--community takes a community's id (0: the global chain)")
        report = verify(community, retired_keys=not options["current_key_only"])
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "intact": report.intact,
                        "chains": report.chains,
                        "rows": report.rows,
                        "resealed": report.resealed,
                        "rekeyed": report.rekeyed,
                        "mended": report.mended,
                        "pruned": report.pruned,
                        "heads": [
                            {"community": c, "seq": seq, "head": head}
                            for c, seq, head in report.heads
                        ],
                        "problems": [
                            {
                                **asdict(p),
                                "time": p.time.isoformat() if p.time else None,
                                "text": str(p),
                            }
                            for p in report.problems
                        ],
                    },
                    ensure_ascii=False,
                )
            )
        else:
            for problem in report.problems:
                self.stdout.write(str(problem))
            self.stdout.write(
                f"{report.chains} chain(s), {report.rows} row(s) checked "
                f"({report.resealed} rewritten by the system, {report.rekeyed} sealed again "
                f"under a new key, {report.mended} mended, {report.pruned} place(s) purged "
                f"on purpose): "
                + ("intact" if report.intact else f"{len(report.problems)} problem(s)")
            )
        if not report.intact:
            raise CommandError(
                f"the audit log has been tampered with: {len(report.problems)} problem(s)"
            )
