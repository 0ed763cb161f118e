"""Alerts: raised from answers with a task for the officer; closed by the officer or the
health module (``do_resolve_alert``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core.audit import record_change
from fangkong.core.choices import ChangeAction
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.querysets import covers
from fangkong.core.services import actor_or_none, officer_of
from fangkong.registry.models import Person
from fangkong.screening.choices import (
    AlertKind,
    AlertLevel,
    AlertStatus,
    QuestionKind,
)
from fangkong.screening.masking import mask_name
from fangkong.screening.models import (
    Alert,
    CallAssignment,
    ScreeningRecord,
)
from fangkong.screening.questionnaires import (
    AlertHit,
    highest_level,
)

if TYPE_CHECKING:
    from fangkong.accounts.models import User

ALERT_TASK = "screening.alert"
#: How soon an officer's alert task is due, by level.
ALERT_DUE: dict[str, dt.timedelta] = {
    AlertLevel.URGENT: dt.timedelta(hours=2),
    AlertLevel.HIGH: dt.timedelta(hours=24),
}


def raise_alert(
    assignment: CallAssignment,
    record: ScreeningRecord,
    person: Person | None,
    hit: AlertHit,
    now: dt.datetime,
) -> Alert:
    alert = Alert(
        community=assignment.community,
        grid=assignment.grid,
        campaign=assignment.campaign,
        record=record,
        assignment=assignment,
        household=assignment.household,
        person=person,
        kind=hit.kind,
        level=hit.level,
        question_code=hit.code,
        question_text=hit.text[:300],
        answer=hit.answer[:300],
        pairs=[[q[:300], a[:300]] for q, a in hit.pairs],
        raised_at=now,
    )
    alert.save()
    return alert


def alert_task(alert: Alert, now: dt.datetime) -> None:
    """A task for the community officer. Raised by the system on the caller's behalf: the
    caller may not hand out work above their grid, but the alert must reach the officer."""
    from fangkong.staff.services import do_create_task

    household = alert.household
    task = do_create_task(
        community=alert.community,
        kind=ALERT_TASK,
        by=None,
        title=_("%(kind)s: %(household)s")
        % {"kind": alert.get_kind_display(), "household": household.label},
        description=_("%(answers)s (campaign: %(campaign)s)")
        % {"answers": alert.summary, "campaign": alert.campaign.name},
        assignee=officer_of(alert.community),
        link=alert,
        reason=alert.kind,
        priority=alert.level,
        due=now + ALERT_DUE.get(alert.level, dt.timedelta(hours=24)),
    )
    Alert.objects.filter(pk=alert.pk).update(task_id=task.pk)
    alert.task_id = task.pk


def follow_up_task(
    alert: Alert, answers: dict[str, Any], specs: Any, today: dt.date, threshold: Any
) -> None:
    """A fever or symptoms heard on a call raise the urgent follow-up a health report's fever
    raises (the staff module's, so the same task: the grid worker calls within the hour). A
    contact, a trip or a special need stays with the officer's alert task: it asks for a
    decision (a quarantine, help), not a call back within the hour."""
    from fangkong.staff.services.urgent import (
        TASK_FEVER,
        TASK_SYMPTOM,
        fever_reason,
        fever_text,
        raise_urgent_follow_up,
    )

    if alert.kind not in (AlertKind.FEVER, AlertKind.SYMPTOMS):
        return
    household = alert.household
    person = alert.person or household.head
    who = mask_name(person.name) if person is not None else ""
    where = household.label
    if alert.kind == AlertKind.FEVER:
        temperatures = [
            Decimal(str(answers[spec.code]))
            for spec in specs
            if spec.kind == QuestionKind.TEMPERATURE and answers.get(spec.code) is not None
        ]
        title, description = fever_text(
            who=who,
            where=where,
            temperature=max(temperatures) if temperatures else None,
            threshold=threshold,
        )
        kind, reason = TASK_FEVER, fever_reason(today)
    else:
        title = _("Symptoms: %(who)s, %(where)s") % {"who": who, "where": where}
        description = _("Heard on a screening call. Call now and tell the health officer.")
        kind, reason = TASK_SYMPTOM, f"symptom:{today.isoformat()}:screening"
    raise_urgent_follow_up(
        community=alert.community,
        household=household,
        link=alert.person or household,
        kind=kind,
        reason=reason,
        title=title,
        description=f"{alert.summary}。{description}",
    )


# --- Alerts ---------------------------------------------------------------------------------


def alerts_for_person(person: Person) -> QuerySet[Alert]:
    """A person's alerts: raised for them, or for their household in a household campaign.

    Not restricted: the caller (the health module's service) checks its own actor.
    """
    q = Q(person=person)
    if person.household_id:
        q |= Q(person__isnull=True, household_id=person.household_id)
    return Alert.objects.filter(q).select_related("campaign").order_by("-raised_at", "-pk")


def may_resolve_alerts(user: User, community: Any) -> bool:
    """The community officer, or the health officer (who turns an alert into a quarantine);
    a grid worker's scope is a grid, so they raise alerts but do not close them."""
    if user is None:
        return True
    if not covers(user, community):
        return False
    return user.has_action(Alert, "change") or user.has_action("health.quarantine", "add")


@transaction.atomic
def do_resolve_alert(alert: Alert, *, by: User, outcome: str, note: str = "") -> Alert:
    """Close an alert as acted on (a quarantine, a doctor's visit…) or dismissed.

    The health module calls this with ``outcome="acted"`` when it starts a quarantine. The
    officer's task for the alert is completed with the same note.
    """
    alert = (
        Alert.objects.select_for_update(of=("self",))
        .select_related("grid", "community")
        .get(pk=alert.pk)
    )
    if by is not None and not covers(by, alert):
        raise Http404
    if not may_resolve_alerts(by, alert.community):
        raise PermissionDeniedError("change")
    if outcome not in (AlertStatus.ACTED, AlertStatus.DISMISSED):
        raise ValidationError({"outcome": _("Choose whether the alert was acted on or dismissed.")})
    if alert.status != AlertStatus.OPEN:
        raise ValidationError(_("This alert has already been dealt with."))
    note = (note or "").strip()
    if outcome == AlertStatus.DISMISSED and not note:
        raise ValidationError({"note": _("Say why the alert is dismissed.")})
    before = alert.audit_snapshot()
    alert.status, alert.outcome_note = outcome, note[:300]
    alert.resolved_by, alert.resolved_at = actor_or_none(by), timezone.now()
    alert.version += 1
    alert.save(
        update_fields=["status", "outcome_note", "resolved_by", "resolved_at", "version", "updated"]
    )
    record_change(ChangeAction.UPDATE, alert, before=before, actor=by)
    _close_alert_task(alert, note)
    _refresh_alert_level(alert.assignment_id)
    return alert


def _close_alert_task(alert: Alert, note: str) -> None:
    if alert.task_id is None:
        return
    from fangkong.staff.choices import OPEN_STATUSES
    from fangkong.staff.models import Task
    from fangkong.staff.services import do_complete_task

    task = Task.objects.filter(pk=alert.task_id, status__in=OPEN_STATUSES).first()
    if task is not None:
        do_complete_task(task, by=None, note=note or alert.get_status_display())


def _refresh_alert_level(assignment_id: int) -> None:
    """The household's mark follows its open alerts."""
    levels = Alert.objects.filter(assignment_id=assignment_id, status=AlertStatus.OPEN)
    level = highest_level(levels.values_list("level", flat=True))
    CallAssignment.objects.filter(pk=assignment_id).exclude(alert_level=level).update(
        alert_level=level
    )
