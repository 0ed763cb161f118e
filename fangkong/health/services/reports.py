"""Daily health reports: temperatures and symptoms of people under quarantine or monitoring,
the urgent task a fever or a new symptom raises, and the reports missing today.

The day is split into ``reports_per_day`` equal parts (two: before and after noon); one
report is due in each. Someone is *missing* today when they have fewer reports today than
parts of the day begun; the periodic check raises a follow-up task once for each part that
ended without its report.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.areas.models import Area
from fangkong.core.audit import record_change
from fangkong.core.choices import ChangeAction as AuditAction
from fangkong.core.querysets import require
from fangkong.core.validators import validate_temperature
from fangkong.health.choices import ReportSource, Symptom
from fangkong.health.clock import local_now, slot_of, slot_start
from fangkong.health.models import HealthPolicy, HealthReport, Quarantine
from fangkong.health.services.tasks import (
    TASK_FEVER,
    TASK_MISSING_REPORT,
    TASK_SYMPTOM,
    grid_of,
    raise_task,
)
from fangkong.registry.models import Person
from fangkong.staff.services.urgent import fever_reason, fever_text, raise_urgent_follow_up

if TYPE_CHECKING:
    from fangkong.accounts.models import User

MISSING_DUE = dt.timedelta(hours=2)
#: A device clock a little ahead of the server's is tolerated.
CLOCK_SKEW = dt.timedelta(minutes=5)


def _masked(name: str) -> str:
    from fangkong.screening.masking import mask_name

    return mask_name(name)


def monitoring_of(person: Person, day: dt.date | None = None) -> Quarantine | None:
    """The quarantine or monitoring a person is under (on ``day``), if any."""
    qs = Quarantine.objects.filter(person=person, ended_on__isnull=True)
    if day is not None:
        qs = qs.filter(start_date__lte=day)
    return qs.select_related("household__building", "community").first()


@transaction.atomic
def do_add_report(
    *,
    person: Person,
    temperature: Any,
    by: User | None,
    taken_at: dt.datetime | None = None,
    symptoms: Iterable[str] = (),
    notes: str = "",
    source: str = ReportSource.GRID_WORKER,
) -> HealthReport:
    """Record one report. A temperature at or above the community's fever threshold, or a
    symptom not reported before in this quarantine, raises an urgent task for the grid worker.
    """
    require(by, HealthReport, "add", person)
    community = person.community
    now = timezone.now()
    taken_at = taken_at or now
    if timezone.is_naive(taken_at):
        raise ValidationError({"taken_at": _("A time needs a time zone.")})
    if taken_at > now + CLOCK_SKEW:
        raise ValidationError({"taken_at": _("A report cannot be in the future.")})
    local = local_now(community, taken_at)
    quarantine = monitoring_of(person, local.date())
    if quarantine is None:
        raise ValidationError(
            {
                "person": _(
                    "%(name)s is not under quarantine or health monitoring; reports are kept only "
                    "for "
                    "people who are."
                )
                % {"name": person.name}
            }
        )
    try:
        value = validate_temperature(temperature)
    except ValidationError as exc:
        raise ValidationError({"temperature": exc.messages}) from None
    codes = set(symptoms or ())
    unknown = codes - set(Symptom.values)
    if unknown:
        raise ValidationError(
            {"symptoms": _("Unknown symptoms: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}}
        )
    notes = (notes or "").strip()
    if len(notes) > 300:
        raise ValidationError({"notes": _("Keep it under 300 characters.")})
    policy = HealthPolicy.objects.filter(community=community).first()
    per_day = policy.reports_per_day if policy else 2
    threshold = Decimal(str(community.fever_threshold))
    report = HealthReport(
        community=community,
        person=person,
        quarantine=quarantine,
        taken_at=taken_at,
        day=local.date(),
        slot=slot_of(local, per_day),
        temperature=value,
        symptoms=HealthReport.encode_symptoms(codes),
        is_fever=value >= threshold,
        notes=notes,
        source=source if source in ReportSource.values else ReportSource.API,
        entered_by=by if getattr(by, "is_authenticated", False) else None,
    )
    earlier: set[str] = set()
    for row in HealthReport.objects.filter(quarantine=quarantine).values_list(
        "symptoms", flat=True
    ):
        earlier.update(s for s in row.strip("|").split("|") if s)
    report.save()
    record_change(AuditAction.CREATE, report, actor=by)
    new = codes - earlier
    if report.is_fever or new:
        _urgent_task(report, quarantine, threshold, new)
    return report


def _urgent_task(
    report: HealthReport, quarantine: Quarantine, threshold: Decimal, new: set[str]
) -> None:
    """The staff module's urgent follow-up: the same task a fever answer on a screening call
    raises (one per person and day, whichever came first)."""
    person, community = report.person, report.community
    household = quarantine.household or person.household
    who = _masked(person.name)
    where = household.label if household is not None else community.name
    if report.is_fever:
        kind, reason = TASK_FEVER, fever_reason(report.day)
        title, description = fever_text(
            who=who, where=where, temperature=report.temperature, threshold=threshold
        )
    else:
        labels = dict(Symptom.choices)
        names = "、".join(str(labels[s]) for s in Symptom.values if s in new)
        kind, reason = TASK_SYMPTOM, f"symptom:{report.day}:{'|'.join(sorted(new))}"
        title = _("New symptom (%(symptoms)s): %(who)s, %(where)s") % {
            "symptoms": names,
            "who": who,
            "where": where,
        }
        description = _(
            "A symptom not reported before in this quarantine. Call now and tell "
            "the health officer."
        )
    task = raise_urgent_follow_up(
        community=community,
        household=household,
        link=person,
        kind=kind,
        reason=reason,
        title=title,
        description=description,
        worker=quarantine.grid_worker,
    )
    report.task_id = task.pk
    report.save(update_fields=["task_id"])


# --- Who has not reported -------------------------------------------------------------------


@dataclass
class Missing:
    """A person under monitoring with fewer reports today than parts of the day begun."""

    quarantine: Quarantine
    reported: int
    expected: int

    @property
    def person(self) -> Person:
        return self.quarantine.person


def expected_by(community: Area, now: dt.datetime, per_day: int) -> int:
    """Reports due today by ``now``: one for each part of the day that has begun."""
    return slot_of(local_now(community, now), per_day) + 1


def _policies(community_ids: set[int]) -> dict[int, int]:
    rows = dict(
        HealthPolicy.objects.filter(community_id__in=community_ids).values_list(
            "community_id", "reports_per_day"
        )
    )
    return {cid: rows.get(cid, 2) for cid in community_ids}


def missing_reports(
    quarantines: QuerySet[Quarantine], now: dt.datetime | None = None
) -> list[Missing]:
    """Of these (restricted) quarantines, the people behind on today's reports, in building
    order. A fixed number of queries: the quarantines with today's counts, the policies."""
    now = now or timezone.now()
    rows = list(_active_with_counts(quarantines, now))
    per_day = _policies({q.community_id for q in rows})
    missing = []
    for quarantine in rows:
        expected = expected_by(quarantine.community, now, per_day[quarantine.community_id])
        if quarantine.reports_today < expected:
            missing.append(Missing(quarantine, quarantine.reports_today, expected))
    return missing


def _active_with_counts(quarantines: QuerySet[Quarantine], now: dt.datetime) -> Any:
    """Active quarantines begun by today, each with ``reports_today``.

    The day is the community's own; communities of one deployment share a time zone in
    practice, so the day is taken in the zone of the first row (one query, not one per
    community)."""
    first = quarantines.filter(ended_on__isnull=True).select_related("community").first()
    if first is None:
        return quarantines.none()
    today = local_now(first.community, now).date()
    return (
        quarantines.filter(ended_on__isnull=True, start_date__lte=today)
        .select_related("person", "household__building", "community", "grid_worker")
        .annotate(reports_today=Count("reports", filter=Q(reports__day=today)))
        .order_by(
            "household__building__sort_key", "household__unit", "household__room", "person_id"
        )
    )


def check_missing_reports(now: dt.datetime | None = None) -> int:
    """Raise a follow-up task once for each part of a day that ended without its report:
    today's parts so far, and yesterday's last (run every half hour by ``tick``).

    Reads cost a fixed number of queries however many people are under quarantine: the
    quarantines, the policies, the day's report counts, the tasks already raised, the grid
    workers and officers. Only raising a new task writes (through the staff module)."""
    now = now or timezone.now()
    active = list(
        Quarantine.objects.filter(ended_on__isnull=True).select_related(
            "person", "household__building__grid", "community", "grid_worker"
        )
    )
    if not active:
        return 0
    per_day = _policies({q.community_id for q in active})
    by_person: dict[int, dict[dt.date, int]] = defaultdict(dict)
    since = timezone.localdate(now) - dt.timedelta(days=2)
    for person_id, day, n in (
        HealthReport.objects.filter(quarantine__ended_on__isnull=True, day__gte=since)
        .values_list("person_id", "day")
        .annotate(n=Count("pk"))
    ):
        by_person[person_id][day] = n
    due_now: list[tuple[Quarantine, dt.date, int, int, int]] = []
    for quarantine in active:
        n = per_day.get(quarantine.community_id, 2)
        local = local_now(quarantine.community, now)
        today = local.date()
        checks = [(today, slot_of(local, n))]  # parts of today fully over
        yesterday = today - dt.timedelta(days=1)
        if quarantine.start_date <= yesterday:
            checks.append((yesterday, n))
        for day, due in checks:
            if due <= 0 or day < quarantine.start_date:
                continue
            have = by_person[quarantine.person_id].get(day, 0)
            if have < due:
                due_now.append((quarantine, day, due, n, have))
    if not due_now:
        return 0
    raised_before = _raised_keys([(q, f"missing:{day}:{due}") for q, day, due, _n, _h in due_now])
    people = _people_to_call([q for q, *_rest in due_now])
    raised = 0
    for quarantine, day, due, n, have in due_now:
        key = (quarantine.community_id, quarantine.person_id, f"missing:{day}:{due}")
        if key in raised_before:
            continue
        _missing_task(quarantine, day, due, n, have, people)
        raised_before.add(key)
        raised += 1
    return raised


def _raised_keys(candidates: list[tuple[Quarantine, str]]) -> set[tuple[int, int, str]]:
    """Which of these (quarantine, reason) follow-ups were ever raised, in any state: one
    query on the tasks' indexed dedup key."""
    from fangkong.staff.models import Task
    from fangkong.staff.services.tasks import dedup_key

    keys = {
        dedup_key(q.community, q.person, TASK_MISSING_REPORT, reason): (
            q.community_id,
            q.person_id,
            reason,
        )
        for q, reason in candidates
    }
    found = Task.objects.filter(dedup_key__in=list(keys)).values_list("dedup_key", flat=True)
    return {keys[key] for key in found}


@dataclass
class _PeopleToCall:
    """The first active grid worker of each grid and officer of each community (by pk, as
    ``grid_worker_for`` and ``officer_of`` choose), loaded once for a whole check."""

    grid_workers: dict[int, Any]
    officers: dict[int, Any]


def _people_to_call(quarantines: list[Quarantine]) -> _PeopleToCall:
    from fangkong.accounts.choices import Role
    from fangkong.accounts.models import User

    grids = {
        q.household.building.grid_id
        for q in quarantines
        if q.household is not None and q.household.building.grid_id is not None
    }
    communities = {q.community_id for q in quarantines}
    workers: dict[int, Any] = {}
    officers: dict[int, Any] = {}
    for user in (
        User.objects.filter(is_active=True)
        .filter(
            Q(role=Role.GRID_WORKER, area_id__in=grids)
            | Q(role=Role.COMMUNITY_OFFICER, area_id__in=communities)
        )
        .order_by("pk")
    ):
        table = workers if user.role == Role.GRID_WORKER else officers
        table.setdefault(user.area_id, user)
    return _PeopleToCall(workers, officers)


def _missing_task(
    quarantine: Quarantine, day: dt.date, due: int, per_day: int, have: int, people: _PeopleToCall
) -> None:
    person, community = quarantine.person, quarantine.community
    reason = f"missing:{day}:{due}"
    household = quarantine.household
    grid = grid_of(household)
    where = household.label if household is not None else community.name
    raise_task(
        community=community,
        kind=TASK_MISSING_REPORT,
        link=person,
        reason=reason,
        title=_("Health report missing: %(who)s, %(where)s")
        % {"who": _masked(person.name), "where": where},
        description=_(
            "%(have)s of %(due)s reports due by %(time)s on %(day)s. Call and take the temperature."
        )
        % {
            "have": have,
            "due": due,
            "day": day,
            "time": slot_start(day, due, per_day, community).strftime("%H:%M")
            if due < per_day
            else "24:00",
        },
        assignee=quarantine.grid_worker
        or (people.grid_workers.get(grid.pk) if grid is not None else None)
        or people.officers.get(community.pk),
        area=grid or community,
        priority="high",
        due=timezone.now() + MISSING_DUE,
    )
