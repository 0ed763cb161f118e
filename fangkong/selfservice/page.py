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


def member_views(household: Household) -> list[MemberView]:
    from fangkong.health.choices import Classification, Outcome
    from fangkong.health.clock import local_now, slot_of
    from fangkong.health.models import Case, HealthPolicy, HealthReport, Quarantine
    from fangkong.health.services.status import person_health_status

    people = members(household)
    community = household.community
    local = local_now(community)
    today = local.date()
    policy = HealthPolicy.objects.filter(community=community).first()
    per_day = policy.reports_per_day if policy else 2
    slot = slot_of(local, per_day)
    monitored = set(
        Quarantine.objects.filter(
            person__in=people, ended_on__isnull=True, start_date__lte=today
        ).values_list("person_id", flat=True)
    )
    reports: dict[int, list[int]] = {}
    for person_id, report_slot in HealthReport.objects.filter(
        person__in=people, day=today
    ).values_list("person_id", "slot"):
        reports.setdefault(person_id, []).append(report_slot)
    # The full status (reason, evidence, whom to call) only for members under a measure:
    # most households have none, and the page stays a dozen queries.
    measured = set(
        Quarantine.objects.filter(person__in=people, ended_on__isnull=True).values_list(
            "person_id", flat=True
        )
    ) | set(
        Case.objects.filter(person__in=people)
        .exclude(classification=Classification.EXCLUDED)
        .filter(outcome__in=["", Outcome.IN_HOSPITAL])
        .values_list("person_id", flat=True)
    )
    views = []
    for person in people:
        person.community = community  # one community row for every member's status
        status = person_health_status(person, today=today) if person.pk in measured else None
        view = MemberView(
            person=person,
            name=masked_name(person.name),
            relation=str(person.get_relation_display()) if person.relation else "",
            status=status if status is not None and status["status"] != "none" else None,
            monitored=person.pk in monitored,
            reported_today=len(reports.get(person.pk, [])),
            due_today=per_day,
            reported_this_part=slot in reports.get(person.pk, []),
        )
        views.append(view)
    return views


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
