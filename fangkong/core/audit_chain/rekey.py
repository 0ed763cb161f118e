"""Sealing the chains again under the current key, in batches (a key rotation)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Q

from fangkong.core.audit_chain.sealing import (
    MODELS,
    REKEY,
    _check_transaction,
    _hash,
    _head_message,
    _keys,
    _save_head,
)
from fangkong.core.audit_chain.verify import Problem, _as_rows, _rows, _sealed_by, lock_heads
from fangkong.core.bulk import column_of, concrete_field
from fangkong.core.models import AuditChain, ChainedLog

# --- Sealing again under the current key (a key rotation) ------------------------------------


def _update(model: type[ChainedLog], columns: Sequence[str], rows: list[list[Any]]) -> None:
    """One UPDATE per row through executemany: ``rows`` hold the columns' values, then the
    primary key."""
    quote = connection.ops.quote_name
    meta = model._meta
    sql = (
        f"UPDATE {quote(meta.db_table)} SET "  # noqa: S608 - names quoted, values bound
        + ", ".join(f"{quote(column_of(concrete_field(model, c)))} = %s" for c in columns)
        + f" WHERE {quote(column_of(concrete_field(model)))} = %s"
    )
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


def rekey_rows(
    log: str, community: int, after: tuple[int, int] = (0, 0), *, size: int, dry_run: bool = False
) -> RekeyBatch:
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
    rows = (
        _rows(log, community)
        .filter(Q(chain_seq__gt=seq) | Q(chain_seq=seq, pk__gt=pk))
        .order_by("chain_seq", "pk")
    )
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
            batch.broken.append(
                Problem(
                    community,
                    "its content does not match its hash (changed since the chains "
                    "were checked): left as it is",
                    log,
                    row.pk,
                    row.time,
                    row.seq,
                )
            )
            continue
        original = row.link
        mark = row.mark if (row.mark or row.original) else REKEY
        updates.append(
            [
                _hash(keys[0], row.message(times, original=original, mark=mark)),
                original,
                mark,
                row.pk,
            ]
        )
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
