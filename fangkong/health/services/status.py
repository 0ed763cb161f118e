"""What a person may know about their own health status: the service the self-service page
(a later issue) calls, and the staff's person page shows the same way.

Transparency against the 2022 abuse of health codes: the person sees their status, the
reason and the evidence it rests on, who made the change and when, any change still waiting
for approval, and whom to contact about it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from fangkong.accounts.choices import Role
from fangkong.core.services import officer_of
from fangkong.health.choices import (
    ChangeStatus,
    Classification,
    Outcome,
    PersonStatus,
    QuarantineKind,
)
from fangkong.health.models import Case, Quarantine, StatusChange
from fangkong.health.services.tasks import grid_worker_for
from fangkong.registry.models import Person

CASE_STATUS = {
    Classification.CONFIRMED: PersonStatus.CONFIRMED,
    Classification.ASYMPTOMATIC: PersonStatus.ASYMPTOMATIC,
    Classification.SUSPECTED: PersonStatus.SUSPECTED,
}
QUARANTINE_STATUS = {
    QuarantineKind.CENTRALISED: PersonStatus.CENTRALISED,
    QuarantineKind.HOME: PersonStatus.HOME,
    QuarantineKind.MONITORING: PersonStatus.MONITORING,
}
HISTORY = 10


def _change_dict(change: StatusChange) -> dict[str, Any]:
    return {
        "action": change.action,
        "action_label": str(change.get_action_display()),
        "reason": change.reason,
        "reason_label": str(change.get_reason_display()),
        "evidence_kind": change.evidence_kind,
        "evidence_label": str(change.get_evidence_kind_display()),
        "evidence": change.evidence_ref,
        "from": change.from_display,
        "to": change.to_display,
        "status": change.status,
        "status_label": str(change.get_status_display()),
        "by": change.proposed_by_name,
        "at": change.created,
        "decided_by": change.decided_by.get_username() if change.decided_by is not None else "",
        "decided_at": change.decided_at,
    }


def _contacts(person: Person) -> list[dict[str, str]]:
    """Whom to call: the grid worker of their grid, the community's health officer, then
    the community office."""
    household = person.household if person.household_id else None
    people = [
        (Role.GRID_WORKER, grid_worker_for(household)),
        (Role.HEALTH_OFFICER, officer_of(person.community, Role.HEALTH_OFFICER)),
        (Role.COMMUNITY_OFFICER, officer_of(person.community)),
    ]
    labels = dict(Role.choices)
    return [
        {"role": role, "role_label": str(labels[role]), "name": str(user)}
        for role, user in people
        if user is not None
    ]


def _current(
    case: Case | None,
    quarantine: Quarantine | None,
    applied: list[StatusChange],
) -> tuple[str, dt.date | None, dt.date | None, StatusChange | None]:
    """(status, since, until, the change behind it): a case outranks a quarantine."""
    status: str = PersonStatus.NONE
    since: dt.date | None = None
    until: dt.date | None = None
    behind: StatusChange | None = None
    if case is not None:
        status = CASE_STATUS[Classification(case.classification)]
        since = case.confirmation_date or case.report_date
        until = None
        behind = next((c for c in applied if c.case_id == case.pk), None)
    elif quarantine is not None:
        status = QUARANTINE_STATUS[QuarantineKind(quarantine.kind)]
        since, until = quarantine.start_date, quarantine.planned_end
        behind = next((c for c in applied if c.quarantine_id == quarantine.pk), None)
    elif applied:
        behind = applied[0]  # what ended the last measure
    return status, since, until, behind


def person_health_status(person: Person, *, today: dt.date | None = None) -> dict[str, Any]:
    """The person's one current status, why, since and until when, and whom to contact.

    Keys: ``status`` (a ``PersonStatus`` code) and ``label``; ``since``, ``until`` (dates or
    None); ``reason``/``reason_label``, ``evidence_kind``/``evidence_label``, ``evidence``
    (the reference), ``changed_by``, ``changed_at`` of the change behind it (empty when
    none); ``case`` and ``quarantine`` (small dicts or None); ``pending`` (changes waiting
    for approval); ``history`` (the latest changes); ``contacts`` (``role``, ``role_label``,
    ``name``); ``community``. A case outranks a quarantine; centralised outranks home, home
    outranks monitoring.
    """
    today = today or person.community.local_today()
    case = (
        Case.objects.filter(person=person)
        .exclude(classification=Classification.EXCLUDED)
        .filter(outcome__in=["", Outcome.IN_HOSPITAL])
        .order_by("-report_date", "-pk")
        .first()
    )
    quarantine = (
        Quarantine.objects.filter(person=person, ended_on__isnull=True)
        .order_by("-start_date", "-pk")
        .first()
    )
    changes = list(
        StatusChange.objects.filter(person=person)
        .select_related("decided_by")
        .order_by("-created", "-pk")[:50]
    )
    applied = [c for c in changes if c.status in (ChangeStatus.APPLIED, ChangeStatus.APPROVED)]
    status, since, until, behind = _current(case, quarantine, applied)
    labels = dict(PersonStatus.choices)
    result: dict[str, Any] = {
        "status": status,
        "label": str(labels[status]),
        "since": since,
        "until": until,
        "reason": "",
        "reason_label": "",
        "evidence_kind": "",
        "evidence_label": "",
        "evidence": "",
        "changed_by": "",
        "changed_at": None,
        "case": None,
        "quarantine": None,
        "pending": [_change_dict(c) for c in changes if c.status == ChangeStatus.PENDING],
        "history": [_change_dict(c) for c in changes[:HISTORY]],
        "contacts": _contacts(person),
        "community": person.community.name,
    }
    if behind is not None:
        result.update(
            reason=behind.reason,
            reason_label=str(behind.get_reason_display()),
            evidence_kind=behind.evidence_kind,
            evidence_label=str(behind.get_evidence_kind_display()),
            evidence=behind.evidence_ref,
            changed_by=behind.proposed_by_name,
            changed_at=behind.decided_at or behind.created,
        )
    if case is not None:
        result["case"] = {
            "classification": case.classification,
            "label": str(case.get_classification_display()),
            "taken_to": case.taken_to_name,
            "outcome": str(case.get_outcome_display()) if case.outcome else "",
        }
    if quarantine is not None:
        result["quarantine"] = {
            "kind": quarantine.kind,
            "label": str(quarantine.get_kind_display()),
            "start": quarantine.start_date,
            "planned_end": quarantine.planned_end,
            "days_left": max((quarantine.planned_end - today).days, 0),
            "site": quarantine.site,
        }
    if not result["contacts"]:
        result["contacts"] = [
            {"role": "", "role_label": _("Community office"), "name": person.community.name}
        ]
    return result
