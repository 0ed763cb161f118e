"""Writing the change log and the access log. Called by service functions, never by views."""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from fangkong.core.audit_chain import CHANGE, reseal, seal
from fangkong.core.bulk import BulkWriter
from fangkong.core.choices import AccessKind, ChangeAction
from fangkong.core.middleware import current_request_id
from fangkong.core.models import AccessEvent, AuditChain, AuditedModel, ObjectChange

if TYPE_CHECKING:
    from fangkong.accounts.models import User


#: The actor name stored for work no user did (a job, the tick): a code, the same in every
#: language; pages name it through ``actor_label``.
SYSTEM_ACTOR = "system"


def actor_label(name: object) -> str:
    """Who did something, as a page names them: "system" (or nobody) in the reader's language."""
    text = str(name or "")
    return gettext("System") if text in ("", SYSTEM_ACTOR) else text


def _actor_fields(actor: User | None) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_name": getattr(actor, "username", "") or SYSTEM_ACTOR}
    return {"actor": actor, "actor_name": actor.get_username()}


class Audited(Protocol):
    """What the change log asks of a row: ``AuditedModel``'s hooks. A model that cannot
    inherit it (a user's API token, django-otp's device) implements them itself."""

    @property
    def pk(self) -> Any: ...
    def audit_snapshot(self) -> dict[str, Any]: ...
    def area_path(self) -> str: ...
    def community_id_for_audit(self) -> int | None: ...


def _person_id(obj: object) -> int | None:
    getter = getattr(obj, "audit_person_id", None)
    return getter() if callable(getter) else None


@dataclass(frozen=True)
class ChangeRows:
    """The one builder of change-log rows, as column values: ``record_change`` makes its
    instance from them, the bulk paths (imports, campaigns, the demo) insert them as they
    are through ``core.bulk`` (an ObjectChange instance per row cost more than anything else
    an import did per person). So every path writes the same rows.

    ``of(actor)`` fixes what a call shares (actor, request); ``row`` takes what differs,
    given as values (a caller holding no instance), ``row_of`` reads it from an object.
    """

    actor_id: int | None
    actor_name: str
    request_id: str
    # Content types of this call's rows. Not kept across calls: a content type's key is the
    # database's (a flushed test database, a restored backup), and ContentType's own cache
    # is the one Django clears when it changes.
    content_types: dict[type, int] = field(default_factory=dict, compare=False)

    @classmethod
    def of(cls, actor: Any) -> ChangeRows:
        fields = _actor_fields(actor)
        actor_id = fields["actor"].pk if fields["actor"] is not None else None
        return cls(actor_id, fields["actor_name"], current_request_id.get())

    def row(
        self,
        action: str,
        model: type,
        pk: Any,
        object_repr: str,
        area_path: str,
        community_id: int | None,
        person_id: int | None,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> dict[str, Any]:
        content_type_id = self.content_types.get(model)
        if content_type_id is None:
            content_type_id = self.content_types[model] = ContentType.objects.get_for_model(
                model, for_concrete_model=True
            ).pk
        return {
            "actor_id": self.actor_id,
            "actor_name": self.actor_name,
            "request_id": self.request_id,
            "action": action,
            "content_type_id": content_type_id,
            "object_id": str(pk),
            "object_repr": str(object_repr)[:200],
            "area_path": area_path,
            "community_id": community_id,
            "person_id": person_id,
            "before": before,
            "after": after,
        }

    def row_of(
        self,
        action: str,
        obj: Audited,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> dict[str, Any]:
        return self.row(
            action,
            type(obj),
            obj.pk,
            str(obj),
            obj.area_path(),
            obj.community_id_for_audit(),
            _person_id(obj),
            before,
            after,
        )


def _change_row(
    action: str,
    obj: Audited,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    actor: User | None,
) -> ObjectChange:
    row = ObjectChange(**ChangeRows.of(actor).row_of(action, obj, before, after))
    if row.actor_id is not None:
        row.actor = actor  # the instance at hand, not a query when the row is read
    return row


def record_change(
    action: ChangeAction | str,
    obj: Audited,
    *,
    before: dict[str, Any] | None = None,
    actor: User | None,
) -> ObjectChange:
    """Log one change. ``before`` is the snapshot taken before the change (None on create)."""
    after = None if action == ChangeAction.DELETE else obj.audit_snapshot()
    row = _change_row(action, obj, before, after, actor)
    row.save()
    return row


def record_changes(
    action: ChangeAction | str,
    objs: Iterable[AuditedModel],
    *,
    befores: dict[Any, dict[str, Any]] | None = None,
    actor: User | None,
) -> int:
    """Log many changes (imports, bulk updates, the demo): the rows ``record_change`` would
    write, built by ``ChangeRows`` and inserted through ``core.bulk``. Returns the number
    logged. Inside the caller's transaction, which the chain's lock lasts until."""
    befores = befores or {}
    deleting = action == ChangeAction.DELETE
    builder = ChangeRows.of(actor)
    rows = [
        builder.row_of(action, obj, befores.get(obj.pk), None if deleting else obj.audit_snapshot())
        for obj in objs
    ]
    insert_changes(rows)
    return len(rows)


#: The older name of ``record_changes`` (the import's and the demo's), kept one name.
record_changes_in_bulk = record_changes


def insert_changes(
    rows: list[dict[str, Any]], now: dt.datetime | None = None, writer: BulkWriter | None = None
) -> None:
    """Seal and insert change rows built by ``ChangeRows`` (one moment for all of them)."""
    if not rows:
        return
    now = timezone.now() if now is None else now
    with transaction.atomic(savepoint=False):  # the chain's lock lasts until the rows are in
        seal(CHANGE, rows, now=now)
        (writer or BulkWriter(ObjectChange, now)).insert_rows(rows)


def snapshot_of_values(model: type, values: dict[str, Any]) -> dict[str, Any]:
    """``AuditedModel.audit_snapshot`` of a row given as attribute values (no instance).

    The same conversions, chosen once per field instead of tested on every value: a
    foreign key by its key, dates and times in ISO form, decimals as text.
    """
    snapshot: dict[str, Any] = {}
    for name, attname, convert in audit_plan(model):
        value = values[attname]
        snapshot[name] = value if convert is None or value is None else convert(value)
    return snapshot


@functools.cache
def audit_plan(
    model: type[AuditedModel],
) -> tuple[tuple[str, str, Callable[[Any], Any] | None], ...]:
    """(name, attname, converter or None) of each of ``model.audit_fields``."""
    plan = []
    for name in model.audit_fields:
        field_ = model._meta.get_field(name)
        if not isinstance(field_, models.Field):  # audit_fields name the model's own columns
            raise TypeError(f"{model.__name__}.audit_fields: {name} is not a column")
        kind = field_.get_internal_type()
        convert: Callable[[Any], Any] | None = None
        if kind in ("DateField", "DateTimeField", "TimeField"):
            convert = _isoformat
        elif kind == "DecimalField":
            convert = str
        plan.append((name, field_.attname, convert))  # a foreign key's attname holds its key
    return tuple(plan)


def _isoformat(value: Any) -> str:
    return str(value.isoformat())


def community_of_path(area_path: str) -> int | None:
    """The community an area path lies in: its fourth key (``/city/district/street/community/
    grid/``: every tree is rooted at a city, a level per step, which ``areas.Area`` enforces);
    None above community level."""
    parts = area_path.strip("/").split("/")
    return int(parts[3]) if len(parts) >= 4 and parts[3].isdigit() else None


def record_access(
    kind: AccessKind | str,
    *,
    actor: User | None,
    area_path: str,
    obj: models.Model | None = None,
    reason: str = "",
    detail: dict[str, Any] | None = None,
) -> AccessEvent:
    """Log a reveal, export, call or sensitive search. ``detail`` must hold no personal data."""
    return AccessEvent.objects.create(
        **_actor_fields(actor),
        request_id=current_request_id.get(),
        kind=kind,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        area_path=area_path,
        community_id=community_of_path(area_path),
        person_id=_person_id(obj) if obj is not None else None,
        reason=reason,
        # As the database will give it back (keys as text): the row's hash covers it.
        detail=json.loads(json.dumps(detail)) if detail else {},
    )


def record_purge(
    model: type[models.Model],
    rule: str,
    *,
    action: ChangeAction | str,
    summary: dict[str, Any],
    run_id: str,
) -> ObjectChange:
    """Log what one retention rule purged in one run: one row for the rule's model, whose
    ``after`` holds counts and field names only (the purged values are what must go).

    No area: the purge is the system's, so only users who see everything see the row."""
    return ObjectChange.objects.create(
        actor=None,
        actor_name=SYSTEM_ACTOR,
        request_id=run_id[:32],
        action=action,
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=True),
        object_id="",
        object_repr=f"retention purge: {rule}"[:200],
        area_path="",
        community_id=None,
        person_id=None,
        before=None,
        after=summary,
    )


def update_purge(row: ObjectChange, summary: dict[str, Any]) -> None:
    """Bring a purge's row up to date after another batch (in that batch's transaction).

    The row is chained already: it is resealed, keeping the hash it was chained with."""
    row.after = summary
    row.save(update_fields=["after", *reseal(row)])


def _system_row(
    model: type[models.Model], repr_: str, *, summary: dict[str, Any], run_id: str
) -> ObjectChange:
    # A run of the system's own (a command, not a user): no area, so only users who see
    # everything see the row, and it joins the global chain. Counts and ids only.
    return ObjectChange.objects.create(
        actor=None,
        actor_name=SYSTEM_ACTOR,
        request_id=run_id[:32],
        action=ChangeAction.UPDATE,
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=True),
        object_id="",
        object_repr=repr_[:200],
        area_path="",
        community_id=None,
        person_id=None,
        before=None,
        after=summary,
    )


def record_key_rotation(
    model: type[models.Model], *, summary: dict[str, Any], run_id: str
) -> ObjectChange:
    """Log one batch of a data-key rotation on one model (``manage.py rotate_data_key``).

    ``after`` holds counts, field names and the batch's range of keys, never a value or a
    ciphertext. Written in the batch's own transaction, so the log matches what was rewritten
    whatever interrupted the run."""
    return _system_row(
        model, f"data key rotation: {model._meta.label}", summary=summary, run_id=run_id
    )


def record_scope_repair(
    model: type[models.Model], *, summary: dict[str, Any], run_id: str
) -> ObjectChange:
    """Log ``check_scope --fix`` on one table, in the repair's transaction: how many rows
    had a community or grid that disagreed with their parents, and their first ids."""
    return _system_row(
        model, f"scope columns repaired: {model._meta.label}", summary=summary, run_id=run_id
    )


def _audit_chains_row(repr_: str, *, summary: dict[str, Any], run_id: str) -> ObjectChange:
    return _system_row(AuditChain, repr_, summary=summary, run_id=run_id)


def record_audit_rekeying(*, summary: dict[str, Any], run_id: str) -> ObjectChange:
    """Log a key rotation's sealing of the audit chains under the current key: one row per
    run, written in the transaction of its first batch that sealed anything and brought up
    to date by each later one (``update_run_counts``), so its counts match the chains
    whatever interrupts the run. Counts only."""
    return _audit_chains_row(
        "audit chains sealed under the current data key", summary=summary, run_id=run_id
    )


def record_audit_mending(community: int, *, summary: dict[str, Any], run_id: str) -> ObjectChange:
    """Log the mending of a broken audit chain (``rotate_data_key --reseal-broken-audit``)
    in the same transaction: what was found (places, row ids and times, never content) and
    what was done."""
    chain = f"community {community}" if community else "global chain"
    return _audit_chains_row(f"audit chain mended: {chain}", summary=summary, run_id=run_id)


def update_run_counts(row: ObjectChange, summary: dict[str, Any]) -> None:
    """``update_purge`` for any run's own row: new counts, the row resealed."""
    update_purge(row, summary)
