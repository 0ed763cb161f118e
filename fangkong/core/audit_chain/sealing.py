"""Sealing audit rows into their community's chain: the keys and hashes, appending, deleting
on purpose (see the package's docstring)."""

from __future__ import annotations

import datetime as dt
import functools
import hmac
import itertools
import json
import operator
from collections.abc import Iterable, Sequence
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet

from fangkong.core.choices import ChainReseal
from fangkong.core.models import AccessEvent, AuditChain, ChainedLog, ObjectChange
from fangkong.core.personal_data import derive_key

#: Version of the canonical form; part of every hash, so a future format can coexist.
FORMAT = 1
GLOBAL = 0
CHANGE, ACCESS = ObjectChange.chain_log, AccessEvent.chain_log
#: Both logs, by name (typed as the two, which have the ``community_id`` the base lacks).
MODELS: dict[str, type[ObjectChange] | type[AccessEvent]] = {
    CHANGE: ObjectChange,
    ACCESS: AccessEvent,
}
#: Rows of one of the logs.
type LogRows = QuerySet[ObjectChange] | QuerySet[AccessEvent]
#: The columns the hash covers, per log, in canonical order (``time`` first). The primary
#: key is not among them: rows are hashed before INSERT gives them one; the place is.
FIELDS: dict[str, tuple[str, ...]] = {
    CHANGE: (
        "time",
        "actor_id",
        "actor_name",
        "request_id",
        "action",
        "content_type_id",
        "object_id",
        "object_repr",
        "area_path",
        "community_id",
        "person_id",
        "before",
        "after",
    ),
    ACCESS: (
        "time",
        "actor_id",
        "actor_name",
        "request_id",
        "kind",
        "content_type_id",
        "object_id",
        "object_repr",
        "area_path",
        "community_id",
        "person_id",
        "reason",
        "detail",
    ),
}
CHAIN_FIELDS = ("chain_seq", "chain_prev", "chain_hash", "chain_original", "chain_reseal")
#: What ``reseal()`` changes: the fields to save after it.
RESEAL_FIELDS = ["chain_hash", "chain_original", "chain_reseal"]
REKEY, MEND = ChainReseal.REKEY.value, ChainReseal.MEND.value


# --- Keys and hashes ---------------------------------------------------------------------------


@functools.cache
def _derived(current: str, retired: tuple[str, ...]) -> tuple[bytes, ...]:
    return tuple(derive_key(key, b"audit-chain") for key in (current, *retired))


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


def _message(
    log: str, seq: int, prev: str, original: str, values: list[Any], mark: str = ""
) -> bytes:
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
    return json.dumps(
        ["head", FORMAT, head.community_id, head.seq, head.head, head.pruned, head.chains],
        separators=(",", ":"),
    ).encode()


def _seal_head(head: AuditChain) -> None:
    head.seal = _hash(_keys()[0], _head_message(head))


def link_of(row: Any) -> str:
    """What the next row's ``chain_prev`` must hold: the hash the row was first given."""
    link: str = row.chain_original or row.chain_hash
    return link


# --- Appending ---------------------------------------------------------------------------------


def _lock(communities: list[int]) -> dict[int, AuditChain]:
    """The heads of these chains, locked until the transaction ends (created if new)."""
    # In key order: two writers locking the same chains take them in the same order.
    heads = {
        h.community_id: h
        for h in AuditChain.objects.select_for_update()
        .filter(community_id__in=communities)
        .order_by("community_id")
    }
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
        community_id=community, defaults={"seal": fresh.seal}
    )


def _save_head(head: AuditChain, fields: list[str]) -> None:
    _seal_head(head)
    AuditChain.objects.filter(pk=head.pk).update(
        **{name: getattr(head, name) for name in [*fields, "seal"]}
    )


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
                key, _message(log, seq, link, "", _values(log, row, times))
            )
        head.seq, head.head = seq, link
        _save_head(head, ["seq", "head"])


def _as_row(obj: ChainedLog) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in (*FIELDS[obj.chain_log], *CHAIN_FIELDS)}


def seal_objects(objs: Iterable[ChainedLog]) -> None:
    """``seal()`` for model instances about to be saved (``save()``, ``bulk_create()``)."""
    for log, members in itertools.groupby(objs, key=lambda o: o.chain_log):
        listed = list(members)
        rows = [_as_row(obj) for obj in listed]
        seal(log, rows)
        for obj, row in zip(listed, rows, strict=True):
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
    obj.chain_hash = _hash(
        _keys()[0],
        _message(
            obj.chain_log,
            obj.chain_seq,
            obj.chain_prev,
            original,
            _values(obj.chain_log, _as_row(obj), {}),
        ),
    )
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


def record_removal(rows: LogRows) -> int:
    """Before deleting these audit rows on purpose, record their places as pruned in their
    chains' heads (same transaction). Returns the number of rows recorded."""
    _check_transaction()
    places = rows.order_by("community_id", "chain_seq").values_list(
        "community_id", "chain_seq", "chain_prev", "chain_hash", "chain_original"
    )
    runs: dict[int, list[list[Any]]] = {}
    count = 0
    for community, seq, prev, hash_, original in places:
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


def delete_rows(queryset: LogRows) -> int:
    """Delete audit rows on purpose (a demo reset), recording them as pruned."""
    if not record_removal(queryset):
        return 0
    _deleted, per_model = queryset.delete()
    return per_model.get(queryset.model._meta.label, 0)
