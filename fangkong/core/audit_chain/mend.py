"""Mending a broken chain on the operator's word: sealing again what was found."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models

from fangkong.core.audit_chain.rekey import _update
from fangkong.core.audit_chain.sealing import (
    GLOBAL,
    MEND,
    MODELS,
    _check_transaction,
    _hash,
    _keys,
    _lock,
    _merge,
    _save_head,
)
from fangkong.core.audit_chain.verify import (
    Problem,
    Report,
    _Row,
    _rows,
    _Walk,
    _walk,
    lock_heads,
    verify,
)
from fangkong.core.models import AuditChain

# --- Mending a broken chain ------------------------------------------------------------------


class _Mend(_Walk):
    """A walk that, besides naming each break, plans what makes the chain whole again."""

    def __init__(self, head: AuditChain, report: Report, keys: Sequence[bytes]) -> None:
        super().__init__(head, report, keys)
        #: Rows to seal again as found, each with the previous link it must carry.
        self.rewrites: dict[tuple[str, int], tuple[_Row, str]] = {}
        #: Runs of missing places to record as pruned: [first, last, before, after].
        self.bridges: list[list[Any]] = []
        #: Rows claiming a place another row holds: they move to the chain's end.
        self.moved: list[_Row] = []
        self.head_link: str | None = None

    def gap(self, first: int, end: int, before: str | None, after: str, row: _Row | None) -> None:
        super().gap(first, end, before, after, row)
        self.bridges.append([first, end - 1, "" if before is None else before, after])

    def intruder(self, row: _Row, real: _Row) -> None:
        super().intruder(row, real)
        self.moved.append(row)

    def edited(self, row: _Row) -> None:
        super().edited(row)
        self.rewrites[row.log, row.pk] = (row, row.prev if self.link is None else self.link)

    def unlinked(self, row: _Row) -> None:
        super().unlinked(row)
        self.rewrites[row.log, row.pk] = (row, row.prev if self.link is None else self.link)

    def head_unlinked(self) -> None:
        super().head_unlinked()
        self.head_link = self.link


@dataclass
class Mending:
    """What ``mend()`` found in one chain and did to make it whole."""

    community: int
    problems: list[Problem] = field(default_factory=list)
    #: Rows sealed again as found (edited, or not following the row before).
    rows: int = 0
    #: Missing places recorded as pruned.
    bridged: int = 0
    #: Rows moved from a place another row holds to the chain's end.
    moved: int = 0

    def as_dict(self, limit: int = 200) -> dict[str, Any]:
        """Counts, and the first ``limit`` problems as text (places, ids and times; no
        content)."""
        return {
            "community": self.community,
            "problem_count": len(self.problems),
            "problems": [str(p) for p in self.problems[:limit]],
            "rows_sealed_as_found": self.rows,
            "places_bridged": self.bridged,
            "rows_moved": self.moved,
        }


def _mend_chain_count(mending: Mending) -> None:
    """Set the global head's count of chains to the chains there are (a head deleted by
    hand leaves the count above them), and say so among the problems."""
    counter = AuditChain.objects.get(community_id=GLOBAL)
    kept = AuditChain.objects.exclude(community_id=GLOBAL).count()
    if counter.chains > kept:
        mending.problems.append(
            Problem(
                GLOBAL,
                f"{counter.chains - kept} community chain(s) were started but their heads are gone",
            )
        )
        counter.chains = kept
        _save_head(counter, ["chains"])


def mend(community: int) -> Mending:
    """Make one broken chain verify under the current key, as it stands now: edited rows
    (and rows that no longer follow the row before) are sealed again as found, marked
    ``mend``; missing places are recorded in the head's ``pruned`` list; rows inserted into
    a place another row holds move to the chain's end; rows past the head join the chain;
    the head is made to match and sealed; the global head's count of chains is set to the
    chains there are. Nothing is deleted.

    Call inside a transaction: it holds the chain's head, and the global one, until the
    end. The caller records what was found (``Mending.problems``) in the change log."""
    _check_transaction()
    keys = _keys()
    lock_heads([GLOBAL, community])
    mending = Mending(community, verify(community).problems)
    if community == GLOBAL:
        _mend_chain_count(mending)
    if not mending.problems:
        return mending
    head = _lock([community])[community]  # a deleted head is made again, and counted
    last = max(
        (
            _rows(log, community).aggregate(last=models.Max("chain_seq"))["last"] or 0
            for log in MODELS
        ),
        default=0,
    )
    # Rows past the head (inserted, or appended before the head was wound back) become part
    # of the chain: the walk sees a head that reaches them.
    reach = AuditChain(
        community_id=community, seq=max(head.seq, last), head=head.head, pruned=head.pruned
    )
    plan = _Mend(reach, Report(), keys)
    _walk(plan)
    times: dict[dt.datetime, str] = {}
    for log in MODELS:
        _update(
            MODELS[log],
            ["chain_hash", "chain_prev", "chain_original", "chain_reseal"],
            [
                [
                    _hash(keys[0], row.message(times, prev=prev, original=row.link, mark=MEND)),
                    prev,
                    row.link,
                    MEND,
                    row.pk,
                ]
                for (row_log, _pk), (row, prev) in plan.rewrites.items()
                if row_log == log
            ],
        )
    mending.rows = len(plan.rewrites)
    bridged = [r for r in head.pruned if not any(b[0] <= r[0] <= b[1] for b in plan.bridges)]
    head.pruned = _merge([*bridged, *[list(b) for b in plan.bridges]])
    mending.bridged = sum(b[1] - b[0] + 1 for b in plan.bridges)
    head.seq = reach.seq
    if plan.head_link is not None:
        head.head = plan.head_link
    for row in plan.moved:
        head.seq += 1
        _update(
            MODELS[row.log],
            ["chain_seq", "chain_hash", "chain_prev", "chain_original", "chain_reseal"],
            [
                [
                    head.seq,
                    _hash(
                        keys[0],
                        row.message(
                            times, seq=head.seq, prev=head.head, original=row.link, mark=MEND
                        ),
                    ),
                    head.head,
                    row.link,
                    MEND,
                    row.pk,
                ]
            ],
        )
        head.head = row.link
    mending.moved = len(plan.moved)
    _save_head(head, ["seq", "head", "pruned"])
    left = verify(community, retired_keys=True).problems
    if left:
        raise RuntimeError(
            f"mending community {community}'s chain left it broken: "
            + "; ".join(map(str, left[:5]))
        )
    return mending
