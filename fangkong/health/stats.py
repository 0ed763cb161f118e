"""Health figures: the home page's cards, the epidemic curve, people under quarantine per day,
and the building grid with case and quarantine markers. Always through ``restrict(user)``,
a fixed number of queries whatever the size of the area.

Charts are drawn on the server as SVG rectangles with CSS classes (no chart library, no
script, nothing inline that the content security policy would refuse).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.daily_figures import Counts, DailyCounter, DayWindow, fill
from fangkong.health.choices import (
    CASE_CLASSIFICATIONS,
    ChangeStatus,
    Classification,
    Outcome,
    QuarantineKind,
)
from fangkong.health.models import (
    Case,
    Contact,
    Disinfection,
    HealthPolicy,
    HealthReport,
    Quarantine,
    StatusChange,
)
from fangkong.health.services.reports import missing_reports
from fangkong.registry.models import Building

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from fangkong.accounts.models import User

#: Geometry of the charts (SVG user units; the CSS scales them to the screen).
BAR = 10
GAP = 2
CHART_HEIGHT = 120
AXIS = 16
PAD_RIGHT = 24
CURVE_DAYS = 42
QUARANTINE_DAYS = 28


def user_today(user: User) -> dt.date:
    """The day in the user's community (the server's day above community level)."""
    community = getattr(user, "community", None) if getattr(user, "area_id", None) else None
    return community.local_today() if community is not None else timezone.localdate()


def open_cases(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.filter(
        classification__in=CASE_CLASSIFICATIONS, outcome__in=["", Outcome.IN_HOSPITAL]
    )


def health_figures(user: User, now: dt.datetime | None = None) -> dict[str, Any]:
    """What the health module holds that ``user`` may see, for the home page.

    Keys: ``quarantined_households`` (households with an active home quarantine today),
    ``under_quarantine`` (people under any quarantine or monitoring), ``missing_today``
    (people behind on today's reports), ``fevers_today`` (people with a fever reported
    today), ``cases`` (open cases) with ``confirmed``/``suspected``/``asymptomatic``,
    ``pending_approvals``, and ``cards`` (``{"label", "value", "alert", "url"}``). Six
    queries.
    """
    now = now or timezone.now()
    today = user_today(user)
    quarantines = Quarantine.objects.restrict(user)
    active = quarantines.filter(ended_on__isnull=True, start_date__lte=today)
    counts = active.aggregate(
        people=Count("pk"),
        households=Count("household", filter=Q(kind=QuarantineKind.HOME), distinct=True),
    )
    missing = len(missing_reports(quarantines, now))
    fevers = (
        HealthReport.objects.restrict(user)
        .filter(day=today, is_fever=True)
        .values("person")
        .distinct()
        .count()
    )
    by_class = dict(
        open_cases(Case.objects.restrict(user))
        .order_by()
        .values_list("classification")
        .annotate(n=Count("pk"))
    )
    pending = (
        StatusChange.objects.restrict(user)
        .filter(status=ChangeStatus.PENDING)
        .values("batch")
        .distinct()
        .count()
    )
    figures: dict[str, Any] = {
        "quarantined_households": counts["households"],
        "under_quarantine": counts["people"],
        "missing_today": missing,
        "fevers_today": fevers,
        "cases": sum(by_class.values()),
        "confirmed": by_class.get(Classification.CONFIRMED, 0),
        "suspected": by_class.get(Classification.SUSPECTED, 0),
        "asymptomatic": by_class.get(Classification.ASYMPTOMATIC, 0),
        "pending_approvals": pending,
    }
    today_url = reverse("health:today")
    figures["cards"] = [
        {
            "label": _("Quarantined households today"),
            "value": figures["quarantined_households"],
            "alert": False,
            "url": f"{today_url}#households",
        },
        {
            "label": _("Reports missing today"),
            "value": missing,
            "alert": missing > 0,
            "url": f"{today_url}#missing",
        },
        {
            "label": _("Fevers today"),
            "value": fevers,
            "alert": fevers > 0,
            "url": f"{today_url}#fevers",
        },
        {
            "label": _("Open cases"),
            "value": figures["cases"],
            "alert": False,
            "url": reverse("health:case_list") + "?open=true",
        },
    ]
    return figures


# --- Charts ---------------------------------------------------------------------------------


@dataclass
class Segment:
    css: str
    y: int
    height: int
    count: int
    label: str


@dataclass
class Column:
    day: dt.date
    x: int
    total: int
    segments: list[Segment] = field(default_factory=list)
    tick: bool = False


@dataclass
class Chart:
    """Bars of a day-by-day chart, laid out for an SVG ``viewBox``."""

    columns: list[Column]
    width: int
    height: int
    top: int
    legend: list[tuple[str, str]]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def empty(self) -> bool:
        return not any(c.total for c in self.columns)

    @property
    def axis_y(self) -> int:
        return CHART_HEIGHT + 11

    @property
    def baseline(self) -> int:
        return CHART_HEIGHT

    @property
    def bar(self) -> int:
        return BAR

    @property
    def filled(self) -> list[Column]:
        return [c for c in self.columns if c.total]


def _chart(days: list[dt.date], series: Sequence[tuple[str, str, Mapping[dt.date, int]]]) -> Chart:
    top = max([sum(s[2].get(d, 0) for s in series) for d in days] + [1])
    columns = []
    for index, day in enumerate(days):
        x = index * (BAR + GAP)
        column = Column(day=day, x=x, total=0, tick=(len(days) - 1 - index) % 7 == 0)
        base = CHART_HEIGHT
        for css, label, values in series:
            count = values.get(day, 0)
            if not count:
                continue
            height = max(round(count * (CHART_HEIGHT - 4) / top), 2)
            base -= height
            column.segments.append(Segment(css, base, height, count, label))
            column.total += count
        columns.append(column)
    width = len(days) * (BAR + GAP) + PAD_RIGHT  # room for the last day's label
    return Chart(
        columns, width, CHART_HEIGHT + AXIS, top, [(css, label) for css, label, _v in series]
    )


CURVE_SERIES = (
    (Classification.CONFIRMED, "bar-confirmed"),
    (Classification.ASYMPTOMATIC, "bar-asymptomatic"),
    (Classification.SUSPECTED, "bar-suspected"),
)


def epidemic_curve(cases: QuerySet[Case], today: dt.date) -> Chart:
    """Cases (not excluded) by onset date — the report date when the onset is unknown —
    stacked by classification, from the first case (at most ``CURVE_DAYS`` back) to today."""
    rows = list(
        cases.exclude(classification=Classification.EXCLUDED).values_list(
            "onset_date", "report_date", "classification"
        )
    )
    counts: dict[str, Counter[dt.date]] = defaultdict(Counter)
    for onset, report, classification in rows:
        counts[classification][onset or report] += 1
    first = min([onset or report for onset, report, _c in rows], default=today)
    start = max(first, today - dt.timedelta(days=CURVE_DAYS - 1))
    start = min(start, today - dt.timedelta(days=QUARANTINE_DAYS - 1))  # four weeks at least
    days = [start + dt.timedelta(days=i) for i in range((today - start).days + 1)]
    labels = dict(Classification.choices)
    return _chart(days, [(css, str(labels[code]), counts[code]) for code, css in CURVE_SERIES])


def quarantine_per_day(quarantines: QuerySet[Quarantine], today: dt.date) -> Chart:
    """People under quarantine or monitoring on each of the last ``QUARANTINE_DAYS`` days,
    by kind. One query: the quarantines overlapping the range."""
    start = today - dt.timedelta(days=QUARANTINE_DAYS - 1)
    rows = (
        quarantines.filter(start_date__lte=today)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
        .values_list("kind", "start_date", "ended_on")
    )
    days = [start + dt.timedelta(days=i) for i in range(QUARANTINE_DAYS)]
    counts: dict[str, Counter[dt.date]] = defaultdict(Counter)
    for kind, begun, ended in rows:
        for day in days:
            if begun <= day and (ended is None or ended >= day):
                counts[kind][day] += 1
    labels = dict(QuarantineKind.choices)
    series = [
        (f"bar-{kind}", str(labels[kind]), counts[kind])
        for kind in (QuarantineKind.CENTRALISED, QuarantineKind.HOME, QuarantineKind.MONITORING)
    ]
    return _chart(days, series)


# --- The building grid ----------------------------------------------------------------------


class GridMarks(TypedDict):
    """What ``building_grid`` sets on each building."""

    open_cases: int
    quarantined_households: int
    quarantined_people: int
    marker: str


def building_grid(
    user: User, today: dt.date, community_id: int | None = None
) -> list[WithAnnotations[Building, GridMarks]]:
    """The buildings the user sees (of one community when ``community_id`` is given: a
    dashboard's), each with ``open_cases``, ``quarantined_households`` and
    ``quarantined_people`` (active home or centralised quarantine, or monitoring) and a
    ``marker`` ("case", "quarantine" or ""). Three queries."""
    seen = Building.objects.restrict(user)
    if community_id is not None:
        seen = seen.filter(community_id=community_id)
    buildings: list[WithAnnotations[Building, GridMarks]] = list(
        seen.select_related("community", "grid")
    )
    ids = [b.pk for b in buildings]
    cases = dict(
        open_cases(Case.objects.restrict(user))
        .filter(building_id__in=ids)
        .order_by()
        .values_list("building")
        .annotate(n=Count("pk"))
    )
    quarantined = {
        row["household__building"]: row
        for row in Quarantine.objects.restrict(user)
        .filter(ended_on__isnull=True, start_date__lte=today, household__building_id__in=ids)
        .order_by()
        .values("household__building")
        .annotate(households=Count("household", distinct=True), people=Count("pk"))
    }
    for building in buildings:
        row = quarantined.get(building.pk, {})
        building.open_cases = cases.get(building.pk, 0)
        building.quarantined_households = row.get("households", 0)
        building.quarantined_people = row.get("people", 0)
        building.marker = (
            "case" if building.open_cases else "quarantine" if building.quarantined_people else ""
        )
    return buildings


# --- Stored figures per community (the officials' status cards) -----------------------------

#: Current figures of a community stored by ``fangkong.reports.figures``.
HEALTH_COUNT_KEYS = ("quarantined_households",)
#: Figures of one day stored under that day.
HEALTH_DAY_KEYS = ("new_cases",)


def health_counts_by_community(
    community_ids: list[int], day: dt.date
) -> tuple[dict[int, dict[str, int]], dict[int, dict[str, int]]]:
    """Each community's households under home quarantine on ``day`` (as the home page's
    "quarantined households today" counts them), and its cases reported that day (not
    excluded). Two grouped queries on the indexed ``community_id``; returns the current
    figures and the day's."""
    current = {cid: dict.fromkeys(HEALTH_COUNT_KEYS, 0) for cid in community_ids}
    of_day = {cid: dict.fromkeys(HEALTH_DAY_KEYS, 0) for cid in community_ids}
    for row in (
        Quarantine.objects.filter(
            community_id__in=community_ids,
            kind=QuarantineKind.HOME,
            ended_on__isnull=True,
            start_date__lte=day,
        )
        .order_by()
        .values("community_id")
        .annotate(n=Count("household", distinct=True))
    ):
        current[row["community_id"]]["quarantined_households"] = row["n"]
    for row in (
        Case.objects.filter(community_id__in=community_ids, report_date=day)
        .exclude(classification=Classification.EXCLUDED)
        .order_by()
        .values("community_id")
        .annotate(n=Count("pk"))
    ):
        of_day[row["community_id"]]["new_cases"] = row["n"]
    return current, of_day


# --- Daily figures (the daily report: fangkong.reports.daily) -------------------------------

#: The open cases of a day, by classification (figure key, classification).
CASE_KEYS = (
    ("cases.confirmed", Classification.CONFIRMED),
    ("cases.suspected", Classification.SUSPECTED),
    ("cases.asymptomatic", Classification.ASYMPTOMATIC),
)
QUARANTINE_KEYS = (
    ("quarantine.home", QuarantineKind.HOME),
    ("quarantine.centralised", QuarantineKind.CENTRALISED),
    ("quarantine.monitoring", QuarantineKind.MONITORING),
)


def _in_quarantine_at_end(day: dt.date) -> Q:
    """Begun by the day and not ended on or before it: under quarantine when it ended."""
    return Q(start_date__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day))


def count_daily(window: DayWindow) -> Counts:
    """Open cases by classification at the end of the day and the day's new ones; close
    contacts traced that day; people under quarantine at its end (home, centralised,
    monitoring); of them, those whose reports of the day fell short of their community's
    reports a day; people with a fever reported that day; disinfections done. Six grouped
    queries."""
    counts = window.counts(DAILY_FIGURES[0].keys)
    ids, start, end, day = window.community_ids, window.start, window.end, window.day
    still_open = Q(outcome__in=["", Outcome.IN_HOSPITAL]) | Q(outcome_date__gt=day)
    fill(
        counts,
        Case.objects.filter(community_id__in=ids, report_date__lte=day)
        .exclude(classification=Classification.EXCLUDED)
        .order_by()
        .values("community_id")
        .annotate(
            new=Count("pk", filter=Q(report_date=day)),
            **{
                f"open_{code}": Count("pk", filter=still_open & Q(classification=code))
                for _key, code in CASE_KEYS
            },
        ),
        {"new": "cases.new", **{f"open_{code}": key for key, code in CASE_KEYS}},
    )
    fill(
        counts,
        Contact.objects.filter(community_id__in=ids, created__gte=start, created__lt=end)
        .order_by()
        .values("community_id")
        .annotate(contacts=Count("pk")),
        {"contacts": "contacts.new"},
    )
    under = Quarantine.objects.filter(_in_quarantine_at_end(day), community_id__in=ids)
    fill(
        counts,
        under.order_by()
        .values("community_id")
        .annotate(
            **{f"q_{kind}": Count("pk", filter=Q(kind=kind)) for _key, kind in QUARANTINE_KEYS}
        ),
        {f"q_{kind}": key for key, kind in QUARANTINE_KEYS},
    )
    # Reports missing: each quarantine's reports of the day against its community's
    # "reports a day" (the policy's default where the community has no policy row), all in
    # one query through two subqueries.
    per_day = Coalesce(
        Subquery(
            HealthPolicy.objects.filter(community_id=OuterRef("community_id")).values(
                "reports_per_day"
            )[:1]
        ),
        Value(HealthPolicy._meta.get_field("reports_per_day").get_default()),
    )
    made = Coalesce(
        Subquery(
            HealthReport.objects.filter(quarantine=OuterRef("pk"), day=day)
            .order_by()
            .values("quarantine")
            .annotate(n=Count("pk"))
            .values("n")[:1]
        ),
        Value(0),
    )
    fill(
        counts,
        under.annotate(made=made, due=per_day)
        .filter(made__lt=F("due"))
        .order_by()
        .values("community_id")
        .annotate(missing=Count("pk")),
        {"missing": "reports.missing"},
    )
    fill(
        counts,
        HealthReport.objects.filter(community_id__in=ids, day=day, is_fever=True)
        .order_by()
        .values("community_id")
        .annotate(fevers=Count("person", distinct=True)),
        {"fevers": "fevers"},
    )
    fill(
        counts,
        Disinfection.objects.filter(community_id__in=ids, done_at__gte=start, done_at__lt=end)
        .order_by()
        .values("community_id")
        .annotate(disinfections=Count("pk")),
        {"disinfections": "disinfections"},
    )
    return counts


DAILY_FIGURES = [
    DailyCounter(
        group=gettext_lazy("Cases, contacts and quarantine"),
        figures=(
            ("cases.confirmed", gettext_lazy("Open confirmed cases")),
            ("cases.suspected", gettext_lazy("Open suspected cases")),
            ("cases.asymptomatic", gettext_lazy("Open asymptomatic cases")),
            ("cases.new", gettext_lazy("New cases reported that day")),
            ("contacts.new", gettext_lazy("Close contacts traced that day")),
            ("quarantine.home", gettext_lazy("People in home quarantine")),
            ("quarantine.centralised", gettext_lazy("People in centralised quarantine")),
            ("quarantine.monitoring", gettext_lazy("People under health monitoring")),
            ("reports.missing", gettext_lazy("People behind on the day's health reports")),
            ("fevers", gettext_lazy("People with a fever reported")),
            ("disinfections", gettext_lazy("Disinfections done")),
        ),
        count=count_daily,
    )
]
