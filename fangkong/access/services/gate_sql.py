"""The scan's one read and one write, in plain SQL written once per process.

The hot path of ``scans.record_scan``: nothing else belongs here."""

from __future__ import annotations

import datetime as dt
import weakref
from contextlib import nullcontext
from functools import cache
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction

from fangkong.access.choices import Direction
from fangkong.access.models import GateEvent, Pass, PassPolicy
from fangkong.access.services.gates import SCAN_FIELDS, pass_lookup
from fangkong.areas.models import Area
from fangkong.core.bulk import insert_statement, prepared_values
from fangkong.core.db import prepared_cursor
from fangkong.staff.models import Checkpoint

# --- The scan's one read --------------------------------------------------------------------
# A scan is the busiest request there is (hundreds a day at every gate, in bursts), and the
# ORM's cost of building its queries was most of a scan's time. So the gate, its community,
# the community's policy, the pass and the household's recent exits come in one statement,
# written once per process (plain SQL that SQLite and PostgreSQL both run), and its values
# are converted by the fields' own database converters, as the ORM would.

#: What the read takes of each model (any order: it is put in the models' field order).
_GATE_READ = (
    (Checkpoint, "cp", ("id", "community_id", "is_open", "opens", "closes")),
    (Area, "a", ("id", "path", "time_zone", "fever_threshold")),
    (
        PassPolicy,
        "pol",
        ("id", "community_id", "outings", "window_days", "max_minutes", "pass_scope"),
    ),
    (Pass, "p", SCAN_FIELDS),
)
#: Exits older than this are never in a window (at most 31 calendar days, in any zone).
EXITS_REACH = dt.timedelta(days=33)


@cache
def _gate_read_columns() -> tuple[tuple[type[models.Model], str, tuple[Any, ...]], ...]:
    return tuple(
        (model, alias, tuple(f for f in model._meta.concrete_fields if f.attname in names))
        for model, alias, names in _GATE_READ
    )


@cache
def _gate_read_sql(vendor: str, lookup: str) -> str:
    """The read, for a pass looked up by ``lookup`` (nonce or serial). Parameters: the exit
    direction, the exits' first and last time, the pass's nonce or serial, the gate's id."""
    qn = connection.ops.quote_name
    columns = ", ".join(
        f"{alias}.{qn(f.column)}" for _model, alias, fields in _gate_read_columns() for f in fields
    )
    if vendor == "postgresql":
        # UTC ISO 8601 text whatever the server's DateStyle (SQLite stores it so already).
        exits = """STRING_AGG(to_char(e."time" AT TIME ZONE 'UTC',
                                      'YYYY-MM-DD"T"HH24:MI:SS.US'), ',')"""
    else:
        exits = """GROUP_CONCAT(e."time", ',')"""
    return f"""
        SELECT {columns},
               (SELECT {exits} FROM access_gateevent e
                 WHERE e.household_id = p.household_id AND e.direction = %s AND e.passed
                   AND e."time" >= %s AND e."time" <= %s)
          FROM staff_checkpoint cp
         INNER JOIN areas_area a ON a.id = cp.community_id
          LEFT JOIN access_passpolicy pol ON pol.community_id = cp.community_id
          LEFT JOIN access_pass p ON p.community_id = cp.community_id AND p.{lookup} = %s
         WHERE cp.id = %s"""  # noqa: S608 (names from this module only; values are parameters)


#: Per connection (they may depend on its settings): for each model of the read, the fields'
#: attnames and, per field, the converters the ORM would apply to its column.
_readers: weakref.WeakKeyDictionary[Any, tuple[Any, ...]] = weakref.WeakKeyDictionary()


def _row_readers(db: Any) -> tuple[Any, ...]:
    if db not in _readers:
        readers = []
        for model, _alias, fields in _gate_read_columns():
            converters = []
            for field in fields:
                col = field.get_col(model._meta.db_table)
                converters.append(
                    [(c, col) for c in (db.ops.get_db_converters(col) + col.get_db_converters(db))]
                )
            readers.append((model, [f.attname for f in fields], converters))
        _readers[db] = tuple(readers)
    return _readers[db]


def _from_row(
    db: Any,
    model: type[models.Model],
    attnames: list[str],
    converters: list[Any],
    values: tuple[Any, ...],
) -> Any:
    """A model instance from the read's values, converted as the ORM converts them; the
    fields not read are deferred (loaded if ever asked for), as with ``only()``."""
    converted = list(values)
    for i, column in enumerate(converters):
        for converter, col in column:
            converted[i] = converter(converted[i], col, db)
    return model.from_db(db.alias, attnames, converted)


def _utc_times(text: str | None) -> tuple[dt.datetime, ...]:
    """The read's exit times (comma-separated UTC ISO text) as aware datetimes."""
    if not text:
        return ()
    return tuple(dt.datetime.fromisoformat(t).replace(tzinfo=dt.UTC) for t in text.split(","))


def read_gate(
    checkpoint: Checkpoint | int, code: str, at: dt.datetime
) -> tuple[Checkpoint | None, Pass | None]:
    """The gate (with its ``community`` and ``scan_policy``) and the pass the code names in
    its community (with ``recent_exits``: ``at`` and the household's allowed exits in the
    33 days before it), in one statement. (None, None) when there is no such gate."""
    db = connections[DEFAULT_DB_ALIAS]
    pk = checkpoint if isinstance(checkpoint, int) else checkpoint.pk
    lookup = pass_lookup(code) or ("nonce", None)  # NULL matches no pass
    adapt = db.ops.adapt_datetimefield_value
    with prepared_cursor() as cursor:  # planned once per connection (PostgreSQL)
        cursor.execute(
            _gate_read_sql(db.vendor, lookup[0]),
            [Direction.OUT.value, adapt(at - EXITS_REACH), adapt(at), lookup[1], pk],
        )
        row = cursor.fetchone()
    if row is None:
        return None, None
    found, start = [], 0
    for model, attnames, converters in _row_readers(db):
        values = row[start : start + len(attnames)]
        start += len(attnames)
        # A LEFT JOIN that found nothing (no policy row, no such pass) gives a NULL id.
        found.append(
            _from_row(db, model, attnames, converters, values) if values[0] is not None else None
        )
    gate, community, policy, item = found
    if gate is None:  # the row is the gate's own: its id is never NULL
        raise ValueError(f"gate {pk} read without its id")
    gate.community = community
    gate.scan_policy = policy or PassPolicy(community_id=gate.community_id)
    if item is not None:
        item.recent_exits = (at, _utc_times(row[start]))
    return gate, item


@cache
def _household_lock_sql(lookup: str) -> str:
    """Lock the household of the pass a code names (nonce or serial), in the gate's
    community, until the transaction ends. Parameters: the gate's id, the nonce or serial."""
    return f"""
        SELECT pg_advisory_xact_lock(p.household_id)
          FROM access_pass p
         INNER JOIN staff_checkpoint cp ON cp.community_id = p.community_id
         WHERE cp.id = %s AND p.{lookup} = %s"""  # noqa: S608 (lookup: nonce or serial)


def lock_household(checkpoint: Checkpoint | int, code: str) -> None:
    """PostgreSQL: take the transaction-level advisory lock keyed by the household's id
    (the only advisory locks fangkong takes), before the scan's read. A code that names no
    pass here locks nothing: there is no quota to spend."""
    db = connections[DEFAULT_DB_ALIAS]
    lookup = pass_lookup(code)
    if db.vendor != "postgresql" or lookup is None:
        return
    pk = checkpoint if isinstance(checkpoint, int) else checkpoint.pk
    with prepared_cursor() as cursor:  # planned once per connection
        cursor.execute(_household_lock_sql(lookup[0]), [pk, lookup[1]])


@cache
def _event_insert(vendor: str, moving: bool, relaxed: bool) -> tuple[str, tuple[Any, ...]]:
    """The gate event's INSERT (every column but the id, which it returns first), and its
    fields. On PostgreSQL a moving pass's ``out_since`` is set by the same statement
    (parameters first: the new ``out_since`` and the pass's id), and a ``relaxed`` one sets
    ``synchronous_commit`` off for its own transaction (``set_config(..., true)``, read
    in RETURNING so that it runs before the commit)."""
    ctes, returning = [], "id"
    if moving and vendor == "postgresql":
        ctes.append("moved AS (UPDATE access_pass SET out_since = %s WHERE id = %s)")
    if relaxed and vendor == "postgresql":
        ctes.append("relaxed AS (SELECT set_config('synchronous_commit', 'off', true) AS v)")
        returning = "id, (SELECT v FROM relaxed)"
    with_clause = f"WITH {', '.join(ctes)} " if ctes else ""
    return insert_statement(GateEvent, prefix=with_clause, returning=returning)


def write_scan(
    event: GateEvent, moved: Pass | None, out_since: dt.datetime | None, *, may_relax: bool
) -> None:
    """Insert the event as ``event.save(force_insert=True)`` would (each field prepared by
    the field itself, ``auto_now`` included) and, if the pass ``moved``, set its
    ``out_since``: all or nothing. A duplicate ``client_event_id`` raises IntegrityError.

    From a statement written once per process: on PostgreSQL one statement, so one round
    trip and one commit; on SQLite two, inside the scan's transaction. Gate events have no
    signal receivers and are written here only.

    With ``FANGKONG_GATE_ASYNC_COMMIT`` on (PostgreSQL, off by default) the statement also
    sets ``synchronous_commit`` off for its own transaction (the scan's, ``may_relax``): it
    commits without waiting for its WAL to reach the disk (see docs/configuration.md).
    Inside a caller's transaction it never does: that transaction's durability is the
    caller's.
    """
    db = connections[DEFAULT_DB_ALIAS]
    postgres = db.vendor == "postgresql"
    relaxed = postgres and settings.GATE_ASYNC_COMMIT and may_relax
    sql, fields = _event_insert(db.vendor, moved is not None, relaxed)
    values = prepared_values(event, fields)
    if moved is not None and postgres:
        prep = Pass._meta.get_field("out_since").get_db_prep_save(out_since, db)
        values = [prep, moved.pk, *values]
    two_statements = moved is not None and not postgres
    with (
        transaction.atomic() if two_statements and not db.in_atomic_block else nullcontext(),
        prepared_cursor() as cursor,
    ):
        cursor.execute(sql, values)
        event.pk = cursor.fetchone()[0]
        if two_statements and moved is not None:  # two_statements only when it moved
            Pass.objects.filter(pk=moved.pk).update(out_since=out_since)
    event._state.adding, event._state.db = False, db.alias
    if moved is not None:
        moved.out_since = out_since
