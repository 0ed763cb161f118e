"""The dashboards: one page per area — a community, a street, a district — read in ten
seconds on a phone. Today's key numbers with their change from the day before, 30-day
trends, the least-covered grids or communities, overdue tasks, late reports, and for a
community the buildings with cases.

Every figure comes from STORED rows (``CommunityFigure``, ``fangkong.reports.daily``): a
street's and a district's are the sums ``roll_up`` stored under the area itself, so the
trends of a district are one query on its own ~40 keys a day, as a community's are; the
lists of communities (least covered, most tasks overdue) are ordered and cut in the
database. A fixed number of queries whatever the number of communities below, and no recount
of raw rows above a community (``bench/reports.py`` measures it). A community's page adds
what only one community has: its grids' stored screening coverage and its building grid
(three grouped queries on its own rows).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import F, IntegerField, Q, Sum
from django.db.models.functions import Cast
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fangkong.areas.choices import CHILD_LEVEL, AreaLevel
from fangkong.areas.models import Area
from fangkong.reports import daily
from fangkong.reports.models import CommunityFigure

if TYPE_CHECKING:
    from fangkong.accounts.models import User

#: Days a trend shows, the last stored day included.
TREND_DAYS = 30
#: Rows of each "least / most" list.
LIST_ROWS = 5

OPEN_CASES = ("cases.confirmed", "cases.suspected", "cases.asymptomatic")
IN_QUARANTINE = ("quarantine.home", "quarantine.centralised")
SCREENED = ("screening.reached", "screening.pending", "screening.unreachable")


def _sum(keys: tuple[str, ...]) -> Any:
    return lambda f: sum(f.get(key, 0) for key in keys)


def coverage(figures: dict[str, int]) -> int | None:
    """Households reached by screening, in percent of those to reach (None: none to reach)."""
    total = sum(figures.get(key, 0) for key in SCREENED)
    return round(figures.get("screening.reached", 0) * 100 / total) if total else None


#: The measures a dashboard shows, each computed from one day's stored figures.
MEASURES: dict[str, tuple[str | Promise, Any]] = {
    "new_cases": (_("New cases"), lambda f: f.get("cases.new", 0)),
    "open_cases": (_("Open cases"), _sum(OPEN_CASES)),
    "quarantine_home": (_("Home quarantine"), lambda f: f.get("quarantine.home", 0)),
    "quarantine_central": (
        _("Centralised quarantine"),
        lambda f: f.get("quarantine.centralised", 0),
    ),
    "in_quarantine": (_("People in quarantine"), _sum(IN_QUARANTINE)),
    "coverage": (_("Screening coverage (%)"), coverage),
    "exits": (_("Exits"), lambda f: f.get("gate.exits", 0)),
    "overdue_tasks": (_("Overdue tasks"), lambda f: f.get("tasks.overdue", 0)),
    "reports_missing": (_("Health reports missing"), lambda f: f.get("reports.missing", 0)),
}
#: The key numbers at the top, and those whose rise needs someone (red above zero).
KEY_NUMBERS = ("new_cases", "open_cases", "in_quarantine", "coverage", "exits", "overdue_tasks")
ALERTING = frozenset({"new_cases", "overdue_tasks"})


@dataclass(frozen=True)
class TrendSpec:
    key: str
    title: str | Promise
    series: tuple[tuple[str, str], ...]  # (measure, "bar" | "line")
    percent: bool = False


TRENDS = (
    TrendSpec("cases", _("Cases"), (("new_cases", "bar"), ("open_cases", "line"))),
    TrendSpec(
        "quarantine",
        _("People in quarantine"),
        (("quarantine_home", "line"), ("quarantine_central", "line")),
    ),
    TrendSpec("coverage", _("Screening coverage"), (("coverage", "line"),), percent=True),
    TrendSpec("exits", _("Exits per day"), (("exits", "bar"),)),
)


@dataclass
class KeyNumber:
    key: str
    label: str | Promise
    value: int | None
    change: int | None
    alert: bool


@dataclass
class Trend:
    """One chart and the table behind it: a row per day, a column per series."""

    key: str
    title: str | Promise
    percent: bool
    names: list[str]
    rows: list[tuple[dt.date, list[int | None]]]
    chart: dict[str, Any] = field(default_factory=dict)  # what dashboard.js draws


@dataclass
class Ranked:
    """A row of a "least covered" or "most overdue" list."""

    pk: int
    name: str
    value: int
    detail: str = ""


@dataclass
class Dashboard:
    area: Area
    today: dt.date
    day: dt.date | None  # the last day stored (today, or earlier when nothing newer is)
    numbers: list[KeyNumber]
    trends: list[Trend]
    least_covered: list[Ranked]
    most_overdue: list[Ranked]
    reports: dict[str, Any]
    buildings: list[Any] | None = None
    marked_buildings: int = 0
    child_level: str = ""


def measures(figures: dict[str, int] | None) -> dict[str, int | None]:
    if figures is None:
        return dict.fromkeys(MEASURES)
    return {key: compute(figures) for key, (_label, compute) in MEASURES.items()}


def key_numbers(latest: dict[str, int] | None, before: dict[str, int] | None) -> list[KeyNumber]:
    now, then = measures(latest), measures(before)
    numbers = []
    for key in KEY_NUMBERS:
        value, previous = now[key], then[key]
        change = value - previous if value is not None and previous is not None else None
        numbers.append(
            KeyNumber(
                key=key,
                label=MEASURES[key][0],
                value=value,
                change=change,
                alert=key in ALERTING and bool(value),
            )
        )
    return numbers


def trends(days: list[dt.date], stored: dict[dt.date, dict[str, int]]) -> list[Trend]:
    """Each trend's table (a row per day; None where the day is not stored) and the data
    its chart draws (the same numbers)."""
    per_day = {day: measures(stored.get(day)) for day in days}
    found = []
    for spec in TRENDS:
        names = [str(MEASURES[measure][0]) for measure, _kind in spec.series]
        rows = [(day, [per_day[day][m] for m, _kind in spec.series]) for day in days]
        chart = {
            "days": [day.strftime("%m-%d") for day in days],
            "percent": spec.percent,
            "series": [
                {"name": name, "type": kind, "data": [per_day[day][m] for day in days]}
                for name, (m, kind) in zip(names, spec.series, strict=True)
            ],
        }
        found.append(Trend(spec.key, spec.title, spec.percent, names, rows, chart))
    return found


def _below(area: Area) -> Any:
    return daily.communities_below(area).values("pk")


def least_covered_communities(area: Area, day: dt.date) -> list[Ranked]:
    """The communities below ``area`` with the smallest share of households reached by
    screening on ``day``, from their stored figures: grouped, ordered and cut in the
    database (one query, whatever the number of communities)."""
    reached = Sum("value", filter=Q(key="screening.reached"))
    rows = (
        CommunityFigure.objects.filter(community_id__in=_below(area), day=day, key__in=SCREENED)
        .order_by()
        .values("community_id", "community__name")
        .annotate(reached=reached, total=Sum("value"))
        .filter(total__gt=0)
        .annotate(per_mille=Cast(F("reached") * 1000 / F("total"), IntegerField()))
        .order_by("per_mille", "community_id")[:LIST_ROWS]
    )
    return [
        Ranked(
            row["community_id"],
            row["community__name"],
            round(row["reached"] * 100 / row["total"]),
            f"{row['reached']} / {row['total']}",
        )
        for row in rows
    ]


def most_overdue_communities(area: Area, day: dt.date) -> list[Ranked]:
    """The communities below ``area`` with the most tasks overdue on ``day`` (stored), most
    first. One query."""
    rows = (
        CommunityFigure.objects.filter(
            community_id__in=_below(area), day=day, key="tasks.overdue", value__gt=0
        )
        .order_by("-value", "community_id")
        .values_list("community_id", "community__name", "value")[:LIST_ROWS]
    )
    return [Ranked(pk, name, value) for pk, name, value in rows]


def least_covered_grids(community: Area) -> list[Ranked]:
    """The community's grids with the smallest share of households reached in the screening
    campaigns under way, from the stored coverage counts (a stale community's counted
    again first, as its status card does)."""
    from fangkong.screening.choices import CampaignStatus
    from fangkong.screening.coverage_store import stored_totals
    from fangkong.screening.models import Campaign, CoverageCount

    campaigns = list(Campaign.objects.filter(status=CampaignStatus.RUNNING).order_by("pk"))
    if not campaigns:
        return []
    stored_totals(campaigns, [community.pk])
    rows = (
        CoverageCount.objects.filter(
            campaign_id__in=[c.pk for c in campaigns], community_id=community.pk
        )
        .exclude(grid_id=None)
        .order_by()
        .values("grid_id", "grid__name")
        .annotate(reached=Sum("reached"), total=Sum("total"))
        .filter(total__gt=0)
    )
    ranked = [
        Ranked(
            row["grid_id"],
            row["grid__name"],
            round(row["reached"] * 100 / row["total"]),
            f"{row['reached']} / {row['total']}",
        )
        for row in rows
    ]
    return sorted(ranked, key=lambda r: (r.value, r.pk))[:LIST_ROWS]


def report_overview(area: Area, user: User) -> dict[str, Any]:
    """Where today's daily reports stand: a community's own; a street's communities, a
    district's streets (the level that reports to it), late ones first. Four queries."""
    from fangkong.daily.choices import ReportState
    from fangkong.daily.stats import report_states

    if area.level == AreaLevel.COMMUNITY:
        states = report_states([area.pk])
        state = states.get(area.pk)
        return {"own": state, "rows": [], "submitted": 0, "total": 0}
    children = list(
        Area.objects.filter(parent=area, level=CHILD_LEVEL[area.level])
        .order_by("path")
        .values_list("pk", "name")
    )
    states = report_states([pk for pk, _name in children])
    done = {ReportState.SUBMITTED, ReportState.CORRECTED}
    rows = [
        {"pk": pk, "name": name, "state": states[pk]}
        for pk, name in children
        if pk in states and states[pk] not in done
    ]
    rows.sort(key=lambda row: row["state"] != ReportState.LATE)
    return {
        "own": None,
        "rows": rows,
        "submitted": sum(1 for state in states.values() if state in done),
        "total": len(children),
    }


def build(area: Area, user: User) -> Dashboard:
    """Everything a dashboard shows of ``area``."""
    today = area.local_today()
    first = today - dt.timedelta(days=TREND_DAYS)
    stored = daily.series(area, first, today)  # one query: the last 31 days
    day = max(stored) if stored else None
    end = day or today
    days = [end - dt.timedelta(days=back) for back in range(TREND_DAYS - 1, -1, -1)]
    latest = stored.get(day) if day else None
    before = stored.get(day - dt.timedelta(days=1)) if day else None
    is_community = area.level == AreaLevel.COMMUNITY
    board = Dashboard(
        area=area,
        today=today,
        day=day,
        numbers=key_numbers(latest, before),
        trends=trends(days, stored),
        least_covered=[],
        most_overdue=[],
        reports=report_overview(area, user),
        child_level=str(CHILD_LEVEL.get(area.level, "")),
    )
    if is_community:
        board.least_covered = least_covered_grids(area)
        if user.has_action("health.case", "view"):
            from fangkong.health.stats import building_grid

            buildings = building_grid(user, today, community_id=area.pk)
            board.buildings = [b for b in buildings if b.marker]
            board.marked_buildings = len(board.buildings)
    elif day is not None:
        board.least_covered = least_covered_communities(area, day)
        board.most_overdue = most_overdue_communities(area, day)
    return board
