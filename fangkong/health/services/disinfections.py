"""The disinfection log (消杀) and the places overdue for it while a case is open."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.areas.models import Area
from fangkong.core.audit import record_change
from fangkong.core.choices import ChangeAction as AuditAction
from fangkong.core.querysets import require
from fangkong.health.choices import CASE_CLASSIFICATIONS, Disinfectant, Outcome, PlaceKind
from fangkong.health.clock import day_start
from fangkong.health.models import Case, Disinfection, HealthPolicy
from fangkong.registry.models import Building

if TYPE_CHECKING:
    from fangkong.accounts.models import User

#: A case keeps its places on the overdue list for this long after it was reported.
CASE_PLACE_DAYS = 28


@transaction.atomic
def do_record_disinfection(
    *,
    community: Area,
    by: User | None,
    place_kind: str,
    done_at: dt.datetime | None,
    agent: str,
    operator: str,
    concentration: str = "",
    building: Building | None = None,
    unit: int | None = None,
    checkpoint: Any = None,
    place_name: str = "",
    notes: str = "",
) -> Disinfection:
    """Record one disinfection of a place of ``community``."""
    require(by, Disinfection, "add", building if building is not None else community)
    errors: dict[str, str] = {}
    if place_kind not in PlaceKind.values:
        errors["place_kind"] = _("Choose the kind of place.")
    if place_kind in (PlaceKind.BUILDING, PlaceKind.UNIT):
        if building is None:
            errors["building"] = _("Choose the building.")
        elif building.community_id != community.pk:
            errors["building"] = _("Choose a building of this community.")
        if (
            place_kind == PlaceKind.UNIT
            and building is not None
            and not (unit and 1 <= unit <= building.units)
        ):
            errors["unit"] = _("Building %(building)s has units 1 to %(units)s.") % {
                "building": building,
                "units": building.units,
            }
    if place_kind == PlaceKind.GATE:
        if checkpoint is None:
            errors["checkpoint"] = _("Choose the gate.")
        elif checkpoint.community_id != community.pk:
            errors["checkpoint"] = _("Choose a gate of this community.")
    place_name = (place_name or "").strip()
    if place_kind in (PlaceKind.PUBLIC_AREA, PlaceKind.SHOP) and not place_name:
        errors["place_name"] = _("Name the place.")
    if agent not in Disinfectant.values:
        errors["agent"] = _("Choose the disinfectant.")
    operator = (operator or "").strip()
    if not operator:
        errors["operator"] = _("Say who did it.")
    now = timezone.now()
    done_at = done_at or now
    if timezone.is_naive(done_at):
        errors["done_at"] = _("A time needs a time zone.")
    elif done_at > now + dt.timedelta(minutes=5):
        errors["done_at"] = _("A disinfection cannot be recorded in advance.")
    if errors:
        raise ValidationError(errors)
    row = Disinfection(
        community=community,
        place_kind=place_kind,
        building=building if place_kind in (PlaceKind.BUILDING, PlaceKind.UNIT) else None,
        unit=unit if place_kind == PlaceKind.UNIT else None,
        checkpoint=checkpoint if place_kind == PlaceKind.GATE else None,
        place_name=place_name if place_kind in (PlaceKind.PUBLIC_AREA, PlaceKind.SHOP) else "",
        done_at=done_at,
        agent=agent,
        concentration=(concentration or "").strip()[:50],
        operator=operator[:100],
        notes=(notes or "").strip()[:300],
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    row.full_clean(exclude=["community", "building", "checkpoint", "recorded_by"])
    row.save()
    record_change(AuditAction.CREATE, row, actor=by)
    return row


@dataclass
class OverduePlace:
    """A place of an open case (or a gate of its community) not disinfected in time."""

    label: str
    kind: str
    since: dt.date
    last: dt.datetime | None
    days: int | None
    building_id: int | None = None
    unit: int | None = None
    checkpoint_id: int | None = None


def _case_places(
    open_cases: list[Case],
) -> tuple[dict[int, dt.date], dict[tuple[Any, ...], tuple[str, str, int, dt.date]]]:
    """Each community's first open case, and the building and unit of every case, each
    with the date of its first case."""
    first_case: dict[int, dt.date] = {}
    places: dict[tuple[Any, ...], tuple[str, str, int, dt.date]] = {}
    for case in open_cases:
        first_case.setdefault(case.community_id, case.report_date)
        if case.building_id is None:
            continue
        places.setdefault(
            ("b", case.building_id, None),
            (str(case.building), PlaceKind.BUILDING, case.community_id, case.report_date),
        )
        if case.unit:
            label = _("%(building)s unit %(unit)s") % {"building": case.building, "unit": case.unit}
            places.setdefault(
                ("u", case.building_id, case.unit),
                (label, PlaceKind.UNIT, case.community_id, case.report_date),
            )
    return first_case, places


def overdue_places(
    cases: QuerySet[Case], disinfections: QuerySet[Disinfection], now: dt.datetime | None = None
) -> list[OverduePlace]:
    """Places linked to open cases — their building and unit — and the gates of their
    communities, whose last disinfection is older than the community's interval.

    ``cases`` and ``disinfections`` come restricted to the user's area. Five queries.
    """
    from fangkong.staff.models import Checkpoint

    now = now or timezone.now()
    recent = timezone.localdate(now) - dt.timedelta(days=CASE_PLACE_DAYS)
    open_cases = list(
        cases.filter(
            classification__in=CASE_CLASSIFICATIONS,
            outcome__in=["", Outcome.IN_HOSPITAL],
            report_date__gte=recent,
        )
        .select_related("building", "community")
        .order_by("report_date", "pk")
    )
    if not open_cases:
        return []
    communities = {c.community_id: c.community for c in open_cases}
    interval = dict(
        HealthPolicy.objects.filter(community_id__in=communities).values_list(
            "community_id", "disinfection_days"
        )
    )
    first_case, places = _case_places(open_cases)
    gates = Checkpoint.objects.filter(community_id__in=communities, is_open=True).order_by(
        "community", "name", "pk"
    )
    for gate in gates:
        places[("g", gate.pk, None)] = (
            gate.name,
            PlaceKind.GATE,
            gate.community_id,
            first_case[gate.community_id],
        )
    last_building = dict(
        disinfections.filter(building__isnull=False, place_kind=PlaceKind.BUILDING)
        .values("building")
        .annotate(last=Max("done_at"))
        .values_list("building", "last")
    )
    last_unit = {
        (b, u): t
        for b, u, t in disinfections.filter(place_kind=PlaceKind.UNIT)
        .values("building", "unit")
        .annotate(last=Max("done_at"))
        .values_list("building", "unit", "last")
    }
    last_gate = dict(
        disinfections.filter(checkpoint__isnull=False)
        .values("checkpoint")
        .annotate(last=Max("done_at"))
        .values_list("checkpoint", "last")
    )
    overdue = []
    for (kind, key, unit), (label, place_kind, community_id, since) in places.items():
        if kind == "b":
            units = [t for (b, _u), t in last_unit.items() if b == key]
            last = max([t for t in (last_building.get(key), *units) if t], default=None)
        elif kind == "u":
            last = max(
                [t for t in (last_building.get(key), last_unit.get((key, unit))) if t], default=None
            )
        else:
            last = last_gate.get(key)
        days = interval.get(community_id, 1)
        since_start = day_start(since, communities[community_id])
        if last is not None and last >= since_start and now - last < dt.timedelta(days=days):
            continue
        counted = last if last is not None and last >= since_start else None
        overdue.append(
            OverduePlace(
                label=label,
                kind=place_kind,
                since=since,
                last=counted,
                days=(now - counted).days if counted else None,
                building_id=key if kind in ("b", "u") else None,
                unit=unit,
                checkpoint_id=key if kind == "g" else None,
            )
        )
    return overdue
