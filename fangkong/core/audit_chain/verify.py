"""Verifying the chains: walking each one row by row and naming every break."""

from __future__ import annotations

import datetime as dt
import heapq
import hmac
import itertools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from fangkong.core.audit_chain.sealing import (
    ACCESS,
    CHAIN_FIELDS,
    CHANGE,
    FIELDS,
    GLOBAL,
    MEND,
    MODELS,
    REKEY,
    _check_transaction,
    _hash,
    _head_message,
    _iso,
    _message,
    _values,
    _verifying_keys,
)
from fangkong.core.models import AuditChain, ChainedLog

# --- Verifying ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One break found in a chain: where, which row (when known) and what is wrong."""

    community: int
    message: str
    log: str = ""
    pk: int | None = None
    time: dt.datetime | None = None
    seq: int | None = None

    def __str__(self) -> str:
        chain = f"community {self.community}" if self.community else "global chain"
        where = f"{chain}"
        if self.seq is not None:
            where += f", place {self.seq}"
        if self.pk is not None:
            where += f", {self.log} #{self.pk}"
        if self.time is not None:
            where += f" ({_iso(self.time)})"
        return f"{where}: {self.message}"


@dataclass
class Report:
    """What ``verify()`` walked and found."""

    chains: int = 0
    rows: int = 0
    #: Rows rewritten by the system after chaining (retention scrubs, a run's counts).
    resealed: int = 0
    #: Rows a key rotation sealed again under a newer key, content as first written.
    rekeyed: int = 0
    #: Rows sealed again as found when their broken chain was mended.
    mended: int = 0
    #: Places stepped over because retention or a demo reset deleted them on purpose.
    pruned: int = 0
    #: Rows whose hash no key tried gives (most of them: a key missing, not tampering).
    unsealed: int = 0
    problems: list[Problem] = field(default_factory=list)
    #: (community, last place, head link) of each chain walked: figures to note where the
    #: database cannot reach them, to detect the restore of an older copy later.
    heads: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems

    def add(self, other: Report) -> None:
        for name in ("chains", "rows", "resealed", "rekeyed", "mended", "pruned", "unsealed"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.problems += other.problems
        self.heads += other.heads


@dataclass(slots=True)
class _Row:
    log: str
    pk: int
    seq: int
    prev: str
    hash: str
    original: str
    mark: str
    values: dict[str, Any]

    @property
    def link(self) -> str:
        return self.original or self.hash

    @property
    def time(self) -> dt.datetime:
        time: dt.datetime = self.values["time"]
        return time

    def name(self) -> str:
        return f"{self.log} #{self.pk}"

    def message(
        self,
        times: dict[dt.datetime, str],
        *,
        prev: str | None = None,
        original: str | None = None,
        mark: str | None = None,
        seq: int | None = None,
    ) -> bytes:
        """Its canonical bytes, or (with arguments) those it has once those columns change."""
        return _message(
            self.log,
            self.seq if seq is None else seq,
            self.prev if prev is None else prev,
            self.original if original is None else original,
            _values(self.log, self.values, times),
            self.mark if mark is None else mark,
        )


def _rows(log: str, community: int) -> QuerySet[ChainedLog]:
    return MODELS[log]._base_manager.filter(community_id=community or None)


def _as_rows(log: str, rows: QuerySet[ChainedLog]) -> Iterator[_Row]:
    fields = FIELDS[log]
    for pk, seq, prev, hash_, original, mark, *values in rows.values_list(
        "pk", *CHAIN_FIELDS, *fields
    ).iterator(chunk_size=2000):
        yield _Row(
            log, pk, seq, prev, hash_, original, mark, dict(zip(fields, values, strict=True))
        )


def _stream(log: str, community: int) -> Iterator[tuple[int, str, int, _Row]]:
    for row in _as_rows(log, _rows(log, community).order_by("chain_seq", "pk")):
        yield row.seq, log, row.pk, row


def _sealed_by(message: bytes, digest: str, keys: Sequence[bytes]) -> int | None:
    """Which of ``keys`` gives ``digest`` over ``message`` (0: the current key); None if
    none does."""
    for number, key in enumerate(keys):
        if hmac.compare_digest(_hash(key, message), digest):
            return number
    return None


def _sealed(row: _Row, times: dict[dt.datetime, str], keys: Sequence[bytes]) -> bool:
    return _sealed_by(row.message(times), row.hash, keys) is not None


def _head_sealed(head: AuditChain, keys: Sequence[bytes]) -> bool:
    return _sealed_by(_head_message(head), head.seal, keys) is not None


class _Walk:
    """One chain's rows in place order, checked against each other and the head.

    Each kind of break is reported through its own method, which ``_Mend`` extends to plan
    the repair."""

    def __init__(self, head: AuditChain, report: Report, keys: Sequence[bytes]) -> None:
        self.head = head
        self.report = report
        self.keys = keys
        self.community = head.community_id
        self.expected = 1
        self.link: str | None = ""  # None once a break makes the link unknown
        self.last: _Row | None = None
        self.pruned = {
            first: [first, last, before, link] for first, last, before, link in head.pruned
        }
        self.times: dict[dt.datetime, str] = {}

    def problem(self, message: str, row: _Row | None = None, seq: int | None = None) -> None:
        self.report.problems.append(
            Problem(
                self.community,
                message,
                row.log if row else "",
                row.pk if row else None,
                row.time if row else None,
                row.seq if row else seq,
            )
        )

    # What each break is called; ``_Mend`` also mends it.

    def beyond(self, row: _Row) -> None:
        self.problem("it lies beyond the chain's head: inserted outside the audit code", row)

    def gap(self, first: int, end: int, before: str | None, after: str, row: _Row | None) -> None:
        """Places ``first``..``end - 1`` are missing between links ``before`` and ``after``;
        ``row`` is the row after them (None: they were the chain's newest)."""
        if row is None:
            self.problem(f"{self._missing(first, end)}: the newest rows were deleted", seq=first)
        else:
            self.problem(f"{self._missing(first, end)}: deleted", row)

    def intruder(self, row: _Row, real: _Row) -> None:
        self.problem(f"place {row.seq} belongs to {real.name()}; this row was inserted", row)

    def edited(self, row: _Row) -> None:
        self.problem(
            "its content does not match its hash: edited after it was written, or forged", row
        )

    def unlinked(self, row: _Row) -> None:
        self.problem(
            "it does not follow the row before it (its previous hash differs): that "
            "row was replaced or this one inserted",
            row,
        )

    def head_unlinked(self) -> None:
        self.problem("the chain's head does not match its last row", seq=self.head.seq)

    # The walk.

    def _bridge(self, until: int) -> list[tuple[int, int, str | None]]:
        """Step over places ``expected``..``until - 1`` through pruned records, each
        following the link before it. Returns the runs of places no record covers (first,
        end, the link before them): rows deleted by hand, before, between or after purged
        ones."""
        gaps: list[tuple[int, int, str | None]] = []
        place = self.expected
        while place < until:
            record = self.pruned.get(place)
            if (
                record is not None
                and record[1] < until
                and (self.link is None or record[2] == self.link)
            ):
                self.report.pruned += record[1] - record[0] + 1
                self.link, place = record[3], record[1] + 1
                continue
            end = min((first for first in self.pruned if place < first < until), default=until)
            gaps.append((place, end, self.link))
            self.link, place = None, end  # what came before the gap is unknown
        return gaps

    def _after(self, end: int, until: int, otherwise: str) -> str:
        """The link a gap ending before ``end`` leads into: the link before the pruned
        record starting there, else ``otherwise`` (the next row's previous hash, or the
        head's link)."""
        return self.pruned[end][2] if end < until else otherwise

    def _missing(self, first: int, end: int) -> str:
        places = f"place {first}" if first == end - 1 else f"places {first}-{end - 1}"
        follows = self.last.seq + 1 if self.last else 1
        where = (
            ""
            if first != follows
            else f" after {self.last.name()}"
            if self.last
            else " at the start of the chain"
        )
        return f"{places} {'is' if first == end - 1 else 'are'} missing{where}"

    def step(self, group: list[_Row]) -> None:
        seq = group[0].seq
        if seq > self.head.seq:
            for row in group:
                self.beyond(row)
            return
        gaps = self._bridge(seq) if seq > self.expected else []
        # Of rows claiming one place, the one that is sealed and follows is the real one.
        sealed = [row for row in group if _sealed(row, self.times, self.keys)]
        real = next(
            (r for r in sealed if self.link is None or r.prev == self.link),
            sealed[0] if sealed else group[0],
        )
        for first, end, before in gaps:
            self.gap(first, end, before, self._after(end, seq, real.prev), group[0])
        for row in group:
            if row is not real:
                self.intruder(row, real)
        if real not in sealed:
            self.edited(real)
        elif self.link is not None and real.prev != self.link:
            self.unlinked(real)
        self.report.rows += len(group)
        self.report.unsealed += len(group) - len(sealed)
        self.report.resealed += bool(real.original) and not real.mark
        self.report.rekeyed += real.mark == REKEY
        self.report.mended += real.mark == MEND
        self.last, self.link, self.expected = real, real.link, seq + 1

    def finish(self) -> None:
        head = self.head
        until = head.seq + 1
        gaps = self._bridge(until) if self.expected <= head.seq else []
        for first, end, before in gaps:
            self.gap(first, end, before, self._after(end, until, head.head), None)
        if gaps:
            return
        if self.link is not None and self.link != head.head:
            self.head_unlinked()


def _walk(walk: _Walk) -> None:
    community = walk.community
    rows = heapq.merge(_stream(CHANGE, community), _stream(ACCESS, community))
    for _seq, group in itertools.groupby(rows, key=lambda item: item[0]):
        walk.step([item[3] for item in group])
    walk.finish()


def _walk_chain(head: AuditChain, keys: Sequence[bytes]) -> Report:
    report = Report(chains=1, heads=[(head.community_id, head.seq, head.head)])
    if not _head_sealed(head, keys):
        report.problems.append(
            Problem(head.community_id, "the chain's head does not match its seal: edited")
        )
    _walk(_Walk(head, report, keys))
    return report


def lock_heads(communities: Iterable[int]) -> dict[int, AuditChain]:
    """The existing heads of these chains, locked until the transaction ends, taken in the
    order writers take them (``_lock``) so that no two lockers wait for each other."""
    _check_transaction()
    return {
        h.community_id: h
        for h in AuditChain.objects.select_for_update()
        .filter(community_id__in=sorted(set(communities)))
        .order_by("community_id")
    }


def _walk_locked(community: int, keys: Sequence[bytes]) -> Report | None:
    """Walk a chain holding its head, as writers do: nothing is appended or pruned
    meanwhile. None if it has no head."""
    with transaction.atomic():
        head = lock_heads([community]).get(community)
        return None if head is None else _walk_chain(head, keys)


def _communities_with_rows(community: int | None) -> set[int]:
    found: set[int] = set()
    for model in MODELS.values():
        rows = model._base_manager.order_by()
        if community is not None:
            rows = rows.filter(community_id=community or None)
        found.update(c or GLOBAL for c in rows.values_list("community_id", flat=True).distinct())
    return found


def verify(community: int | None = None, *, retired_keys: bool = True) -> Report:
    """Walk every chain (or one community's: 0 is the global chain) and report each break,
    row by row. ``retired_keys=False`` verifies with the current key alone: what
    ``verify_audit`` will say once ``FANGKONG_DATA_KEYS_OLD`` is emptied.

    The walk takes no lock, so the office keeps writing meanwhile; a chain that looks
    broken is walked again holding its head before it is reported (rows appended after the
    heads were read would otherwise lie "beyond the head", a chain started meanwhile would
    look headless)."""
    keys = _verifying_keys(retired_keys)
    report = Report()
    chains = AuditChain.objects.order_by("community_id")
    if community is not None:
        chains = chains.filter(community_id=community)
    heads = list(chains)
    for orphan in sorted(_communities_with_rows(community) - {h.community_id for h in heads}):
        found = _walk_locked(orphan, keys)
        if found is None:
            report.problems.append(
                Problem(orphan, "rows exist but the chain's head is missing: it was deleted")
            )
        else:
            report.add(found)
    if community is None:
        started = next((h.chains for h in heads if h.community_id == GLOBAL), 0)
        kept = sum(1 for h in heads if h.community_id != GLOBAL)
        if kept < started:
            report.problems.append(
                Problem(
                    GLOBAL,
                    f"{started - kept} community chain(s) were started but their heads "
                    "are gone: a community's whole trail was deleted",
                )
            )
    for head in heads:
        found = _walk_chain(head, keys)
        if not found.intact:
            found = _walk_locked(head.community_id, keys) or found
        report.add(found)
    return report
