"""The parity check of every bulk writer: the change rows it wrote are the very rows
``core.audit`` writes for the same objects (``record_change``), and the rows ``core.bulk``
inserted read back as the ORM's own would. Used by the import's, the demo's and the
campaign's tests."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from django.db import connection, models

from fangkong.core import audit
from fangkong.core.choices import ChangeAction
from fangkong.core.models import ObjectChange

#: What a change row says about its object (``before`` is the caller's to check).
FIELDS = (
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
    "after",
)


def assert_changes_as_core_writes(changes: Iterable[ObjectChange], actor: Any) -> int:
    """Each change row equals the row ``core.audit`` builds for its object as it is now
    (rows superseded by a later change of the same object are skipped); how many checked."""
    changes = list(changes)
    last = {(c.content_type_id, c.object_id): c.pk for c in changes}
    checked = 0
    for change in changes:
        if last[(change.content_type_id, change.object_id)] != change.pk:
            continue  # superseded: the object has changed since
        model = change.content_type.model_class()
        obj = model.objects.get(pk=int(change.object_id))
        after = (
            None
            if change.action == ChangeAction.DELETE
            else json.loads(json.dumps(obj.audit_snapshot()))
        )
        expected = audit._change_row(change.action, obj, None, after, actor)
        ours = {f: _instants(getattr(change, f)) for f in FIELDS}
        core = {f: _instants(getattr(expected, f)) for f in FIELDS}
        assert ours == core, (
            model,
            change.action,
            obj,
            {f: (ours[f], core[f]) for f in FIELDS if ours[f] != core[f]},
        )
        checked += 1
    return checked


def _instants(value: Any) -> Any:
    """A snapshot with its moments as instants: an object built in memory (the demo's) is
    logged with its own time zone's offset, the same object read back with UTC's; the same
    moment either way."""
    if not isinstance(value, dict):
        return value
    moments = {}
    for name, item in value.items():
        if isinstance(item, str) and len(item) > 19 and item[10:11] == "T":
            with contextlib.suppress(ValueError):
                item = dt.datetime.fromisoformat(item)
        moments[name] = item
    return moments


def assert_rows_as_orm_writes(
    model: type[models.Model], written: models.Model, **changes: Any
) -> None:
    """A row ``core.bulk`` wrote reads back as the same row saved by the ORM would: a copy
    of it (with ``changes``, to meet unique constraints) saved with ``save()`` and read
    back has the same values in every column but the key, the changes and ``auto_now``."""
    copy = model.objects.get(pk=written.pk)
    copy.pk = None
    copy._state.adding = True
    for name, value in changes.items():
        setattr(copy, name, value)
    copy.save(force_insert=True)
    skip = {
        model._meta.pk.attname,
        *changes,
        *(
            f.attname
            for f in model._meta.concrete_fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ),
    }
    columns = [f.column for f in model._meta.concrete_fields if f.attname not in skip]
    # As stored, read past the fields' converters: a date written as other text, a JSON
    # null for SQL NULL, would differ here even where the ORM reads both back the same.
    qn = connection.ops.quote_name
    sql = (
        f"SELECT {', '.join(qn(c) for c in columns)} "  # noqa: S608 - names quoted
        f"FROM {qn(model._meta.db_table)} WHERE {qn(model._meta.pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [written.pk])
        ours = cursor.fetchone()
        cursor.execute(sql, [copy.pk])
        orm = cursor.fetchone()
    assert dict(zip(columns, ours, strict=True)) == dict(zip(columns, orm, strict=True))
