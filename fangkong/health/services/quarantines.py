"""Quarantines: start (a person or a whole household), extend or shorten, end — each a status
change with reason and evidence through the review — and what follows a home quarantine:
the household's pass suspended through the access service, a delivery task, the grid worker
to call.

Date arithmetic: the planned end is the last day of the quarantine, the last exposure (or
the start, when no exposure is known) plus the period. An exposure 3 February and 14 days
give 17 February; the pass is suspended until the midnight after it. A reduction can bring
the end back to the start, never before it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core.audit import record_change
from fangkong.core.choices import ChangeAction as AuditAction
from fangkong.core.services import check_version, locked, officer_of
from fangkong.health.choices import (
    CASE_CLASSIFICATIONS,
    ChangeAction,
    ChangeSource,
    EvidenceKind,
    Outcome,
    QuarantineKind,
)
from fangkong.health.clock import end_of_day
from fangkong.health.models import Case, Contact, Quarantine, StatusChange
from fangkong.health.services.common import PASS_SOURCE, require_health_role
from fangkong.health.services.policy import policy_for
from fangkong.health.services.review import (
    APPLIERS,
    ChangeResult,
    check_evidence,
    draft,
    submit,
)
from fangkong.health.services.tasks import TASK_DELIVERY, grid_of, grid_worker_for, raise_task
from fangkong.registry.choices import PersonStatus
from fangkong.registry.models import Household, Person

if TYPE_CHECKING:
    from fangkong.accounts.models import User

DELIVERY_DUE = dt.timedelta(hours=6)
MAX_PERIOD_DAYS = 60


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def planned_end(start: dt.date, last_exposure: dt.date | None, period_days: int) -> dt.date:
    """The last day of a quarantine: the last exposure (or the start) plus the period."""
    return (last_exposure or start) + dt.timedelta(days=period_days)


def active_quarantine(person: Person) -> Quarantine | None:
    return Quarantine.objects.filter(person=person, ended_on__isnull=True).first()


# --- Starting -------------------------------------------------------------------------------


def _targets(person: Person | None, household: Household | None) -> list[Person]:
    """Who a start concerns: the person, or the household's active members who are neither
    under quarantine already nor an open case (a case is in hospital or isolated)."""
    if person is not None:
        return [person]
    if household is None:
        raise ValidationError({"person": _("Choose a person or a household.")})
    members = list(
        Person.objects.filter(household=household, status=PersonStatus.ACTIVE)
        .select_related("household__building", "community")
        .order_by("pk")
    )
    busy = set(
        Quarantine.objects.filter(person__in=members, ended_on__isnull=True).values_list(
            "person_id", flat=True
        )
    )
    cases = set(
        Case.objects.filter(
            person__in=members,
            classification__in=CASE_CLASSIFICATIONS,
            outcome__in=["", Outcome.IN_HOSPITAL],
        ).values_list("person_id", flat=True)
    )
    excluded = busy | cases
    people = [m for m in members if m.pk not in excluded]
    if not people:
        raise ValidationError(
            {
                "household": _(
                    "Every member of this household is already under quarantine or is a case."
                )
            }
        )
    return people


def _checked_site(kind: str, household: Household | None, site: str) -> str:
    """The site (stripped) a quarantine of this kind may have: home needs a household,
    centralised a site."""
    if kind == QuarantineKind.HOME and household is None:
        raise ValidationError(
            {
                "kind": _(
                    "A home quarantine needs the person's household; "
                    "choose centralised quarantine for someone without "
                    "one."
                )
            }
        )
    site = (site or "").strip()
    if kind == QuarantineKind.CENTRALISED and not site:
        raise ValidationError({"site": _("Give the quarantine site.")})
    return site


def _check_contact(contact: Contact, community: Any, person: Person | None) -> None:
    if contact.community_id != community.pk:
        raise ValidationError({"contact": _("That contact link is of another community.")})
    if person is not None and contact.person_id != person.pk:
        raise ValidationError({"contact": _("That contact link is of another person.")})


def _checked_period(community: Any, kind: str, period_days: int | None) -> int:
    """The period asked for, or the community's for this kind; within the bounds."""
    period_days = period_days or policy_for(community).period_for(kind)
    if not 1 <= period_days <= MAX_PERIOD_DAYS:
        raise ValidationError(
            {"period_days": _("A period is between 1 and %(n)s days.") % {"n": MAX_PERIOD_DAYS}}
        )
    return period_days


def _checked_end(start_date: dt.date, last_exposure: dt.date | None, period_days: int) -> dt.date:
    end = planned_end(start_date, last_exposure, period_days)
    if end < start_date:
        raise ValidationError(
            {
                "last_exposure": _(
                    "The last exposure was more than %(days)s days before the start: the period is "
                    "over, a quarantine cannot end before it starts."
                )
                % {"days": period_days}
            }
        )
    return end


def _implied_evidence(
    contact: Contact | None, alert: Any, evidence_kind: str, evidence_ref: str
) -> tuple[str, str]:
    """A contact link or a screening alert is evidence of its own when no other is given."""
    if contact is not None:
        return (
            evidence_kind or EvidenceKind.CONTACT_LINK,
            _("Contact %(contact)s of case %(case)s")
            % {"contact": contact.pk, "case": contact.case_id},
        )
    if alert is not None:
        return (
            evidence_kind or EvidenceKind.SCREENING_ALERT,
            _("Screening alert %(alert)s") % {"alert": alert.pk},
        )
    return evidence_kind, evidence_ref


@transaction.atomic
def do_start_quarantine(
    *,
    kind: str,
    by: User | None,
    reason: str = "",
    evidence_kind: str = "",
    evidence_ref: str = "",
    note: str = "",
    person: Person | None = None,
    household: Household | None = None,
    start_date: dt.date | None = None,
    last_exposure: dt.date | None = None,
    period_days: int | None = None,
    site: str = "",
    contact: Contact | None = None,
    alert: Any = None,
    source: str = ChangeSource.PAGE,
) -> ChangeResult:
    """Start a quarantine or health monitoring for a person, or for a whole household
    (``household`` without ``person``: every active member not already under one).

    A contact link or a screening alert is evidence of its own when no other is given.
    """
    if person is not None:
        household = person.household
    if kind not in QuarantineKind.values:
        raise ValidationError(
            {"kind": _("Choose home, centralised quarantine or health monitoring.")}
        )
    whole = person is None
    anchor = household if household is not None else person
    if anchor is None:
        raise ValidationError({"person": _("Choose a person or a household.")})
    require_health_role(by, Quarantine, anchor)
    community = anchor.community
    site = _checked_site(kind, household, site)
    today = community.local_today()
    start_date = start_date or today
    if start_date > today:
        raise ValidationError({"start_date": _("A quarantine cannot start in the future.")})
    if contact is not None:
        _check_contact(contact, community, person)
        last_exposure = last_exposure or contact.last_exposure
    if last_exposure is not None and last_exposure > start_date:
        raise ValidationError({"last_exposure": _("The last exposure cannot be after the start.")})
    period_days = _checked_period(community, kind, period_days)
    end = _checked_end(start_date, last_exposure, period_days)
    if not evidence_ref:
        evidence_kind, evidence_ref = _implied_evidence(contact, alert, evidence_kind, evidence_ref)
    evidence = check_evidence(
        ChangeAction.QUARANTINE_START, reason, evidence_kind, evidence_ref, note
    )
    people = _targets(person, household)
    if person is not None and active_quarantine(person) is not None:
        raise ValidationError(
            {"person": _("This person is already under quarantine or monitoring.")}
        )
    payload = {
        "op": "quarantine_start",
        "people": [p.pk for p in people],
        "household": household.pk if household is not None else None,
        "kind": kind,
        "site": site,
        "whole_household": whole,
        "contact": contact.pk if contact else None,
        "alert": alert.pk if alert is not None else None,
        "last_exposure": _iso(last_exposure),
        "period_days": period_days,
        "start_date": _iso(start_date),
        "planned_end": _iso(end),
    }
    changes = [
        draft(ChangeAction.QUARANTINE_START, p, evidence, household=household, to_value=kind)
        for p in people
    ]
    return submit(community=community, by=by, changes=changes, payload=payload, source=source)


def _apply_start(payload: dict[str, Any], changes: list[StatusChange], actor: User) -> Quarantine:
    household = (
        Household.objects.select_related("building__grid", "community")
        .filter(pk=payload["household"])
        .first()
        if payload["household"]
        else None
    )
    worker = grid_worker_for(household)
    created: list[Quarantine] = []
    by_person = {c.person_id: c for c in changes}
    for person_id in payload["people"]:
        quarantine = Quarantine(
            community_id=by_person[person_id].community_id,
            person_id=person_id,
            household=household,
            kind=payload["kind"],
            site=payload["site"],
            whole_household=payload["whole_household"],
            batch=changes[0].batch,
            contact_id=payload["contact"],
            alert_id=payload["alert"],
            last_exposure=_date(payload["last_exposure"]),
            period_days=payload["period_days"],
            # Always given: do_start_quarantine sets both.
            start_date=dt.date.fromisoformat(payload["start_date"]),
            planned_end=dt.date.fromisoformat(payload["planned_end"]),
            grid_worker=worker,
        )
        try:
            with transaction.atomic():
                quarantine.save()
        except IntegrityError:
            person = Person.objects.get(pk=person_id)
            raise ValidationError(
                _("%(name)s is already under quarantine or monitoring.") % {"name": person.name}
            ) from None
        record_change(AuditAction.CREATE, quarantine, actor=actor)
        by_person[person_id].quarantine = quarantine
        created.append(quarantine)
    first = created[0]
    if payload["kind"] == QuarantineKind.HOME and household is not None:
        sync_household_pass(household)
        _delivery_task(household, first, worker)
    if payload["alert"]:
        _act_on_alert(payload["alert"], actor, first)
    return first


APPLIERS["quarantine_start"] = _apply_start


def _delivery_task(household: Household, quarantine: Quarantine, worker: Any) -> None:
    """Food and medicine for a household that may not go out: a task for its grid worker."""
    community = household.community
    raise_task(
        community=community,
        kind=TASK_DELIVERY,
        link=household,
        reason="home_quarantine",
        title=_("Arrange food and medicine deliveries: %(household)s")
        % {"household": household.label},
        description=_(
            "Under home quarantine until %(date)s. Ask what they need, arrange "
            "deliveries of food and medicine, and call them every day."
        )
        % {"date": quarantine.planned_end},
        assignee=worker or officer_of(community),
        area=grid_of(household) or community,
        priority="high",
        due=timezone.now() + DELIVERY_DUE,
    )


def _act_on_alert(alert_id: int, actor: User, quarantine: Quarantine) -> None:
    from fangkong.screening.choices import AlertStatus
    from fangkong.screening.models import Alert
    from fangkong.screening.services import do_resolve_alert

    alert = Alert.objects.filter(pk=alert_id, status=AlertStatus.OPEN).first()
    if alert is not None:
        do_resolve_alert(
            alert,
            by=actor,
            outcome=AlertStatus.ACTED,
            note=_("%(kind)s from %(start)s to %(end)s")
            % {
                "kind": quarantine.get_kind_display(),
                "start": quarantine.start_date,
                "end": quarantine.planned_end,
            },
        )


# --- The household's pass -------------------------------------------------------------------


def sync_household_pass(household: Household) -> None:
    """The household's pass follows its active home quarantines: suspended (by the health
    source) until the midnight after the latest planned end, lifted when none remains or
    that moment has passed. The reason is neutral: the gate never shows health data.

    Called as system work (``by=None``): the health officer's change has been authorised
    here, and access leaves suspension rights to the office.
    """
    from fangkong.access.services import do_lift_suspension, do_suspend_household_passes

    last = Quarantine.objects.filter(
        household=household,
        kind=QuarantineKind.HOME,
        ended_on__isnull=True,
    ).aggregate(last=Max("planned_end"))["last"]
    until = end_of_day(last, household.community) if last else None
    if until is not None and until > timezone.now():
        do_suspend_household_passes(
            household,
            source=PASS_SOURCE,
            until=until,
            by=None,
            reason=_("Arranged by the community health officer"),
        )
    else:
        do_lift_suspension(household, source=PASS_SOURCE, by=None)


# --- Extending, shortening, ending ----------------------------------------------------------


def _together(quarantine: Quarantine) -> list[Quarantine]:
    """A household quarantine changes as one: its active rows started together."""
    if quarantine.whole_household and quarantine.batch:
        rows = list(
            Quarantine.objects.select_for_update()
            .filter(batch=quarantine.batch, ended_on__isnull=True)
            .order_by("pk")
        )
        if rows:
            return rows
    return [quarantine]


def _locked_active(quarantine: Quarantine, by: User, expected_version: int | None) -> Quarantine:
    quarantine = locked(Quarantine, quarantine.pk)
    require_health_role(by, Quarantine, quarantine)
    check_version(quarantine, expected_version)
    if quarantine.ended_on is not None:
        raise ValidationError(_("This quarantine has already ended."))
    return quarantine


@transaction.atomic
def do_change_quarantine_end(
    quarantine: Quarantine,
    *,
    new_end: dt.date | None,
    by: User,
    reason: str,
    evidence_kind: str,
    evidence_ref: str,
    note: str = "",
    source: str = ChangeSource.PAGE,
    expected_version: int | None = None,
) -> ChangeResult:
    """Move the planned end: later is an extension, earlier a reduction; never before the
    start. A household quarantine moves for all its members."""
    quarantine = _locked_active(quarantine, by, expected_version)
    if new_end is None:
        raise ValidationError({"new_end": _("Give the new planned end.")})
    if new_end < quarantine.start_date:
        raise ValidationError(
            {
                "new_end": _("A quarantine cannot end before it starts (%(date)s).")
                % {"date": quarantine.start_date}
            }
        )
    if new_end == quarantine.planned_end:
        raise ValidationError(
            {"new_end": _("The planned end is already %(date)s.") % {"date": new_end}}
        )
    if (new_end - quarantine.start_date).days > MAX_PERIOD_DAYS * 2:
        raise ValidationError(
            {
                "new_end": _("That is more than %(n)s days after the start; check the date.")
                % {"n": MAX_PERIOD_DAYS * 2}
            }
        )
    action = (
        ChangeAction.QUARANTINE_EXTEND
        if new_end > quarantine.planned_end
        else ChangeAction.QUARANTINE_REDUCE
    )
    evidence = check_evidence(action, reason, evidence_kind, evidence_ref, note)
    rows = _together(quarantine)
    payload = {
        "op": "quarantine_end_date",
        "quarantines": [q.pk for q in rows],
        "new_end": _iso(new_end),
    }
    changes = [
        draft(
            action,
            q.person,
            evidence,
            household=q.household,
            quarantine=q,
            from_value=q.planned_end.isoformat(),
            to_value=new_end.isoformat(),
        )
        for q in _with_people(rows)
    ]
    return submit(
        community=quarantine.community, by=by, changes=changes, payload=payload, source=source
    )


def _with_people(rows: list[Quarantine]) -> list[Quarantine]:
    people = Person.objects.in_bulk([q.person_id for q in rows])
    for row in rows:
        row.person = people[row.person_id]
    return rows


def _apply_end_date(
    payload: dict[str, Any], changes: list[StatusChange], actor: User
) -> Quarantine:
    new_end = dt.date.fromisoformat(
        payload["new_end"]
    )  # always given: do_change_quarantine_end checks
    rows: list[Quarantine] = list(
        Quarantine.objects.select_for_update().filter(pk__in=payload["quarantines"]).order_by("pk")
    )
    households: set[int] = set()
    for quarantine in rows:
        if quarantine.ended_on is not None:
            raise ValidationError(_("This quarantine has already ended."))
        if new_end < quarantine.start_date:
            raise ValidationError(_("A quarantine cannot end before it starts."))
        before = quarantine.audit_snapshot()
        quarantine.planned_end = new_end
        quarantine.version += 1
        quarantine.save(update_fields=["planned_end", "version", "updated"])
        record_change(AuditAction.UPDATE, quarantine, before=before, actor=actor)
        if quarantine.kind == QuarantineKind.HOME and quarantine.household_id:
            households.add(quarantine.household_id)
    for household in Household.objects.filter(pk__in=households).select_related("community"):
        sync_household_pass(household)
    return rows[0]


APPLIERS["quarantine_end_date"] = _apply_end_date


@transaction.atomic
def do_end_quarantine(
    quarantine: Quarantine,
    *,
    by: User,
    reason: str,
    evidence_kind: str,
    evidence_ref: str,
    note: str = "",
    ended_on: dt.date | None = None,
    source: str = ChangeSource.PAGE,
    expected_version: int | None = None,
) -> ChangeResult:
    """End a quarantine on a day with a reason; the household's pass follows."""
    quarantine = _locked_active(quarantine, by, expected_version)
    today = quarantine.community.local_today()
    ended_on = ended_on or today
    if ended_on > today:
        raise ValidationError(
            {
                "ended_on": _(
                    "A quarantine cannot end in the future; change its planned end instead."
                )
            }
        )
    if ended_on < quarantine.start_date:
        raise ValidationError(
            {
                "ended_on": _("A quarantine cannot end before it starts (%(date)s).")
                % {"date": quarantine.start_date}
            }
        )
    evidence = check_evidence(
        ChangeAction.QUARANTINE_END, reason, evidence_kind, evidence_ref, note
    )
    rows = _together(quarantine)
    payload = {
        "op": "quarantine_end",
        "quarantines": [q.pk for q in rows],
        "ended_on": _iso(ended_on),
        "reason": evidence.reason,
    }
    changes = [
        draft(
            ChangeAction.QUARANTINE_END,
            q.person,
            evidence,
            household=q.household,
            quarantine=q,
            from_value=q.kind,
            to_value=ended_on.isoformat(),
        )
        for q in _with_people(rows)
    ]
    return submit(
        community=quarantine.community, by=by, changes=changes, payload=payload, source=source
    )


def _apply_end(payload: dict[str, Any], changes: list[StatusChange], actor: User) -> Quarantine:
    ended_on = dt.date.fromisoformat(payload["ended_on"])  # always given: do_end_quarantine sets it
    rows: list[Quarantine] = list(
        Quarantine.objects.select_for_update().filter(pk__in=payload["quarantines"]).order_by("pk")
    )
    households: set[int] = set()
    for quarantine in rows:
        if quarantine.ended_on is not None:
            raise ValidationError(_("This quarantine has already ended."))
        before = quarantine.audit_snapshot()
        quarantine.ended_on = max(ended_on, quarantine.start_date)
        quarantine.end_reason = payload["reason"]
        quarantine.version += 1
        quarantine.save(update_fields=["ended_on", "end_reason", "version", "updated"])
        record_change(AuditAction.UPDATE, quarantine, before=before, actor=actor)
        if quarantine.kind == QuarantineKind.HOME and quarantine.household_id:
            households.add(quarantine.household_id)
    for household in Household.objects.filter(pk__in=households).select_related("community"):
        sync_household_pass(household)
    return rows[0]


APPLIERS["quarantine_end"] = _apply_end
