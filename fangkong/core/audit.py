"""Writing the change log and the access log. Called by service functions, never by views."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from fangkong.core.audit_chain import reseal
from fangkong.core.choices import AccessKind, ChangeAction
from fangkong.core.middleware import current_request_id
from fangkong.core.models import AccessEvent, AuditChain, AuditedModel, ObjectChange

if TYPE_CHECKING:
    from fangkong.accounts.models import User


def _actor_fields(actor: User | None) -> dict[str, Any]:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_name": getattr(actor, "username", "") or "system"}
    return {"actor": actor, "actor_name": actor.get_username()}


def _person_id(obj: models.Model) -> int | None:
    getter = getattr(obj, "audit_person_id", None)
    return getter() if callable(getter) else None


def _change_row(
    action: str, obj: AuditedModel, before: dict[str, Any] | None,
    after: dict[str, Any] | None, actor: User | None
) -> ObjectChange:
    return ObjectChange(
        **_actor_fields(actor),
        request_id=current_request_id.get(),
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        area_path=obj.area_path(),
        community_id=obj.community_id_for_audit(),
        person_id=_person_id(obj),
        before=before,
        after=after,
    )


def record_change(
    action: ChangeAction | str, obj: AuditedModel, *, before: dict[str, Any] | None = None,
    actor: User | None
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
    """Log many changes in one INSERT (imports, bulk updates). Returns the number logged."""
    befores = befores or {}
    rows = [
        _change_row(
            action,
            obj,
            befores.get(obj.pk),
            None if action == ChangeAction.DELETE else obj.audit_snapshot(),
            actor,
        )
        for obj in objs
    ]
    ObjectChange.objects.bulk_create(rows, batch_size=1000)
    return len(rows)


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
    model: type[models.Model], rule: str, *, action: ChangeAction | str, summary: dict[str, Any],
    run_id: str,
) -> ObjectChange:
    """Log what one retention rule purged in one run: one row for the rule's model, whose
    ``after`` holds counts and field names only (the purged values are what must go).

    No area: the purge is the system's, so only users who see everything see the row."""
    return ObjectChange.objects.create(
        actor=None,
        actor_name="system",
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


def record_key_rotation(
    model: type[models.Model], *, summary: dict[str, Any], run_id: str
) -> ObjectChange:
    """Log one batch of a data-key rotation on one model (``manage.py rotate_data_key``).

    ``after`` holds counts, field names and the batch's range of keys, never a value or a
    ciphertext. Written in the batch's own transaction, so the log matches what was rewritten
    whatever interrupted the run. No area: only users who see everything see the row."""
    return ObjectChange.objects.create(
        actor=None,
        actor_name="system",
        request_id=run_id[:32],
        action=ChangeAction.UPDATE,
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=True),
        object_id="",
        object_repr=f"data key rotation: {model._meta.label}"[:200],
        area_path="",
        community_id=None,
        person_id=None,
        before=None,
        after=summary,
    )


def record_scope_repair(model: type[models.Model], *, summary: dict[str, Any],
                        run_id: str) -> ObjectChange:
    """Log ``check_scope --fix`` on one table, in the repair's transaction: how many rows
    had a community or grid that disagreed with their parents, and their first ids (ids and
    counts only). No area: only users who see everything see the row."""
    return ObjectChange.objects.create(
        actor=None,
        actor_name="system",
        request_id=run_id[:32],
        action=ChangeAction.UPDATE,
        content_type=ContentType.objects.get_for_model(model, for_concrete_model=True),
        object_id="",
        object_repr=f"scope columns repaired: {model._meta.label}"[:200],
        area_path="",
        community_id=None,
        person_id=None,
        before=None,
        after=summary,
    )


def _audit_chains_row(repr_: str, *, summary: dict[str, Any], run_id: str) -> ObjectChange:
    # No area: the work is the system's, so only users who see everything see the row; it
    # joins the global chain.
    return ObjectChange.objects.create(
        actor=None,
        actor_name="system",
        request_id=run_id[:32],
        action=ChangeAction.UPDATE,
        content_type=ContentType.objects.get_for_model(AuditChain),
        object_id="",
        object_repr=repr_[:200],
        area_path="",
        community_id=None,
        person_id=None,
        before=None,
        after=summary,
    )


def record_audit_rekeying(*, summary: dict[str, Any], run_id: str) -> ObjectChange:
    """Log a key rotation's sealing of the audit chains under the current key: one row per
    run, written in the transaction of its first batch that sealed anything and brought up
    to date by each later one (``update_run_counts``), so its counts match the chains
    whatever interrupts the run. Counts only."""
    return _audit_chains_row("audit chains sealed under the current data key",
                             summary=summary, run_id=run_id)


def record_audit_mending(community: int, *, summary: dict[str, Any],
                         run_id: str) -> ObjectChange:
    """Log the mending of a broken audit chain (``rotate_data_key --reseal-broken-audit``)
    in the same transaction: what was found (places, row ids and times, never content) and
    what was done."""
    chain = f"community {community}" if community else "global chain"
    return _audit_chains_row(f"audit chain mended: {chain}", summary=summary, run_id=run_id)


def update_run_counts(row: ObjectChange, summary: dict[str, Any]) -> None:
    """``update_purge`` for any run's own row: new counts, the row resealed."""
    update_purge(row, summary)
