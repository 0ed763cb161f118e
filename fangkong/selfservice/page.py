"""What the household page shows, gathered from the modules that own it.

The pass: the gate's own decision (``access.services.standing``) for an exit now. Health:
``health.services.status.person_health_status`` for each member (status, reason, until),
and who is under monitoring and has reported in this part of the day. Staff are named by
role only; whom to call is the community office's phone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from fangkong.core.household_page import rendered_context
from fangkong.registry.models import Household, Person
from fangkong.selfservice.choices import CorrectionStatus
from fangkong.selfservice.models import Correction, HouseholdLink
from fangkong.selfservice.services import members


def masked_name(name: str) -> str:
    from fangkong.screening.masking import mask_name

    return mask_name(name)


@dataclass
class PassView:
    serial_tail: str
    state: str
    allowed: bool
    reason: str
    left: int | None
    next_allowed_at: Any


@dataclass
class MemberView:
    person: Person
    name: str
    relation: str
    status: dict[str, Any] | None = None
    monitored: bool = False
    reported_today: int = 0
    due_today: int = 0
    reported_this_part: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def pass_views(household: Household) -> list[PassView]:
    from fangkong.access.choices import PassStatus
    from fangkong.access.models import Pass
    from fangkong.access.services import reason_text, standing

    views = []
    community = household.community
    for item in Pass.objects.filter(
        household=household, status__in=[PassStatus.ACTIVE, PassStatus.SUSPENDED]
    ).order_by("pk"):
        item.community = community  # the row at hand, not a query
        now = standing(item)
        outcome = now.outcome
        views.append(
            PassView(
                serial_tail=item.serial[-4:],
                state=str(item.get_status_display()),
                allowed=outcome.allowed,
                reason=reason_text(outcome.reason_code, outcome.next_allowed_at, community),
                left=now.left,
                next_allowed_at=now.next_allowed_at,
            )
        )
    return views


def _statuses(
    people: list[Person], household: Household, today: Any
) -> tuple[dict[int, dict[str, Any]], set[int]]:
    """Each member's health status under a measure (the health module's ranking: a case
    outranks a quarantine) and who is under monitoring today, in a constant number of
    queries: one each for cases, open quarantines and applied changes, and whom to call
    once for the household (the same grid worker and officers for every member)."""
    from fangkong.health.choices import ChangeStatus, Classification, Outcome, PersonStatus
    from fangkong.health.models import Case, Quarantine, StatusChange
    from fangkong.health.services.status import _contacts, _current

    ids = [p.pk for p in people]
    cases: dict[int, Any] = {}
    for case in (
        Case.objects.filter(person_id__in=ids)
        .exclude(classification=Classification.EXCLUDED)
        .filter(outcome__in=["", Outcome.IN_HOSPITAL])
        .order_by("-report_date", "-pk")
    ):
        cases.setdefault(case.person_id, case)
    quarantines: dict[int, Any] = {}
    monitored: set[int] = set()
    for quarantine in Quarantine.objects.filter(person_id__in=ids, ended_on__isnull=True).order_by(
        "-start_date", "-pk"
    ):
        quarantines.setdefault(quarantine.person_id, quarantine)
        if quarantine.start_date <= today:
            monitored.add(quarantine.person_id)
    measured = set(cases) | set(quarantines)
    if not measured:  # most households: no measure, no more queries
        return {}, monitored
    applied: dict[int, list[Any]] = {}
    for change in StatusChange.objects.filter(
        person_id__in=measured, status__in=[ChangeStatus.APPLIED, ChangeStatus.APPROVED]
    ).order_by("-created", "-pk"):
        applied.setdefault(change.person_id, []).append(change)
    first = next(p for p in people if p.pk in measured)
    contacts = _contacts(first) or [{"role": "", "role_label": _("Community office")}]
    labels = dict(PersonStatus.choices)
    statuses: dict[int, dict[str, Any]] = {}
    for pk in measured:
        status, since, until, behind = _current(
            cases.get(pk), quarantines.get(pk), applied.get(pk, [])
        )
        if status == PersonStatus.NONE:
            continue
        statuses[pk] = {
            "status": status,
            "label": str(labels[status]),
            "since": since,
            "until": until,
            "reason_label": str(behind.get_reason_display()) if behind is not None else "",
            "contacts": contacts,
        }
    return statuses, monitored


def member_views(household: Household) -> list[MemberView]:
    from fangkong.health.clock import local_now, slot_of
    from fangkong.health.models import HealthPolicy, HealthReport

    people = members(household)
    community = household.community
    for person in people:  # the rows at hand, not a query per member
        person.community = community
        person.household = household
    local = local_now(community)
    today = local.date()
    policy = HealthPolicy.objects.filter(community=community).first()
    per_day = policy.reports_per_day if policy else 2
    slot = slot_of(local, per_day)
    reports: dict[int, list[int]] = {}
    for person_id, report_slot in HealthReport.objects.filter(
        person__in=[p.pk for p in people], day=today
    ).values_list("person_id", "slot"):
        reports.setdefault(person_id, []).append(report_slot)
    statuses, monitored = _statuses(people, household, today)
    return [
        MemberView(
            person=person,
            name=masked_name(person.name),
            relation=str(person.get_relation_display()) if person.relation else "",
            status=statuses.get(person.pk),
            monitored=person.pk in monitored,
            reported_today=len(reports.get(person.pk, [])),
            due_today=per_day,
            reported_this_part=slot in reports.get(person.pk, []),
        )
        for person in people
    ]


def section_html(household: Household, request: Any) -> list[tuple[Any, SafeString]]:
    """The other modules' sections, rendered (see ``core.household_page``)."""
    return [
        (section, render_to_string(section.template, context, request))
        for section, context in rendered_context(household)
    ]


def corrections_of(household: Household) -> list[Correction]:
    return list(
        Correction.objects.filter(household=household)
        .select_related("person")
        .order_by("-created", "-pk")[:10]
    )


def page_context(link: HouseholdLink, request: Any) -> dict[str, Any]:
    household = link.household
    return {
        "link": link,
        "household": household,
        "community": household.community,
        "office_phone": household.community.contact_phone,
        "members": member_views(household),
        "passes": pass_views(household),
        "corrections": corrections_of(household),
        "pending": CorrectionStatus.PENDING,
        "sections": section_html(household, request),
        "now": timezone.now(),
    }
