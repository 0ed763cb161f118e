"""Demo health data for 在水一方社区, after the origin story: the first case was in 东园一
(building 1 of 东园), was taken to a designated hospital, the building was disinfected, and
the case's household and a few returnees were put under home quarantine or monitoring with
temperatures twice a day.

* a confirmed case in a household of 东园1号楼, reported a week ago, in hospital;
* its household members as household contacts, under home quarantine (their pass
  suspended through the access service, a delivery task for the grid worker) with a week of
  reports — one of them has not reported today, one has a fever today;
* three returnees from a high-risk area under health monitoring, in other buildings;
* disinfection records of the building, its units, the gates and a public area — one gate
  left overdue so the list has something to say.

Generated people only (the registry's), times computed from now so "today" always has
rows, the rest drawn from ``random.Random("2020:health")``. Changes are recorded as system
work and then attributed to ``demo-health`` on their real (past) dates, so they do not fill
today's four-eyes count: the demo's health officer can act at once.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q
from django.utils import timezone

from fangkong.areas.models import Area
from fangkong.core.demo import DemoContext
from fangkong.health import services
from fangkong.health.choices import (
    ChangeReason,
    Classification,
    ContactKind,
    Disinfectant,
    EvidenceKind,
    Outcome,
    PlaceKind,
    QuarantineKind,
    Symptom,
    TakenTo,
)
from fangkong.health.clock import day_start, local_now, slot_of
from fangkong.health.models import (
    Case,
    Contact,
    Disinfection,
    HealthPolicy,
    HealthReport,
    Quarantine,
    StatusChange,
)
from fangkong.registry.choices import PersonStatus
from fangkong.registry.models import Building, Household, Person

if TYPE_CHECKING:
    from fangkong.accounts.models import User

ORDER = 70
CASE_DAYS_AGO = 7
HOSPITAL = "市定点医院"
RETURNEES = 3
REPORT_HOURS = (8, 15)
DISINFECTION_TEAM = "社区消杀队"
PUBLIC_AREA = "东园健身广场"


def _story_building(community: Any) -> Building:
    """东园1号楼: building number 1 of the 东园 section (the story's 东园一)."""
    buildings = Building.objects.filter(community=community)
    building: Building | None = (
        buildings.filter(number="1").first() or buildings.order_by("sort_key", "pk").first()
    )
    if building is None:
        raise ValueError("the registry's demo gives the community its buildings first")
    return building


def _household_of_at_least(building: Building, size: int) -> Household:
    households = (
        Household.objects.filter(building=building, is_active=True)
        .annotate(n=Count("members", filter=Q(members__status=PersonStatus.ACTIVE)))
        .filter(n__gte=size)
        .order_by("unit", "room", "pk")
    )
    household: Household | None = (
        households.first() or Household.objects.filter(building=building).first()
    )
    if household is None:
        raise ValueError("the registry's demo gives every building its households first")
    return household


def _taken_at(
    community: Any, day: dt.date, hour: int, minute: int, now: dt.datetime
) -> dt.datetime | None:
    """A report's time on ``day``, or None when that moment has not come yet today."""
    at = day_start(day, community) + dt.timedelta(hours=hour, minutes=minute)
    return at if at <= now - dt.timedelta(minutes=1) else None


def _reports(
    ctx: DemoContext,
    rng: Any,
    person: Person,
    start: dt.date,
    *,
    skip_today: bool,
    fever_today: bool,
    now: dt.datetime,
) -> int:
    community = person.community
    today = local_now(community, now).date()
    made = 0
    day = start
    while day <= today:
        times = [_taken_at(community, day, hour, rng.randint(0, 40), now) for hour in REPORT_HOURS]
        if day == today:
            if skip_today:
                break
            # Today's reports so far: one for each part of the day begun, the first early.
            begun = slot_of(local_now(community, now), len(REPORT_HOURS)) + 1
            midnight = day_start(day, community)
            noon = midnight + dt.timedelta(hours=12)
            times = [
                times[0] or midnight + (now - midnight) / 3,
                (times[1] or noon + (now - noon) / 2) if begun > 1 else None,
            ]
        for index, at in enumerate(t for t in times if t is not None):
            feverish = fever_today and day == today and index == 0
            temperature = (
                Decimal("38.2")
                if feverish
                else Decimal(rng.choice(("36.2", "36.4", "36.5", "36.6", "36.8")))
            )
            symptoms = [Symptom.COUGH, Symptom.FATIGUE] if feverish else []
            services.do_add_report(
                person=person, temperature=temperature, by=None, taken_at=at, symptoms=symptoms
            )
            made += 1
        day += dt.timedelta(days=1)
    return made


def _past(at: dt.datetime, now: dt.datetime) -> dt.datetime:
    """Today's rows happen no later than a moment ago."""
    return min(at, now - dt.timedelta(minutes=5))


def _attribute(changes: Any, user: User, when: dt.datetime) -> None:
    """Changes recorded as system work, attributed to the demo's health officer on the day
    they were made (outside today's four-eyes window)."""
    if user is None:
        return
    StatusChange.objects.filter(pk__in=[c.pk for c in changes]).update(
        proposed_by=user, proposed_by_name=str(user), proposer_role=user.role, created=when
    )


def _case_story(
    ctx: DemoContext,
    rng: random.Random,
    community: Area,
    health: Any,
    now: dt.datetime,
    today: dt.date,
) -> tuple[Case, Building, int]:
    """The case, its household under home quarantine and their reports: (the case, its
    building, the reports made)."""
    # The case, in hospital since a week ago
    building = _story_building(community)
    household = _household_of_at_least(building, 4)
    members = list(
        Person.objects.filter(household=household, status=PersonStatus.ACTIVE)
        .select_related("household__building", "community")
        .order_by("pk")
    )
    patient = members[0]
    reported = today - dt.timedelta(days=CASE_DAYS_AGO)
    opened = services.do_open_case(
        person=patient,
        classification=Classification.CONFIRMED,
        report_date=reported,
        onset_date=reported - dt.timedelta(days=2),
        confirmation_date=reported,
        isolated_on=reported,
        taken_to=TakenTo.HOSPITAL,
        taken_to_name=HOSPITAL,
        outcome=Outcome.IN_HOSPITAL,
        by=None,
        reason=ChangeReason.POSITIVE_TEST,
        evidence_kind=EvidenceKind.TEST_RESULT,
        evidence_ref=f"区疾控核酸检测报告 {reported:%Y%m%d}-{rng.randint(100, 999)}",
    )
    case = opened.obj
    _attribute(opened.changes, health, day_start(reported, community) + dt.timedelta(hours=10))

    # Its household under home quarantine, counted from the day the case was isolated
    for member in members[1:]:
        services.do_add_contact(
            case=case,
            person=member,
            kind=ContactKind.HOUSEHOLD,
            last_exposure=reported,
            how="共同居住",
            by=None,
        )
    started = services.do_start_quarantine(
        household=household,
        kind=QuarantineKind.HOME,
        by=None,
        reason=ChangeReason.HOUSEHOLD_CONTACT,
        evidence_kind=EvidenceKind.CONTACT_LINK,
        evidence_ref=f"病例{case.pk}同住人员",
        start_date=reported,
        last_exposure=reported,
    )
    _attribute(started.changes, health, day_start(reported, community) + dt.timedelta(hours=14))
    contacts = {c.person_id: c for c in Contact.objects.filter(case=case)}
    for quarantine in Quarantine.objects.filter(batch=started.changes[0].batch):
        Quarantine.objects.filter(pk=quarantine.pk).update(
            contact=contacts.get(quarantine.person_id)
        )
    quarantined = members[1:]
    reports = 0
    for index, member in enumerate(quarantined):
        reports += _reports(
            ctx,
            rng,
            member,
            reported,
            now=now,
            skip_today=index == len(quarantined) - 1,
            fever_today=index == 0,
        )
    return case, building, reports


def _returnees(
    ctx: DemoContext,
    rng: random.Random,
    community: Area,
    building: Building,
    health: Any,
    now: dt.datetime,
    today: dt.date,
) -> int:
    """Returnees under health monitoring elsewhere, with their reports (how many)."""
    # Returnees under health monitoring, in other buildings of other grids
    others = list(
        Household.objects.filter(community=community, is_active=True)
        .exclude(building=building)
        .order_by("building__sort_key", "unit", "room", "pk")
    )  # pk: the same each time
    rng.shuffle(others)
    returnees = reports = 0
    for other in others:
        if returnees >= RETURNEES:
            break
        person = (
            Person.objects.filter(household=other, status=PersonStatus.ACTIVE)
            .order_by("pk")
            .first()
        )
        if person is None or (person.age or 0) < 18:
            continue
        back = today - dt.timedelta(days=rng.randint(2, 5))
        monitored = services.do_start_quarantine(
            person=person,
            kind=QuarantineKind.MONITORING,
            by=None,
            reason=ChangeReason.RISK_AREA,
            evidence_kind=EvidenceKind.OFFICIAL_NOTICE,
            evidence_ref=f"返沈人员登记 {back:%m%d}-{rng.randint(10, 99)}",
            start_date=back,
            last_exposure=back,
        )
        _attribute(monitored.changes, health, day_start(back, community) + dt.timedelta(hours=16))
        reports += _reports(ctx, rng, person, back, now=now, skip_today=False, fever_today=False)
        returnees += 1
    return reports


def _disinfections(
    rng: random.Random, community: Area, building: Building, now: dt.datetime, today: dt.date
) -> int:
    """Disinfections since the case (how many)."""
    # Disinfection: the building daily since the case, its units, the gates, a public area
    from fangkong.staff.models import Checkpoint

    gates = list(Checkpoint.objects.filter(community=community).order_by("name", "pk"))
    made = 0
    for days_ago in range(CASE_DAYS_AGO, -1, -1):
        day = today - dt.timedelta(days=days_ago)
        at = day_start(day, community) + dt.timedelta(hours=9, minutes=rng.randint(0, 50))
        at = _past(at, now)
        services.do_record_disinfection(
            community=community,
            by=None,
            place_kind=PlaceKind.BUILDING,
            building=building,
            done_at=at,
            agent=Disinfectant.CHLORINE,
            concentration="500 mg/L",
            operator=DISINFECTION_TEAM,
        )
        made += 1
        if days_ago == CASE_DAYS_AGO:
            for unit in range(1, building.units + 1):
                services.do_record_disinfection(
                    community=community,
                    by=None,
                    place_kind=PlaceKind.UNIT,
                    building=building,
                    unit=unit,
                    done_at=_past(at + dt.timedelta(minutes=30 * unit), now),
                    agent=Disinfectant.CHLORINE_DIOXIDE,
                    concentration="100 mg/L",
                    operator=DISINFECTION_TEAM,
                )
                made += 1
        # The first gate every day; the others only until two days ago (now overdue).
        for index, gate in enumerate(gates):
            if index > 0 and days_ago < 2:
                continue
            services.do_record_disinfection(
                community=community,
                by=None,
                place_kind=PlaceKind.GATE,
                checkpoint=gate,
                done_at=_past(at - dt.timedelta(hours=1), now),
                agent=Disinfectant.CHLORINE,
                concentration="1000 mg/L",
                operator="门岗值班员",
            )
            made += 1
        if days_ago % 2 == 0:
            services.do_record_disinfection(
                community=community,
                by=None,
                place_kind=PlaceKind.PUBLIC_AREA,
                place_name=PUBLIC_AREA,
                done_at=_past(at + dt.timedelta(hours=2), now),
                agent=Disinfectant.CHLORINE,
                concentration="500 mg/L",
                operator=DISINFECTION_TEAM,
            )
            made += 1
    return made


def seed(ctx: DemoContext) -> None:
    rng = ctx.random("health")
    community = ctx.areas["community"]
    health = ctx.users.get("demo-health")
    now = timezone.now()
    today = local_now(community, now).date()
    HealthPolicy.objects.get_or_create(community=community)
    HealthPolicy.objects.get_or_create(community=ctx.areas["community2"])

    case, building, reports = _case_story(ctx, rng, community, health, now, today)
    reports += _returnees(ctx, rng, community, building, health, now, today)
    made = _disinfections(rng, community, building, now, today)

    ctx.extra["health_case"] = case
    ctx.count("health cases", 1)
    ctx.count(
        "health people under quarantine or monitoring",
        Quarantine.objects.filter(community=community, ended_on__isnull=True).count(),
    )
    ctx.count("health reports", reports)
    ctx.count("disinfections", made)


def find(ctx: DemoContext) -> bool:
    community = ctx.areas.get("community")
    if community is not None:
        case = Case.objects.filter(community=community).order_by("pk").first()
        if case is not None:
            ctx.extra["health_case"] = case
            ctx.count("health cases", Case.objects.filter(community=community).count())
    return False  # the areas decide whether the demo exists


def unseed(ctx: DemoContext) -> None:
    communities = [ctx.areas[k] for k in ("community", "community2") if k in ctx.areas]
    if not communities:
        return
    in_demo = Q(community__in=communities)
    # Children before the rows they PROTECT.
    StatusChange.objects.filter(in_demo).delete()
    HealthReport.objects.filter(in_demo).delete()
    Quarantine.objects.filter(in_demo).delete()
    Case.objects.filter(in_demo).update(source_contact=None)
    Contact.objects.filter(in_demo).delete()
    Case.objects.filter(in_demo).delete()
    Disinfection.objects.filter(in_demo).delete()
    HealthPolicy.objects.filter(in_demo).delete()
    ctx.extra.pop("health_case", None)
