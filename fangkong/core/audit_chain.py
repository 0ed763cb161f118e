"""Hash chains over the audit logs: the change log and the access log are tamper-evident.

Each community's rows of both logs form one chain; rows with no community form the global
chain (``community_id`` 0 in ``AuditChain``). A row carries its place (``chain_seq``: 1, 2,
3...), the link of the row before it (``chain_prev``) and its own ``chain_hash``: a keyed
hash (HMAC-SHA256) over its canonical content, its log, its place and ``chain_prev``. The
key is derived from ``FANGKONG_DATA_KEY``, which is held outside the database: someone who
can only write to the database can edit, delete or insert rows, but cannot compute the
hashes that would hide it. Retired data keys (``FANGKONG_DATA_KEYS_OLD``) still verify the
rows sealed under them, until ``rotate_data_key`` has sealed them again (below).

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

A key rotation (``manage.py rotate_data_key``, ``core.key_rotation``) seals every row and
head again under the current key without changing a single link: a row's hash becomes its
``chain_original`` (so the next row's ``chain_prev`` still points at it) and ``chain_hash``
a seal under the new key over the same content, that original hash and the mark
``chain_reseal = "rekey"`` (content as first written, unlike a retention rewrite). Rows are
independent of each other, so the work goes in any order and in batches, each under its
chain's head lock: a chain half done verifies while the old key is listed, a row already
under the current key is skipped, and once every row and head is, the chain verifies
under the current key alone and the old key may go. A chain found broken first is refused,
or, on the operator's word (``--reseal-broken-audit``), *mended* (``mend()``): edited rows
sealed again as found (``chain_reseal = "mend"``), deleted places recorded as pruned,
inserted rows moved to the chain's end, the head made to match; what was found is recorded
in the change log.

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
from django.db import connection, models, transaction
from django.db.models import Q, QuerySet

from fangkong.core.choices import ChainReseal
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
CHAIN_FIELDS = ("chain_seq", "chain_prev", "chain_hash", "chain_original", "chain_reseal")
#: What ``reseal()`` changes: the fields to save after it.
RESEAL_FIELDS = ["chain_hash", "chain_original", "chain_reseal"]
REKEY, MEND = ChainReseal.REKEY.value, ChainReseal.MEND.value


# --- Keys and hashes ---------------------------------------------------------------------------


@functools.cache
def _derived(current: str, retired: tuple[str, ...]) -> tuple[bytes, ...]:
    return tuple(_derive(key, b"audit-chain") for key in (current, *retired))


def _keys() -> tuple[bytes, ...]:
    """The current key first (it seals), then retired ones (they still verify)."""
    return _derived(settings.DATA_KEY, tuple(settings.DATA_KEYS_OLD))


def _verifying_keys(retired_keys: bool) -> tuple[bytes, ...]:
    return _keys() if retired_keys else _keys()[:1]


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


def _message(log: str, seq: int, prev: str, original: str, values: list[Any],
             mark: str = "") -> bytes:
    """The canonical bytes of a row: one compact JSON array, keys sorted at every depth.
    The re-seal mark comes last, and only when set: rows sealed before it existed keep
    their bytes."""
    content = [FORMAT, log, seq, prev, original, *values]
    if mark:
        content.append(mark)
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
            row["chain_reseal"] = ""
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
    original hash stays its link, recorded in ``chain_original``; a key rotation's mark
    goes (the content is no longer as first written). The fields to save
    (``RESEAL_FIELDS``)."""
    original = link_of(obj)
    obj.chain_original = original
    obj.chain_reseal = ""
    obj.chain_hash = _hash(_keys()[0], _message(
        obj.chain_log, obj.chain_seq, obj.chain_prev, original,
        _values(obj.chain_log, _as_row(obj), {})))
    return list(RESEAL_FIELDS)


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
        return self.values["time"]

    def name(self) -> str:
        return f"{self.log} #{self.pk}"

    def message(self, times: dict[dt.datetime, str], *, prev: str | None = None,
                original: str | None = None, mark: str | None = None,
                seq: int | None = None) -> bytes:
        """Its canonical bytes, or (with arguments) those it has once those columns change."""
        return _message(self.log, self.seq if seq is None else seq,
                        self.prev if prev is None else prev,
                        self.original if original is None else original,
                        _values(self.log, self.values, times),
                        self.mark if mark is None else mark)


def _rows(log: str, community: int) -> QuerySet:
    return MODELS[log]._base_manager.filter(community_id=community or None)


def _as_rows(log: str, rows: QuerySet) -> Iterator[_Row]:
    fields = FIELDS[log]
    for pk, seq, prev, hash_, original, mark, *values in rows.values_list(
            "pk", *CHAIN_FIELDS, *fields).iterator(chunk_size=2000):
        yield _Row(log, pk, seq, prev, hash_, original, mark,
                   dict(zip(fields, values, strict=True)))


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
        self.pruned = {first: [first, last, before, link]
                       for first, last, before, link in head.pruned}
        self.times: dict[dt.datetime, str] = {}

    def problem(self, message: str, row: _Row | None = None, seq: int | None = None) -> None:
        self.report.problems.append(Problem(
            self.community, message, row.log if row else "", row.pk if row else None,
            row.time if row else None, row.seq if row else seq))

    # What each break is called; ``_Mend`` also mends it.

    def beyond(self, row: _Row) -> None:
        self.problem("it lies beyond the chain's head: inserted outside the audit code", row)

    def gap(self, first: int, end: int, before: str | None, after: str,
            row: _Row | None) -> None:
        """Places ``first``..``end - 1`` are missing between links ``before`` and ``after``;
        ``row`` is the row after them (None: they were the chain's newest)."""
        if row is None:
            self.problem(f"{self._missing(first, end)}: the newest rows were deleted",
                         seq=first)
        else:
            self.problem(f"{self._missing(first, end)}: deleted", row)

    def intruder(self, row: _Row, real: _Row) -> None:
        self.problem(f"place {row.seq} belongs to {real.name()}; this row was inserted", row)

    def edited(self, row: _Row) -> None:
        self.problem("its content does not match its hash: edited after it was written, or "
                     "forged", row)

    def unlinked(self, row: _Row) -> None:
        self.problem("it does not follow the row before it (its previous hash differs): that "
                     "row was replaced or this one inserted", row)

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
            if record is not None and record[1] < until and (
                self.link is None or record[2] == self.link
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
        where = ("" if first != follows else f" after {self.last.name()}" if self.last
                 else " at the start of the chain")
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
        real = next((r for r in sealed if self.link is None or r.prev == self.link),
                    sealed[0] if sealed else group[0])
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
        report.problems.append(Problem(
            head.community_id, "the chain's head does not match its seal: edited"))
    _walk(_Walk(head, report, keys))
    return report


def lock_heads(communities: Iterable[int]) -> dict[int, AuditChain]:
    """The existing heads of these chains, locked until the transaction ends, taken in the
    order writers take them (``_lock``) so that no two lockers wait for each other."""
    _check_transaction()
    return {h.community_id: h for h in AuditChain.objects.select_for_update()
            .filter(community_id__in=sorted(set(communities))).order_by("community_id")}


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
        found.update(c or GLOBAL for c in rows.values_list("community_id", flat=True)
                     .distinct())
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
    heads = AuditChain.objects.order_by("community_id")
    if community is not None:
        heads = heads.filter(community_id=community)
    heads = list(heads)
    for orphan in sorted(_communities_with_rows(community) - {h.community_id for h in heads}):
        found = _walk_locked(orphan, keys)
        if found is None:
            report.problems.append(Problem(
                orphan, "rows exist but the chain's head is missing: it was deleted"))
        else:
            report.add(found)
    if community is None:
        started = next((h.chains for h in heads if h.community_id == GLOBAL), 0)
        kept = sum(1 for h in heads if h.community_id != GLOBAL)
        if kept < started:
            report.problems.append(Problem(
                GLOBAL, f"{started - kept} community chain(s) were started but their heads "
                        "are gone: a community's whole trail was deleted"))
    for head in heads:
        found = _walk_chain(head, keys)
        if not found.intact:
            found = _walk_locked(head.community_id, keys) or found
        report.add(found)
    return report


# --- Sealing again under the current key (a key rotation) ------------------------------------


def _update(model: type[ChainedLog], columns: Sequence[str], rows: list[list[Any]]) -> None:
    """One UPDATE per row through executemany: ``rows`` hold the columns' values, then the
    primary key."""
    quote = connection.ops.quote_name
    meta = model._meta
    sql = (f"UPDATE {quote(meta.db_table)} SET "  # noqa: S608 - names quoted, values bound
           + ", ".join(f"{quote(meta.get_field(c).column)} = %s" for c in columns)
           + f" WHERE {quote(meta.pk.column)} = %s")
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def chain_size(community: int) -> int:
    """The rows of a chain, both logs."""
    return sum(_rows(log, community).count() for log in MODELS)


@dataclass
class RekeyBatch:
    """What one call of ``rekey_rows`` checked and did."""

    checked: int = 0
    #: Rows sealed again under the current key (in a dry run: that would be).
    rekeyed: int = 0
    #: Rows no listed key verifies (changed since the chains were checked): left alone.
    broken: list[Problem] = field(default_factory=list)
    #: Where the next batch starts (place, id); None once the log's rows are all seen.
    after: tuple[int, int] | None = None


def rekey_rows(log: str, community: int, after: tuple[int, int] = (0, 0), *, size: int,
               dry_run: bool = False) -> RekeyBatch:
    """Seal again under the current key the rows of one log of one chain, up to ``size``
    from (place, id) ``after`` on, that a retired key sealed; rows already under the current
    key are left as they are, so a second run only finishes what the first began.

    Call inside the transaction that holds the chain's head (``lock_heads``), except in a
    dry run, which only counts. No link changes: the row's hash becomes its
    ``chain_original`` (a row the system had rewritten keeps its own), and the new seal
    covers the same content with the rotation's mark."""
    if not dry_run:
        _check_transaction()
    keys = _keys()
    seq, pk = after
    rows = (_rows(log, community).filter(Q(chain_seq__gt=seq) | Q(chain_seq=seq, pk__gt=pk))
            .order_by("chain_seq", "pk"))
    if not dry_run and connection.features.has_select_for_update:
        # PostgreSQL: a retention scrub of one of these rows (which takes no head lock)
        # waits for the batch rather than crossing it.
        rows = rows.select_for_update()
    batch = RekeyBatch()
    updates: list[list[Any]] = []
    times: dict[dt.datetime, str] = {}
    for row in _as_rows(log, rows[:size]):
        batch.checked += 1
        batch.after = (row.seq, row.pk)
        which = _sealed_by(row.message(times), row.hash, keys)
        if which == 0:
            continue
        if which is None:
            batch.broken.append(Problem(
                community, "its content does not match its hash (changed since the chains "
                           "were checked): left as it is", log, row.pk, row.time, row.seq))
            continue
        original = row.link
        mark = row.mark if (row.mark or row.original) else REKEY
        updates.append([_hash(keys[0], row.message(times, original=original, mark=mark)),
                        original, mark, row.pk])
    batch.rekeyed = len(updates)
    if batch.checked < size:
        batch.after = None
    if updates and not dry_run:
        _update(MODELS[log], ["chain_hash", "chain_original", "chain_reseal"], updates)
    return batch


def rekey_head(community: int, *, dry_run: bool = False) -> bool | None:
    """Seal a chain's head again under the current key if a retired key sealed it. True if
    it was (in a dry run: would be), False if there was nothing to do, None if no listed
    key verifies it (left as it is). Call inside a transaction, except in a dry run."""
    if dry_run:
        head = AuditChain.objects.filter(community_id=community).first()
    else:
        head = lock_heads([community]).get(community)
    if head is None:
        return False
    which = _sealed_by(_head_message(head), head.seal, _keys())
    if which is None or which == 0:
        return None if which is None else False
    if not dry_run:
        _save_head(head, [])
    return True


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

    def gap(self, first: int, end: int, before: str | None, after: str,
            row: _Row | None) -> None:
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
        return {"community": self.community, "problem_count": len(self.problems),
                "problems": [str(p) for p in self.problems[:limit]],
                "rows_sealed_as_found": self.rows, "places_bridged": self.bridged,
                "rows_moved": self.moved}


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
        counter = AuditChain.objects.get(community_id=GLOBAL)
        kept = AuditChain.objects.exclude(community_id=GLOBAL).count()
        if counter.chains > kept:
            mending.problems.append(Problem(GLOBAL, f"{counter.chains - kept} community "
                                    "chain(s) were started but their heads are gone"))
            counter.chains = kept
            _save_head(counter, ["chains"])
    if not mending.problems:
        return mending
    head = _lock([community])[community]  # a deleted head is made again, and counted
    last = max((_rows(log, community).aggregate(last=models.Max("chain_seq"))["last"] or 0
                for log in MODELS), default=0)
    # Rows past the head (inserted, or appended before the head was wound back) become part
    # of the chain: the walk sees a head that reaches them.
    reach = AuditChain(community_id=community, seq=max(head.seq, last), head=head.head,
                       pruned=head.pruned)
    plan = _Mend(reach, Report(), keys)
    _walk(plan)
    times: dict[dt.datetime, str] = {}
    for log in MODELS:
        _update(MODELS[log], ["chain_hash", "chain_prev", "chain_original", "chain_reseal"], [
            [_hash(keys[0], row.message(times, prev=prev, original=row.link, mark=MEND)),
             prev, row.link, MEND, row.pk]
            for (row_log, _pk), (row, prev) in plan.rewrites.items() if row_log == log])
    mending.rows = len(plan.rewrites)
    bridged = [r for r in head.pruned
               if not any(b[0] <= r[0] <= b[1] for b in plan.bridges)]
    head.pruned = _merge([*bridged, *[list(b) for b in plan.bridges]])
    mending.bridged = sum(b[1] - b[0] + 1 for b in plan.bridges)
    head.seq = reach.seq
    if plan.head_link is not None:
        head.head = plan.head_link
    for row in plan.moved:
        head.seq += 1
        _update(MODELS[row.log],
                ["chain_seq", "chain_hash", "chain_prev", "chain_original", "chain_reseal"],
                [[head.seq, _hash(keys[0], row.message(times, seq=head.seq, prev=head.head,
                                                       original=row.link, mark=MEND)),
                  head.head, row.link, MEND, row.pk]])
        head.head = row.link
    mending.moved = len(plan.moved)
    _save_head(head, ["seq", "head", "pruned"])
    left = verify(community, retired_keys=True).problems
    if left:
        raise RuntimeError(f"mending community {community}'s chain left it broken: "
                           + "; ".join(map(str, left[:5])))
    return mending
