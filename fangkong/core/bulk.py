"""The one raw bulk writer: many rows of one model, without the ORM's per-value machinery.

Used wherever rows come by the thousand: the resident import (``registry.bulk``), a
screening campaign's start, the demo (``core.demo`` and the apps' ``demo.py``), the audit
rows of all of them (``core.audit.record_changes_in_bulk``), and the statement of a gate
scan (``insert_statement``, ``prepared_values``).

Why not ``bulk_create``: profiling the import showed Django's insert compiler spending
~15 µs on each value (placeholders, expressions, generic preparation), and keyword
construction of a 26-column model ~40 µs: most of an import, of a campaign start (67 s
for a district of 285,150 households against 1.7 s bare, bench/screening.py) and of the
demo's seeding. Here each column's conversion is chosen once per writer: dates, times and
JSON through the backend's own adapters when the value is of the plain type (else the
field's ``get_db_prep_save``), text, numbers and foreign keys as they are, ``auto_now``
columns one moment for the writer. The values written are those ``bulk_create`` would
write. No signals are sent, as with ``bulk_create``; placement (a copied community and
grid, ``core.placement``) is the caller's, or ``insert_objects``/``insert_values``'s.

Works on SQLite and PostgreSQL alike: keys come back from ``RETURNING`` in insertion order
(what ``bulk_create`` relies on on both).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import operator
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models.fields.related import RelatedField
from django.utils import timezone

from fangkong.core.placement import place, place_values

#: Rows per statement at most (fewer when the backend's parameter limit says so).
BATCH_SIZE = 1000

#: Field types whose Python values the driver takes as they are.
_PLAIN_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "SmallAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "EmailField",
        "FloatField",
        "IntegerField",
        "PositiveBigIntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SlugField",
        "SmallIntegerField",
        "TextField",
        "URLField",
    }
)
_MISSING = object()


def concrete_field(model: type[models.Model], name: str | None = None) -> models.Field[Any, Any]:
    """``model``'s field ``name`` (its primary key without one) that has a column, for SQL
    written by hand: a reverse relation, or a field without a column, is a mistake there."""
    opts = model._meta
    field = opts.pk if name is None else opts.get_field(name)
    if not isinstance(field, models.Field) or field.column is None:
        raise TypeError(f"{opts.label}.{name or 'pk'} has no column")
    return field


def column_of(field: models.Field[Any, Any]) -> str:
    """The column of a concrete field (one of ``concrete_fields``, or ``concrete_field()``'s)."""
    if field.column is None:
        raise TypeError(f"{field} has no column")
    return field.column


def insert_fields(model: type[models.Model]) -> tuple[models.Field[Any, Any], ...]:
    """The columns an INSERT of ``model`` writes: every concrete one but the primary key."""
    return tuple(f for f in model._meta.concrete_fields if not f.primary_key)


def insert_statement(
    model: type[models.Model],
    *,
    prefix: str = "",
    returning: str = "",
    using: str = DEFAULT_DB_ALIAS,
) -> tuple[str, tuple[models.Field[Any, Any], ...]]:
    """One row's INSERT of ``model`` (every column of ``insert_fields``, in that order) and
    those fields. ``prefix`` goes before it (a ``WITH`` clause), ``returning`` after
    ``RETURNING`` (default: the primary key). Only quoted names go into the SQL."""
    qn = connections[using].ops.quote_name
    fields = insert_fields(model)
    returning = returning or qn(column_of(concrete_field(model)))
    sql = (
        f"{prefix}INSERT INTO {qn(model._meta.db_table)} "  # noqa: S608 - names quoted
        f"({', '.join(qn(column_of(f)) for f in fields)}) "
        f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING {returning}"
    )
    return sql, fields


def prepared_values(
    obj: models.Model, fields: Iterable[models.Field[Any, Any]], using: str = DEFAULT_DB_ALIAS
) -> list[Any]:
    """One instance's values as ``obj.save(force_insert=True)`` prepares them (``auto_now``
    set on ``obj`` too): for a single row, where a writer's plan would not pay off."""
    db = connections[using]
    return [f.get_db_prep_save(f.pre_save(obj, True), db) for f in fields]


class BulkWriter:
    """INSERTs and UPDATEs of many rows of one model (see the module's notes).

    ``insert`` takes instances and sets their keys; ``insert_values`` takes dicts of
    attribute values and returns their keys; ``insert_rows`` the same without keys (one
    prepared statement run for every row); ``insert_like`` rows differing from a template
    instance in a few columns; ``update`` sets some columns of instances.
    """

    def __init__(
        self,
        model: type[models.Model],
        now: dt.datetime | None = None,
        using: str = DEFAULT_DB_ALIAS,
    ) -> None:
        self.model = model
        self.using = using
        self.connection = connections[using]
        self.fields = insert_fields(model)
        self.now = timezone.now() if now is None else now
        ops = self.connection.ops
        self.table = ops.quote_name(model._meta.db_table)
        self.pk = ops.quote_name(column_of(concrete_field(model)))
        self.columns = ", ".join(ops.quote_name(column_of(f)) for f in self.fields)
        self.row_sql = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        self.attnames = [f.attname for f in self.fields]
        self.known = {*self.attnames, model._meta.pk.attname}
        plan = [self._plan(f) for f in self.fields]
        self.attrs = operator.attrgetter(*self.attnames)
        self.items = operator.itemgetter(*self.attnames)
        self.converted = [
            (i, c) for i, (c, k) in enumerate(plan) if c is not None and k is _MISSING
        ]
        self.constants = [(i, k) for i, (_c, k) in enumerate(plan) if k is not _MISSING]
        # PostgreSQL states no limit but its protocol carries at most 65,535 parameters.
        limit = self.connection.features.max_query_params or 65535
        self.batch = max(1, min(BATCH_SIZE, limit // len(self.fields)))

    # --- Planning: one conversion per column ---

    def _plan(self, f: Any) -> tuple[Callable[[Any], Any] | None, Any]:
        """(converter or None, constant or _MISSING) of a column."""
        ops, connection = self.connection.ops, self.connection
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            return None, f.get_db_prep_save(self.now, connection)
        target = f
        while target.is_relation:  # a foreign key holds its target's value
            target = target.target_field
        kind = target.get_internal_type()
        if kind in _PLAIN_TYPES:
            return None, _MISSING
        prep = functools.partial(f.get_db_prep_save, connection=connection)
        if kind == "DateTimeField" and not f.is_relation:
            aware = settings.USE_TZ
            adapt = ops.adapt_datetimefield_value

            def convert_datetime(v: Any) -> Any:
                # What get_prep_value leaves alone goes straight to the adapter.
                if type(v) is dt.datetime and (v.tzinfo is not None or not aware):
                    return adapt(v)
                return prep(v)

            # Rows share their moments (the audit rows' time is the run's): once each.
            return functools.lru_cache(maxsize=256)(convert_datetime), _MISSING
        if kind == "DateField" and not f.is_relation:
            adapt_date = ops.adapt_datefield_value
            return (lambda v: adapt_date(v) if type(v) is dt.date else prep(v)), _MISSING
        if kind == "JSONField":
            # JSONField.get_db_prep_save for plain values: None is SQL NULL, a dict or list
            # the backend's JSON adapter (the layers between cost more than the encoding).
            adapt_json, encoder = ops.adapt_json_value, f.encoder
            return (
                lambda v: (
                    None
                    if v is None
                    else adapt_json(v, encoder)
                    if type(v) in (dict, list)
                    else prep(v)
                )
            ), _MISSING
        return prep, _MISSING  # anything else (decimals, times, UUIDs…) the field's own way

    def _values(self, raw: Sequence[Any]) -> list[Any]:
        values = list(raw)
        for i, convert in self.converted:
            values[i] = convert(values[i])
        for i, constant in self.constants:
            values[i] = constant
        return values

    def _row_values(self, row: dict[str, Any]) -> list[Any]:
        """A dict's values, columns it leaves out taking the field's default (as ``Model()``
        would): read in one C call when the row has every column."""
        try:
            return self._values(self.items(row))
        except KeyError:
            return self._values(
                [
                    row[a] if a in row else f.get_default()
                    for a, f in zip(self.attnames, self.fields, strict=True)
                ]
            )

    def _check_columns(self, rows: Sequence[dict[str, Any]]) -> None:
        if unknown := set().union(*rows) - self.known:
            raise TypeError(f"{self.model._meta.label} has no columns {sorted(unknown)}")

    # --- Writing ---

    def _insert_returning(self, params_of_rows: Iterable[list[Any]], count: int) -> list[Any]:
        """Multi-row INSERTs of prepared rows, in batches; the keys, in order."""
        keys: list[Any] = []
        rows = iter(params_of_rows)
        with self.connection.cursor() as cursor:
            for start in range(0, count, self.batch):
                size = min(self.batch, count - start)
                params: list[Any] = []
                for _ in range(size):
                    params.extend(next(rows))
                cursor.execute(
                    f"INSERT INTO {self.table} ({self.columns}) "  # noqa: S608 - names quoted
                    f"VALUES {', '.join([self.row_sql] * size)} RETURNING {self.pk}",
                    params,
                )
                returned = [key for (key,) in cursor.fetchall()]
                if len(returned) != size:
                    raise RuntimeError("the database returned fewer keys than rows inserted")
                keys.extend(returned)
        return keys

    def insert(self, objs: Sequence[Any]) -> None:
        """Insert new instances (``bulk_create``'s rows); sets their keys and ``auto_now``
        attributes, and foreign keys assigned as objects saved after the assignment."""
        if not objs:
            return
        for f in self.fields:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                for obj in objs:
                    setattr(obj, f.attname, self.now)
            elif isinstance(f, RelatedField):  # the concrete relations: foreign keys
                for obj in objs:
                    if getattr(obj, f.attname) is None and f.is_cached(obj):
                        related = f.get_cached_value(obj)
                        if related is not None:
                            setattr(obj, f.attname, related.pk)
        keys = self._insert_returning((self._values(self.attrs(obj)) for obj in objs), len(objs))
        for obj, key in zip(objs, keys, strict=True):
            obj.pk = key
            obj._state.adding = False
            obj._state.db = self.using

    def insert_values(self, rows: Sequence[dict[str, Any]]) -> list[Any]:
        """Insert dicts of attribute values (left-out columns take their defaults); their
        primary keys, in order."""
        if not rows:
            return []
        self._check_columns(rows)
        return self._insert_returning((self._row_values(row) for row in rows), len(rows))

    def insert_rows(self, rows: Sequence[dict[str, Any]]) -> None:
        """``insert_values`` without the keys: one prepared statement run for every row."""
        if not rows:
            return
        self._check_columns(rows)
        with self.connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {self.table} ({self.columns}) VALUES {self.row_sql}",  # noqa: S608
                [self._row_values(row) for row in rows],
            )

    def insert_like(
        self,
        template: models.Model,
        varying: Sequence[str],
        rows: Sequence[Sequence[Any]],
        batch: int = BATCH_SIZE,
    ) -> None:
        """Insert rows that are ``template`` but for the ``varying`` columns (attribute
        names), whose values each row gives in that order (no keys returned).

        The template's values are prepared once; a row costs a list copy. For rows that
        differ in a few integers (a campaign's assignments, by the hundred thousand)."""
        if not rows:
            return
        base = self._values(self.attrs(template))
        positions = [self.attnames.index(name) for name in varying]
        converters = {i: c for i, c in self.converted if i in positions}
        sql = f"INSERT INTO {self.table} ({self.columns}) VALUES {self.row_sql}"  # noqa: S608
        with self.connection.cursor() as cursor:
            for start in range(0, len(rows), batch):
                params = []
                for row in rows[start : start + batch]:
                    values = base.copy()
                    for i, value in zip(positions, row, strict=True):
                        convert = converters.get(i)
                        values[i] = value if convert is None else convert(value)
                    params.append(values)
                cursor.executemany(sql, params)

    def update(self, objs: Sequence[Any], names: Sequence[str]) -> None:
        """``bulk_update(objs, names)``: one prepared UPDATE run for every row (no CASE
        WHEN over the batch, which cost seconds for thousands of rows)."""
        if not objs:
            return
        fields = [concrete_field(self.model, name) for name in names]
        qn = self.connection.ops.quote_name
        assignments = ", ".join(f"{qn(column_of(f))} = %s" for f in fields)
        prep = [functools.partial(f.get_db_prep_save, connection=self.connection) for f in fields]
        with self.connection.cursor() as cursor:
            cursor.executemany(
                f"UPDATE {self.table} SET {assignments} WHERE {self.pk} = %s",  # noqa: S608
                [
                    [p(getattr(obj, f.attname)) for p, f in zip(prep, fields, strict=True)]
                    + [obj.pk]
                    for obj in objs
                ],
            )


def insert_objects(model: type[models.Model], objs: Iterable[Any]) -> list[Any]:
    """``bulk_create(objs)`` through a ``BulkWriter``: placed as ``bulk_create`` places
    them, keys set. New rows only."""
    objs = list(objs)
    if any(obj.pk is not None for obj in objs):
        raise ValueError("insert_objects() inserts new rows only: these have ids already")
    place(objs)
    BulkWriter(model).insert(objs)
    return objs


def insert_values(model: type[models.Model], rows: list[dict[str, Any]]) -> int:
    """Rows given as ``{attname: value}``, placed as ``bulk_create`` would place them,
    without making instances of them; how many."""
    place_values(model, rows)
    BulkWriter(model).insert_values(rows)
    return len(rows)


def update_objects(model: type[models.Model], objs: Sequence[Any], names: Sequence[str]) -> None:
    """``bulk_update(objs, names)`` through a ``BulkWriter``."""
    BulkWriter(model).update(objs, names)


@contextlib.contextmanager
def sqlite_cache(kib: int = 32 * 1024) -> Iterator[None]:
    """A larger SQLite page cache for the default connection, while it lasts.

    The default 2 MB cache spills the pages of growing indexes (ten on people, seven on the
    change log) again and again during a large import; restored afterwards.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")
