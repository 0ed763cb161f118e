"""Hash chains over the audit logs: the change log and the access log are tamper-evident.

Each community's rows of both logs form one chain; rows with no community form the global
chain (``community_id`` 0 in ``AuditChain``). A row carries its place (``chain_seq``: 1, 2,
3...), the link of the row before it (``chain_prev``) and its own ``chain_hash``: a keyed
hash (HMAC-SHA256) over its canonical content, its log, its place and ``chain_prev``. The
key is derived from ``FANGKONG_DATA_KEY``, which is held outside the database: someone who
can only write to the database can edit, delete or insert rows, but cannot compute the
hashes that would hide it. Retired data keys (``FANGKONG_DATA_KEYS_OLD``) still verify the
rows sealed under them.

What ``verify()`` finds, and how:

* an edited row: its content no longer gives its hash;
* a deleted row: its place is missing (the next row's place jumps, or the chain ends below
  its head's ``seq``), and the next row's ``chain_prev`` does not follow;
* an inserted row: its hash is not one the key gives, and its place is taken already or
  lies beyond the head;
* a rewritten head (``AuditChain``): its own seal; a removed community chain: the global
  head counts the chains ever started.

Rows the system changes or deletes on purpose stay verifiable:

* retention scrubbing a row's snapshots (and a purge updating its running counts) *reseals*
  it: ``chain_original`` keeps the hash it had — the link the next row points to — and
  ``chain_hash`` becomes a seal over the new content together with that original hash, so
  the rewritten row is still covered and the chain still links. A row so marked shows that
  it was rewritten; its content can no longer be compared with what it first said.
* retention (or a demo reset) deleting rows records each run of consecutive deleted places
  in the head's ``pruned`` list (first, last, the link before, the link of the last); the
  verifier steps over a gap only when such a record bridges it exactly.

Writers take the chain's head row with ``SELECT ... FOR UPDATE`` (on SQLite the IMMEDIATE
transaction already holds the one write lock) and keep it until their transaction ends, so
two transactions never fork a chain; a unique constraint on (community, place) in each log
backs it. Every path writing audit rows goes through ``seal()``: ``save()`` and
``bulk_create()`` of the two models, and the raw bulk writers (imports, the demo) call it
themselves. ``chain_seq`` is NOT NULL, so a writer that forgets fails loudly.
"""

from __future__ import annotations

import datetime as dt
import functools
import heapq
import hmac
import itertools
import json
import operator
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet

from fangkong.core.models import AccessEvent, AuditChain, ChainedLog, ObjectChange
from fangkong.core.personal_data import _derive

#: Version of the canonical form; part of every hash, so a future format can coexist.
FORMAT = 1
GLOBAL = 0
CHANGE, ACCESS = ObjectChange.chain_log, AccessEvent.chain_log
MODELS: dict[str, type[ChainedLog]] = {CHANGE: ObjectChange, ACCESS: AccessEvent}
#: The columns the hash covers, per log, in canonical order (``time`` first). The primary
#: key is not among them: rows are hashed before INSERT gives them one; the place is.
FIELDS: dict[str, tuple[str, ...]] = {
    CHANGE: ("time", "actor_id", "actor_name", "request_id", "action", "content_type_id",
             "object_id", "object_repr", "area_path", "community_id", "person_id", "before",
             "after"),
    ACCESS: ("time", "actor_id", "actor_name", "request_id", "kind", "content_type_id",
             "object_id", "object_repr", "area_path", "community_id", "person_id", "reason",
             "detail"),
}
CHAIN_FIELDS = ("chain_seq", "chain_prev", "chain_hash", "chain_original")


# --- Keys and hashes ---------------------------------------------------------------------------


@functools.cache
def _derived(current: str, retired: tuple[str, ...]) -> tuple[bytes, ...]:
    return tuple(_derive(key, b"audit-chain") for key in (current, *retired))


def _keys() -> tuple[bytes, ...]:
    """The current key first (it seals), then retired ones (they still verify)."""
    return _derived(settings.DATA_KEY, tuple(settings.DATA_KEYS_OLD))


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def _plain(value: Any) -> Any:
    """JSON as it comes back from either database: PostgreSQL's jsonb gives a float of 1e16
    or more back as an integer (it prints no exponent), so such floats are hashed as one."""
    if isinstance(value, float) and value.is_integer() and abs(value) >= 1e16:
        return int(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


#: One encoder for every row (``json.dumps`` with options builds a new one per call).
#: ASCII output: the C fast path, and no lone surrogate can fail the encoding.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"))


def _message(log: str, seq: int, prev: str, original: str, values: list[Any]) -> bytes:
    """The canonical bytes of a row: one compact JSON array, keys sorted at every depth."""
    content = [FORMAT, log, seq, prev, original, *values]
    try:
        text = _CANONICAL.encode(content)
    except TypeError:  # keys of mixed types cannot be sorted: compare them as text
        text = ""
    if not text or "e+" in text:  # rare: an exponent may be a float jsonb turns into an int
        text = _CANONICAL.encode(_plain(content))
    return text.encode()


def _hash(key: bytes, message: bytes) -> str:
    return hmac.digest(key, message, "sha256").hex()


#: Each log's columns after ``time``, read from a row in canonical order in one C call.
_REST = {log: operator.itemgetter(*fields[1:]) for log, fields in FIELDS.items()}


def _values(log: str, row: dict[str, Any], times: dict[dt.datetime, str]) -> list[Any]:
    """The row's canonical values; ``times`` remembers each moment's text (a bulk insert's
    rows share one)."""
    moment = row["time"]
    iso = times.get(moment)
    if iso is None:
        iso = times[moment] = _iso(moment)
    return [iso, *_REST[log](row)]


def _head_message(head: AuditChain) -> bytes:
    return json.dumps(["head", FORMAT, head.community_id, head.seq, head.head, head.pruned,
                       head.chains], separators=(",", ":")).encode()


def _seal_head(head: AuditChain) -> None:
    head.seal = _hash(_keys()[0], _head_message(head))


def link_of(row: Any) -> str:
    """What the next row's ``chain_prev`` must hold: the hash the row was first given."""
    return row.chain_original or row.chain_hash


# --- Appending ---------------------------------------------------------------------------------


def _lock(communities: list[int]) -> dict[int, AuditChain]:
    """The heads of these chains, locked until the transaction ends (created if new)."""
    # In key order: two writers locking the same chains take them in the same order.
    heads = {h.community_id: h for h in AuditChain.objects.select_for_update()
             .filter(community_id__in=communities).order_by("community_id")}
    started = 0
    for community in communities:
        if community not in heads:
            # Once per community. get_or_create, because another writer may be starting the
            # same chain: only the one whose INSERT wins counts it.
            heads[community], created = _start(community)
            started += created and community != GLOBAL
    if started:
        # The global head counts the community chains ever started: deleting a whole chain,
        # head and rows, shows as a head missing against that count.
        counter = heads.get(GLOBAL) or _start(GLOBAL)[0]
        counter.chains += started
        _save_head(counter, ["chains"])
    return heads


def _start(community: int) -> tuple[AuditChain, bool]:
    fresh = AuditChain(community_id=community)
    _seal_head(fresh)
    return AuditChain.objects.select_for_update().get_or_create(
        community_id=community, defaults={"seal": fresh.seal})


def _save_head(head: AuditChain, fields: list[str]) -> None:
    _seal_head(head)
    AuditChain.objects.filter(pk=head.pk).update(
        **{name: getattr(head, name) for name in [*fields, "seal"]})


def _check_transaction() -> None:
    if not connection.in_atomic_block:
        # The head's lock must last until the rows are committed, or two writers fork it.
        raise RuntimeError("audit rows must be chained inside the transaction inserting them")


def seal(log: str, rows: Sequence[dict[str, Any]], *, now: dt.datetime | None = None) -> None:
    """Give rows about to be inserted (dicts of attribute values) their places in their
    chains: ``chain_seq``, ``chain_prev``, ``chain_hash`` (and ``time`` = ``now`` where
    missing). Call inside the transaction that inserts them, and insert them all."""
    if not rows:
        return
    _check_transaction()
    by_chain: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        if row.get("time") is None:
            if now is None:
                raise ValueError("audit rows need their time before they are chained")
            row["time"] = now
        by_chain.setdefault(row.get("community_id") or GLOBAL, []).append(row)
    key = _keys()[0]
    times: dict[dt.datetime, str] = {}
    heads = _lock(sorted(by_chain))
    for community, members in by_chain.items():
        head = heads[community]
        seq, link = head.seq, head.head
        for row in members:
            seq += 1
            row["chain_seq"], row["chain_prev"], row["chain_original"] = seq, link, ""
            link = row["chain_hash"] = _hash(
                key, _message(log, seq, link, "", _values(log, row, times)))
        head.seq, head.head = seq, link
        _save_head(head, ["seq", "head"])


def _as_row(obj: ChainedLog) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in (*FIELDS[obj.chain_log], *CHAIN_FIELDS)}


def seal_objects(objs: Iterable[ChainedLog]) -> None:
    """``seal()`` for model instances about to be saved (``save()``, ``bulk_create()``)."""
    for log, members in itertools.groupby(objs, key=lambda o: o.chain_log):
        members = list(members)
        rows = [_as_row(obj) for obj in members]
        seal(log, rows)
        for obj, row in zip(members, rows, strict=True):
            for name in ("time", *CHAIN_FIELDS):
                setattr(obj, name, row[name])


def reseal(obj: ChainedLog) -> list[str]:
    """Seal a row again after the system rewrote it (retention, a purge's counts): its
    original hash stays its link, recorded in ``chain_original``. The fields to save."""
    original = link_of(obj)
    obj.chain_original = original
    obj.chain_hash = _hash(_keys()[0], _message(
        obj.chain_log, obj.chain_seq, obj.chain_prev, original,
        _values(obj.chain_log, _as_row(obj), {})))
    return ["chain_hash", "chain_original"]


# --- Deleting on purpose -----------------------------------------------------------------------


def _merge(ranges: list[list[Any]]) -> list[list[Any]]:
    """Sort pruned runs and join neighbours that link up (a later run may fill the gap
    between two: rows of the other log, or a row the time cut-off reached a day later)."""
    merged: list[list[Any]] = []
    for first, last, before, link in sorted(ranges, key=lambda r: (r[0], r[1])):
        if merged and merged[-1][1] + 1 == first and merged[-1][3] == before:
            merged[-1][1], merged[-1][3] = last, link
        else:
            merged.append([first, last, before, link])
    return merged


def record_removal(rows: QuerySet) -> int:
    """Before deleting these audit rows on purpose, record their places as pruned in their
    chains' heads (same transaction). Returns the number of rows recorded."""
    _check_transaction()
    rows = (rows.order_by("community_id", "chain_seq")
            .values_list("community_id", "chain_seq", "chain_prev", "chain_hash",
                         "chain_original"))
    runs: dict[int, list[list[Any]]] = {}
    count = 0
    for community, seq, prev, hash_, original in rows:
        count += 1
        chain = runs.setdefault(community or GLOBAL, [])
        link = original or hash_
        if chain and chain[-1][1] + 1 == seq and chain[-1][3] == prev:
            chain[-1][1], chain[-1][3] = seq, link
        else:
            chain.append([seq, seq, prev, link])
    if runs:
        heads = _lock(sorted(runs))
        for community, found in runs.items():
            head = heads[community]
            head.pruned = _merge([*head.pruned, *found])
            _save_head(head, ["pruned"])
    return count


def delete_rows(queryset: QuerySet) -> int:
    """Delete audit rows on purpose (a demo reset), recording them as pruned."""
    if not record_removal(queryset):
        return 0
    _deleted, per_model = queryset.delete()
    return per_model.get(queryset.model._meta.label, 0)


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
    #: Rows rewritten by the system after chaining (retention scrubs, a purge's counts).
    resealed: int = 0
    #: Places stepped over because retention or a demo reset deleted them on purpose.
    pruned: int = 0
    problems: list[Problem] = field(default_factory=list)
    #: (community, last place, head link) of each chain walked: figures to note where the
    #: database cannot reach them, to detect the restore of an older copy later.
    heads: list[tuple[int, int, str]] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.problems


@dataclass(slots=True)
class _Row:
    log: str
    pk: int
    seq: int
    prev: str
    hash: str
    original: str
    values: dict[str, Any]

    @property
    def link(self) -> str:
        return self.original or self.hash

    @property
    def time(self) -> dt.datetime:
        return self.values["time"]

    def name(self) -> str:
        return f"{self.log} #{self.pk}"


def _stream(log: str, community: int) -> Iterator[tuple[int, str, int, _Row]]:
    fields = FIELDS[log]
    model = MODELS[log]
    rows = (model._base_manager.filter(community_id=community or None)
            .order_by("chain_seq", "pk")
            .values_list("pk", *CHAIN_FIELDS, *fields))
    for pk, seq, prev, hash_, original, *values in rows.iterator(chunk_size=2000):
        yield seq, log, pk, _Row(log, pk, seq, prev, hash_, original,
                                 dict(zip(fields, values, strict=True)))


def _sealed(row: _Row, times: dict[dt.datetime, str]) -> bool:
    message = _message(row.log, row.seq, row.prev, row.original,
                       _values(row.log, row.values, times))
    return any(hmac.compare_digest(_hash(key, message), row.hash) for key in _keys())


def _head_sealed(head: AuditChain) -> bool:
    message = _head_message(head)
    return any(hmac.compare_digest(_hash(key, message), head.seal) for key in _keys())


class _Walk:
    """One chain's rows in place order, checked against each other and the head."""

    def __init__(self, head: AuditChain, report: Report) -> None:
        self.head = head
        self.report = report
        self.community = head.community_id
        self.expected = 1
        self.link: str | None = ""  # None once a break makes the link unknown
        self.last: _Row | None = None
        self.pruned = {first: [first, last, before, link]
                       for first, last, before, link in head.pruned}
        self.times: dict[dt.datetime, str] = {}

    def problem(self, message: str, row: _Row | None = None, seq: int | None = None) -> None:
        self.report.problems.append(Problem(
            self.community, message, row.log if row else "", row.pk if row else None,
            row.time if row else None, row.seq if row else seq))

    def _bridge(self, until: int) -> list[tuple[int, int]]:
        """Step over places ``expected``..``until - 1`` through pruned records, each
        following the link before it. Returns the runs of places no record covers (first,
        end): rows deleted by hand, before, between or after purged ones."""
        gaps: list[tuple[int, int]] = []
        place = self.expected
        while place < until:
            record = self.pruned.get(place)
            if record is not None and record[1] < until and (
                self.link is None or record[2] == self.link
            ):
                self.report.pruned += record[1] - record[0] + 1
                self.link, place = record[3], record[1] + 1
                continue
            end = min((first for first in self.pruned if place < first < until), default=until)
            gaps.append((place, end))
            self.link, place = None, end  # what came before the gap is unknown
        return gaps

    def _missing(self, first: int, end: int) -> str:
        places = f"place {first}" if first == end - 1 else f"places {first}-{end - 1}"
        follows = self.last.seq + 1 if self.last else 1
        where = ("" if first != follows else f" after {self.last.name()}" if self.last
                 else " at the start of the chain")
        return f"{places} {'is' if first == end - 1 else 'are'} missing{where}"

    def step(self, group: list[_Row]) -> None:
        seq = group[0].seq
        if seq > self.head.seq:
            for row in group:
                self.problem("it lies beyond the chain's head: inserted outside the audit "
                             "code", row)
            return
        if seq > self.expected:
            for first, end in self._bridge(seq):
                self.problem(f"{self._missing(first, end)}: deleted", group[0])
        # Of rows claiming one place, the one that is sealed and follows is the real one.
        sealed = [row for row in group if _sealed(row, self.times)]
        real = next((r for r in sealed if self.link is None or r.prev == self.link),
                    sealed[0] if sealed else group[0])
        for row in group:
            if row is not real:
                self.problem(f"place {seq} belongs to {real.name()}; this row was inserted",
                             row)
        if real not in sealed:
            self.problem("its content does not match its hash: edited after it was "
                         "written, or forged", real)
        elif self.link is not None and real.prev != self.link:
            self.problem("it does not follow the row before it (its previous hash "
                         "differs): that row was replaced or this one inserted", real)
        self.report.rows += len(group)
        self.report.resealed += bool(real.original)
        self.last, self.link, self.expected = real, real.link, seq + 1

    def finish(self) -> None:
        head = self.head
        gaps = self._bridge(head.seq + 1) if self.expected <= head.seq else []
        for first, end in gaps:
            self.problem(f"{self._missing(first, end)}: the newest rows were deleted",
                         seq=first)
        if gaps:
            return
        if self.link is not None and self.link != head.head:
            self.problem("the chain's head does not match its last row", seq=head.seq)


def _communities_with_rows(community: int | None) -> set[int]:
    found: set[int] = set()
    for model in MODELS.values():
        rows = model._base_manager.order_by()
        if community is not None:
            rows = rows.filter(community_id=community or None)
        found.update(c or GLOBAL for c in rows.values_list("community_id", flat=True)
                     .distinct())
    return found


def verify(community: int | None = None) -> Report:
    """Walk every chain (or one community's: 0 is the global chain) and report each break,
    row by row."""
    report = Report()
    heads = AuditChain.objects.order_by("community_id")
    if community is not None:
        heads = heads.filter(community_id=community)
    heads = list(heads)
    for orphan in sorted(_communities_with_rows(community) - {h.community_id for h in heads}):
        report.problems.append(Problem(
            orphan, "rows exist but the chain's head is missing: it was deleted"))
    if community is None:
        started = next((h.chains for h in heads if h.community_id == GLOBAL), 0)
        kept = sum(1 for h in heads if h.community_id != GLOBAL)
        if kept < started:
            report.problems.append(Problem(
                GLOBAL, f"{started - kept} community chain(s) were started but their heads "
                        "are gone: a community's whole trail was deleted"))
    for head in heads:
        report.chains += 1
        report.heads.append((head.community_id, head.seq, head.head))
        if not _head_sealed(head):
            report.problems.append(Problem(
                head.community_id, "the chain's head does not match its seal: edited"))
        walk = _Walk(head, report)
        rows = heapq.merge(_stream(CHANGE, head.community_id),
                           _stream(ACCESS, head.community_id))
        for _seq, group in itertools.groupby(rows, key=lambda item: item[0]):
            walk.step([item[3] for item in group])
        walk.finish()
    return report
