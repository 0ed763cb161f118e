"""Evidence and the four-eyes review of health status changes (DESIGN.md, "Who may do what").

Every change of a classification or a quarantine is a ``StatusChange`` with a reason from a
closed list and an evidence reference. ``submit`` decides whether it applies now or waits:
a change that takes its proposer past ``FOUR_EYES_LIMIT`` people in one community within
``FOUR_EYES_WINDOW`` — pages, API and imports counted together, pending changes included, so
ten at a time through three doors gets no further than one batch of thirty — is stored as
pending with what it would do (``payload``), and the community officer gets a task. A user
of another role approves it (``do_approve_change``), which applies it then; nobody approves
their own.

The people counted are distinct people: extending the quarantine of someone already touched
today does not count twice.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fangkong.areas.models import Area
from fangkong.core.audit import record_changes
from fangkong.core.choices import ChangeAction as AuditAction
from fangkong.core.querysets import require
from fangkong.core.services import officer_of
from fangkong.health.choices import (
    COUNTED_STATUSES,
    REASONS_FOR,
    ChangeReason,
    ChangeSource,
    ChangeStatus,
    EvidenceKind,
)
from fangkong.health.models import StatusChange
from fangkong.health.services.policy import locked_policy
from fangkong.health.services.tasks import TASK_APPROVAL, raise_task
from fangkong.registry.models import Household, Person

if TYPE_CHECKING:
    from fangkong.accounts.models import User

FOUR_EYES_LIMIT = 10
FOUR_EYES_WINDOW = dt.timedelta(hours=24)
APPROVAL_DUE = dt.timedelta(hours=4)

#: How each kind of pending change is applied once approved: ``op`` → apply(payload,
#: changes, actor) returning the case or quarantine. Filled in by the cases and quarantines
#: modules, which own what a change does.
APPLIERS: dict[str, Callable[[dict[str, Any], list[StatusChange], Any], Any]] = {}


@dataclass(frozen=True)
class Evidence:
    """Why, and on what evidence: checked once, carried by every change of one action."""

    reason: str
    kind: str
    ref: str
    note: str = ""


@dataclass
class ChangeResult:
    """What a status change did: applied (``obj`` is the case or first quarantine) or
    waiting for approval (``pending``)."""

    changes: list[StatusChange] = field(default_factory=list)
    obj: Any = None

    @property
    def pending(self) -> bool:
        return bool(self.changes) and self.changes[0].status == ChangeStatus.PENDING

    @property
    def people(self) -> int:
        return len({c.person_id for c in self.changes})


def check_evidence(action: str, reason: str, kind: str, ref: str, note: str = "") -> Evidence:
    """The reason must fit the action; an evidence kind and a reference are required."""
    errors: dict[str, str] = {}
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Choose the reason for this change.")
    elif reason not in REASONS_FOR.get(action, ()):
        labels = dict(ChangeReason.choices)
        errors["reason"] = _(
            "%(reason)s is not a reason for this change; choose one of: %(choices)s."
        ) % {
            "reason": labels.get(reason, reason),
            "choices": "、".join(str(labels[r]) for r in REASONS_FOR.get(action, ())),
        }
    if (kind or "") not in EvidenceKind.values:
        errors["evidence_kind"] = _(
            "Choose the kind of evidence: a test result, a contact link, an official notice…"
        )
    ref = (ref or "").strip()
    if len(ref) < 2:
        errors["evidence_ref"] = _(
            "Give the evidence: the test result, the contact link or "
            "the official notice number this change rests on."
        )
    elif len(ref) > 200:
        errors["evidence_ref"] = _("An evidence reference has at most 200 characters.")
    note = (note or "").strip()
    if len(note) > 300:
        errors["note"] = _("A note has at most 300 characters.")
    if errors:
        raise ValidationError(errors)
    return Evidence(reason, kind, ref, note)


def draft(
    action: str,
    person: Person,
    evidence: Evidence,
    *,
    household: Household | None = None,
    from_value: str = "",
    to_value: str = "",
    **links: Any,
) -> StatusChange:
    """An unsaved change of one person (``submit`` saves it, applied or pending)."""
    return StatusChange(
        community_id=person.community_id,
        person=person,
        household=household if household is not None else person.household,
        action=action,
        from_value=str(from_value or "")[:40],
        to_value=str(to_value or "")[:40],
        reason=evidence.reason,
        evidence_kind=evidence.kind,
        evidence_ref=evidence.ref,
        note=evidence.note,
        **links,
    )


def people_in_window(community: Area, by: User, now: dt.datetime | None = None) -> set[int]:
    """The people ``by`` changed (or proposed to change) in ``community`` within the window."""
    if by is None or not getattr(by, "is_authenticated", False):
        return set()
    since = (now or timezone.now()) - FOUR_EYES_WINDOW
    return set(
        StatusChange.objects.filter(
            community=community,
            proposed_by=by,
            created__gte=since,
            status__in=COUNTED_STATUSES,
        ).values_list("person_id", flat=True)
    )


def needs_review(
    community: Area, by: User | None, person_ids: Iterable[int], now: dt.datetime | None = None
) -> bool:
    if by is None or not getattr(by, "is_authenticated", False):
        return False  # system work: the demo, migrations
    touched = people_in_window(community, by, now) | set(person_ids)
    return len(touched) > FOUR_EYES_LIMIT


def _stamp(
    changes: list[StatusChange], by: User | None, source: str, payload: dict[str, Any]
) -> None:
    batch = uuid.uuid4().hex
    actor = by if getattr(by, "is_authenticated", False) else None
    for change in changes:
        change.batch = batch
        change.source = source if source in ChangeSource.values else ChangeSource.PAGE
        change.payload = payload
        change.proposed_by = actor
        # The person's name, as pages show it ("made by"): a login means nothing to a reader.
        change.proposed_by_name = str(actor)[:150] if actor is not None else "system"
        change.proposer_role = getattr(actor, "role", "") or ""


def submit(
    *,
    community: Area,
    by: User | None,
    changes: list[StatusChange],
    payload: dict[str, Any],
    source: str = ChangeSource.PAGE,
) -> ChangeResult:
    """Apply ``changes`` now, or keep them pending for approval when the proposer would pass
    the four-eyes limit. Must run inside the caller's transaction (the policy row is locked
    for the count)."""
    if not changes:
        raise ValidationError(_("Nobody to change."))
    locked_policy(community)
    _stamp(changes, by, source, payload)
    if needs_review(community, by, {c.person_id for c in changes}):
        for change in changes:
            change.status = ChangeStatus.PENDING
        StatusChange.objects.bulk_create(changes)
        record_changes(AuditAction.CREATE, changes, actor=by)
        _approval_task(community, changes)
        return ChangeResult(changes)
    obj = APPLIERS[payload["op"]](payload, changes, by)
    for change in changes:
        change.status = ChangeStatus.APPLIED
    StatusChange.objects.bulk_create(changes)
    record_changes(AuditAction.CREATE, changes, actor=by)
    return ChangeResult(changes, obj)


def _approval_task(community: Area, changes: list[StatusChange]) -> None:
    first = changes[0]
    people = len({c.person_id for c in changes})
    task = raise_task(
        community=community,
        kind=TASK_APPROVAL,
        link=first,
        reason="approval",
        title=ngettext(
            "Approve a health status change by %(who)s",
            "Approve health status changes of %(n)s people by %(who)s",
            people,
        )
        % {"n": people, "who": first.proposed_by_name},
        description=_(
            "%(action)s · %(reason)s · evidence: %(evidence)s. More than %(limit)s "
            "people in 24 hours wait for a user of another role (four-eyes rule)."
        )
        % {
            "action": first.get_action_display(),
            "reason": first.get_reason_display(),
            "evidence": first.evidence_ref,
            "limit": FOUR_EYES_LIMIT,
        },
        assignee=officer_of(community),
        priority="high",
        due=timezone.now() + APPROVAL_DUE,
    )
    StatusChange.objects.filter(pk__in=[c.pk for c in changes]).update(task_id=task.pk)
    for change in changes:
        change.task_id = task.pk


def _batch(change: StatusChange) -> list[StatusChange]:
    """The pending changes made together with ``change`` (a household, one request), locked."""
    return list(
        StatusChange.objects.select_for_update(of=("self",))
        .filter(
            batch=change.batch,
            status=ChangeStatus.PENDING,
        )
        .select_related("person", "household", "community")
        .order_by("pk")
    )


def _require_reviewer(change: StatusChange, by: User) -> None:
    require(by, StatusChange, "approve", change)
    if by is None:
        return
    if change.proposed_by_id is not None and change.proposed_by_id == by.pk:
        raise ValidationError(
            _("You cannot approve or reject your own change: a user of another role must.")
        )
    if change.proposer_role and (getattr(by, "role", "") or "") == change.proposer_role:
        raise ValidationError(
            _(
                "This change must be decided by a user of another role than the one who made "
                "it (four-eyes rule)."
            )
        )


def _close_task(task_id: int | None, note: str) -> None:
    if task_id is None:
        return
    from fangkong.staff.choices import OPEN_STATUSES
    from fangkong.staff.models import Task
    from fangkong.staff.services import do_complete_task

    task = Task.objects.filter(pk=task_id, status__in=OPEN_STATUSES).first()
    if (
        task is not None
        and not StatusChange.objects.filter(task_id=task_id, status=ChangeStatus.PENDING).exists()
    ):
        do_complete_task(task, by=None, note=note)


def _decide(changes: list[StatusChange], by: User, status: str, note: str) -> None:
    now = timezone.now()
    actor = by if getattr(by, "is_authenticated", False) else None
    befores = {c.pk: c.audit_snapshot() for c in changes}
    for change in changes:
        change.status, change.decided_by, change.decided_at = status, actor, now
        change.decision_note = note[:300]
        change.version += 1
    StatusChange.objects.bulk_update(
        changes,
        [
            "status",
            "decided_by",
            "decided_at",
            "decision_note",
            "case",
            "quarantine",
            "from_value",
            "to_value",
            "version",
        ],
    )
    record_changes(AuditAction.UPDATE, changes, befores=befores, actor=by)


@transaction.atomic
def do_approve_change(change: StatusChange, *, by: User, note: str = "") -> ChangeResult:
    """Approve a pending change (and the rest of its batch) and apply it now.

    The approver must be allowed to approve in the change's area and be of another role than
    the proposer; approving one's own change is refused with the reason.
    """
    _require_reviewer(change, by)
    locked_policy(change.community)
    changes = _batch(change)
    if not changes:
        raise ValidationError(_("This change has already been decided."))
    obj = APPLIERS[changes[0].payload["op"]](changes[0].payload, changes, by)
    _decide(changes, by, ChangeStatus.APPROVED, (note or "").strip())
    _close_task(changes[0].task_id, _("Approved by %(who)s.") % {"who": by or "system"})
    return ChangeResult(changes, obj)


@transaction.atomic
def do_reject_change(change: StatusChange, *, by: User, note: str) -> ChangeResult:
    """Reject a pending change (and the rest of its batch): nothing is applied."""
    _require_reviewer(change, by)
    note = (note or "").strip()
    if len(note) < 2:
        raise ValidationError({"note": _("Say why the change is rejected.")})
    changes = _batch(change)
    if not changes:
        raise ValidationError(_("This change has already been decided."))
    _decide(changes, by, ChangeStatus.REJECTED, note)
    _close_task(changes[0].task_id, _("Rejected: %(note)s") % {"note": note})
    return ChangeResult(changes)
