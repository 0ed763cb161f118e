"""Screening figures: a campaign's coverage, a caller's list, the home page's cards.

Every function costs a fixed number of queries whatever the campaign's size (the tests pin
them): counts are grouped in the database, never computed row by row in Python, and always
through ``restrict(user)`` so a grid worker's coverage is their grid's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, Min, Q, QuerySet
from django.db.models.functions import ExtractHour
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.daily_figures import Counts, DailyCounter, DayWindow, fill
from fangkong.screening.choices import (
    REACHED_OUTCOMES,
    AlertStatus,
    AssignmentStatus,
    CampaignStatus,
    ProposalStatus,
)
from fangkong.screening.coverage_store import (
    COUNTS,
    stored_coverage,
    stored_totals,
    whole_communities,
)
from fangkong.screening.models import (
    Alert,
    CallAssignment,
    CallAttempt,
    Campaign,
    MoveOutProposal,
)

if TYPE_CHECKING:
    from fangkong.accounts.models import User

#: Households listed as never reached on the coverage page (the full list is a page away).
NEVER_REACHED_SHOWN = 50
HOUSEHOLD_ORDER = (
    "household__building__sort_key",
    "household__building__number",
    "household__unit",
    "household__floor",
    "household__room",
    "pk",
)
#: Hours of the day the chart shows (calls outside them still count in the totals).
CHART_HOURS = range(7, 23)
BAR_STEP = 20


@dataclass
class Tally:
    """Counts for a campaign, a grid or a caller."""

    key: Any = None
    label: str = ""
    total: int = 0
    reached: int = 0
    pending: int = 0
    unreachable: int = 0
    moved: int = 0
    alerts: int = 0
    calls_today: int = 0
    first_call: dt.datetime | None = None
    last_call: dt.datetime | None = None

    def add(self, other: Tally) -> None:
        for name in (
            "total",
            "reached",
            "pending",
            "unreachable",
            "moved",
            "alerts",
            "calls_today",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.add_span(other.first_call, other.last_call)

    def add_span(self, first: dt.datetime | None, last: dt.datetime | None) -> None:
        if first is not None:
            self.first_call = min(filter(None, (self.first_call, first)))
        if last is not None:
            self.last_call = max(filter(None, (self.last_call, last)))

    @property
    def percent_reached(self) -> int:
        return round(self.reached * 100 / self.total) if self.total else 0

    @property
    def calls_per_hour(self) -> float:
        """Calls today over the hours between the first and the last (at least one hour)."""
        if not self.calls_today or self.first_call is None or self.last_call is None:
            return 0.0
        hours = max((self.last_call - self.first_call).total_seconds() / 3600, 1.0)
        return round(self.calls_today / hours, 1)


@dataclass
class HourBar:
    hour: int
    calls: int
    reached: int
    height: int = 0  # of the calls bar, in the chart's units (0–100)
    reached_height: int = 0
    x: int = 0  # left edge in the chart's units (20 per hour)

    @property
    def y(self) -> int:
        return 100 - self.height

    @property
    def reached_y(self) -> int:
        return 100 - self.reached_height


@dataclass
class Coverage:
    campaign: Campaign
    total: Tally
    grids: list[Tally] = field(default_factory=list)
    callers: list[Tally] = field(default_factory=list)
    communities: list[Tally] = field(default_factory=list)
    hours: list[HourBar] = field(default_factory=list)
    never_reached: list[CallAssignment] = field(default_factory=list)
    never_reached_count: int = 0
    open_alerts: int = 0
    day: dt.date | None = None


def _day_bounds(day: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def _tally(row: dict[str, Any], key: Any, label: str) -> Tally:
    return Tally(key=key, label=label, **{name: row[name] for name in COUNTS})


def _user_label(full_name: str | None, username: str | None) -> str:
    return full_name or username or _("Unassigned")


def _counts(campaign: Campaign, user: Any, assignments: QuerySet[Any]) -> list[dict[str, Any]]:
    """Counts per (grid, caller): stored per community for users who see whole communities,
    counted now for a grid worker's grids."""
    whole = whole_communities(user)
    if whole is not None:
        return stored_coverage(campaign, whole)
    return list(
        assignments.order_by()
        .values(
            "community_id",
            "community__name",
            "grid_id",
            "grid__name",
            "assignee_id",
            "assignee__full_name",
            "assignee__username",
        )
        .annotate(**COUNTS)
    )


def _calls_by_hour(attempts: QuerySet[Any], tz: ZoneInfo) -> dict[int, dict[str, Any]]:
    """The calls and the reached households of each hour of the day, in the area's zone."""
    return {
        row["hour"]: row
        for row in attempts.annotate(hour=ExtractHour("at", tzinfo=tz))
        .order_by()
        .values("hour")
        .annotate(
            calls=Count("pk"),
            reached=Count("pk", filter=Q(outcome__in=REACHED_OUTCOMES, conflicted=False)),
        )
    }


def _tally_assignments(
    rows: list[dict[str, Any]],
    total: Tally,
    grids: dict[Any, Tally],
    callers: dict[Any, Tally],
    communities: dict[Any, Tally],
) -> None:
    """Add each (grid, caller) row of counts to the total and its community, grid, caller."""
    for row in rows:
        tally = _tally(row, None, "")
        total.add(tally)
        communities.setdefault(
            row["community_id"], Tally(key=row["community_id"], label=row["community__name"])
        ).add(tally)
        grid = grids.setdefault(
            row["grid_id"], Tally(key=row["grid_id"], label=row["grid__name"] or _("No grid"))
        )
        grid.add(tally)
        caller = callers.setdefault(
            row["assignee_id"],
            Tally(
                key=row["assignee_id"],
                label=_user_label(row["assignee__full_name"], row["assignee__username"]),
            ),
        )
        caller.add(tally)


def _tally_calls(
    calls: list[dict[str, Any]],
    total: Tally,
    grids: dict[Any, Tally],
    callers: dict[Any, Tally],
    communities: dict[Any, Tally],
) -> None:
    """Add today's calls to the grid and the caller who made them, their community, the total."""
    for row in calls:
        for table, key, label in (
            (grids, row["grid_id"], None),
            (
                callers,
                row["caller_id"],
                _user_label(row["caller__full_name"], row["caller__username"]),
            ),
        ):
            tally = table.get(key)
            if tally is None:  # a caller who helped but holds no households now
                tally = table[key] = Tally(key=key, label=label or _("No grid"))
            tally.calls_today += row["n"]
            tally.add_span(row["first"], row["last"])
        community = communities.get(row["community_id"])
        if community is not None:
            community.calls_today += row["n"]
            community.add_span(row["first"], row["last"])
        total.calls_today += row["n"]
        total.add_span(row["first"], row["last"])


def _hour_bars(by_hour: dict[int, dict[str, Any]]) -> list[HourBar]:
    """The day's bars, one per chart hour, scaled to the busiest."""
    peak = max((row["calls"] for row in by_hour.values()), default=0)
    hours = []
    for index, hour in enumerate(CHART_HOURS):
        row = by_hour.get(hour, {"calls": 0, "reached": 0})
        bar = HourBar(hour, row["calls"], row["reached"], x=index * BAR_STEP)
        if peak:
            bar.height = round(bar.calls * 100 / peak)
            bar.reached_height = round(bar.reached * 100 / peak)
        hours.append(bar)
    return hours


def campaign_coverage(
    campaign: Campaign, user: User, *, now: dt.datetime | None = None
) -> Coverage:
    """Households total, reached, pending, unreachable, moved and with alerts, per community,
    per grid and per caller; calls today and per hour; the day's progress by hour;
    households never reached.

    Seven queries whatever the campaign's size, when its stored counts are fresh (the
    communities of the user, which are stale, the stored rows, today's calls twice, the
    households never reached, the open alerts); a few more to count a changed community.
    """
    now = now or timezone.now()
    tz = ZoneInfo(campaign.area.time_zone)
    day = timezone.localtime(now, tz).date()
    start, end = _day_bounds(day, tz)
    assignments = CallAssignment.objects.restrict(user).filter(campaign=campaign)
    attempts = CallAttempt.objects.restrict(user).filter(campaign=campaign)

    # 1. Counts per (grid, caller): both tables are sums of these rows. Stored per community
    # for users who see whole communities (a district campaign is 285,000 assignments);
    # counted now for a grid worker's grids.
    rows = _counts(campaign, user, assignments)
    # 2. Today's calls per (grid, caller who made them).
    calls = list(
        attempts.filter(at__gte=start, at__lt=end)
        .order_by()
        .values(
            "community_id",
            "grid_id",
            "caller_id",
            "caller__full_name",
            "caller__username",
        )
        .annotate(n=Count("pk"), first=Min("at"), last=Max("at"))
    )
    # 3. Today's calls and reached households by hour of the day, in the area's time zone.
    by_hour = _calls_by_hour(attempts.filter(at__gte=start, at__lt=end), tz)
    # 4. Households never reached: called and not reached, or not called at all.
    open_statuses = (AssignmentStatus.PENDING, AssignmentStatus.UNREACHABLE)
    never_reached = list(
        assignments.filter(status__in=open_statuses)
        .select_related("household__building", "assignee")
        .order_by("-attempts", *HOUSEHOLD_ORDER)[:NEVER_REACHED_SHOWN]
    )
    # 5. Open alerts (households are marked; the officer acts on each alert).
    open_alerts = (
        Alert.objects.restrict(user).filter(campaign=campaign, status=AlertStatus.OPEN).count()
    )

    total = Tally(label=campaign.name)
    grids: dict[Any, Tally] = {}
    callers: dict[Any, Tally] = {}
    communities: dict[Any, Tally] = {}
    _tally_assignments(rows, total, grids, callers, communities)
    _tally_calls(calls, total, grids, callers, communities)
    hours = _hour_bars(by_hour)

    return Coverage(
        campaign=campaign,
        total=total,
        grids=sorted(grids.values(), key=lambda t: (t.key is None, t.key or 0)),
        callers=sorted(callers.values(), key=lambda t: (t.key is None, t.label)),
        communities=sorted(communities.values(), key=lambda t: t.key),
        hours=hours,
        never_reached=never_reached,
        never_reached_count=total.pending + total.unreachable,
        open_alerts=open_alerts,
        day=day,
    )


# --- The caller's list ----------------------------------------------------------------------


@dataclass
class CallList:
    due: list[CallAssignment]
    later: list[CallAssignment]
    door_visits: list[CallAssignment]
    total: int
    reached: int
    reached_today: int
    proposals: int


def my_assignments(user: User, now: dt.datetime | None = None) -> QuerySet[CallAssignment]:
    """The user's households in campaigns under way today."""
    today = timezone.localdate(now or timezone.now())
    return CallAssignment.objects.restrict(user).filter(
        assignee=user,
        campaign__status=CampaignStatus.RUNNING,
        campaign__starts_on__lte=today,
        campaign__ends_on__gte=today,
    )


def call_list(user: User, now: dt.datetime | None = None) -> CallList:
    """Today's calls for one caller: due now, offered again later today, door visits.

    Three queries whatever the number of households.
    """
    now = now or timezone.now()
    mine = my_assignments(user, now)
    rows = list(
        mine.filter(status__in=(AssignmentStatus.PENDING, AssignmentStatus.UNREACHABLE))
        .select_related("household__building", "household__head", "campaign")
        .order_by("campaign_id", *HOUSEHOLD_ORDER)
    )
    start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    counts = mine.aggregate(
        total=Count("pk"),
        reached=Count("pk", filter=Q(status=AssignmentStatus.REACHED)),
        reached_today=Count("pk", filter=Q(status=AssignmentStatus.REACHED, reached_at__gte=start)),
    )
    proposals = (
        MoveOutProposal.objects.restrict(user).filter(status=ProposalStatus.PENDING).count()
        if user.has_action("registry.person", "deactivate")
        else 0
    )
    due, later, door = [], [], []
    for row in rows:
        if row.status == AssignmentStatus.UNREACHABLE:
            door.append(row)
        elif row.next_call_at is None or row.next_call_at <= now:
            due.append(row)
        else:
            later.append(row)
    later.sort(key=lambda a: a.next_call_at or now)  # never None here: those are due
    return CallList(due=due, later=later, door_visits=door, proposals=proposals, **counts)


def next_due(
    user: User, *, after: CallAssignment | None = None, now: dt.datetime | None = None
) -> CallAssignment | None:
    """The next household to call: the first due one after ``after`` in list order, else
    the first due one from the top.

    ``after`` is read with the due ones, though it is usually no longer due itself (it was
    just reached, or offered again later): its place in the list is what says which one is
    next, so "save, next" walks down the list instead of jumping back to its first row.
    """
    now = now or timezone.now()
    is_due = Q(status=AssignmentStatus.PENDING) & (
        Q(next_call_at__isnull=True) | Q(next_call_at__lte=now)
    )
    mine = my_assignments(user, now).order_by("campaign_id", *HOUSEHOLD_ORDER)
    if after is None:
        return mine.filter(is_due).select_related("household__building").first()
    rows = list(mine.filter(is_due | Q(pk=after.pk)).values_list("pk", flat=True))
    if after.pk in rows:
        index = rows.index(after.pk)
        rest = rows[index + 1 :] + rows[:index]
    else:
        rest = rows
    return mine.filter(pk=rest[0]).select_related("household__building").first() if rest else None


# --- Home page ------------------------------------------------------------------------------


def screening_figures(user: User) -> dict[str, Any]:
    """Figures for the home page: campaigns under way and their households, open alerts,
    and the user's own calls due. ``cards`` are ``{"label", "value"}`` like the registry's.
    The households' counts are the stored coverage counts (``coverage_store``) for users
    who see whole communities. Eight queries at most when they are fresh.
    """
    if not user.has_action(Campaign, "view"):
        return {"cards": []}
    running = Campaign.objects.restrict(user).filter(status=CampaignStatus.RUNNING)
    whole = whole_communities(user)
    if whole is not None:  # stored per community: a district campaign is 285,000 households
        campaigns = list(running.order_by("pk"))
        counts = stored_totals(campaigns, whole)
        running_count = len(campaigns)
    else:
        counts = (
            CallAssignment.objects.restrict(user)
            .filter(campaign__in=running.values("pk"))
            .aggregate(**COUNTS)
        )
        running_count = running.count()
    figures: dict[str, Any] = {
        "campaigns": running_count,
        "households": counts["total"],
        "reached": counts["reached"],
        "pending": counts["pending"],
        "unreachable": counts["unreachable"],
        "open_alerts": Alert.objects.restrict(user).filter(status=AlertStatus.OPEN).count(),
    }
    mine = call_list_count(user)
    figures["my_calls_due"] = mine
    figures["cards"] = [
        {"label": _("Screening campaigns under way"), "value": figures["campaigns"]},
        {"label": _("Households reached"), "value": figures["reached"]},
        {"label": _("Households pending"), "value": figures["pending"]},
        {"label": _("Households unreachable"), "value": figures["unreachable"]},
        {"label": _("Open screening alerts"), "value": figures["open_alerts"]},
    ]
    if mine:
        figures["cards"].insert(0, {"label": _("My calls due"), "value": mine})
    return figures


def call_list_count(user: User, now: dt.datetime | None = None) -> int:
    """How many households are due for this user's call now (one query)."""
    now = now or timezone.now()
    return (
        my_assignments(user, now)
        .filter(
            Q(next_call_at__isnull=True) | Q(next_call_at__lte=now),
            status=AssignmentStatus.PENDING,
        )
        .count()
    )


# --- Daily figures (the daily report: fangkong.reports.daily) -------------------------------


def count_daily(window: DayWindow) -> Counts:
    """The households of the campaigns under way that day: reached by its end (and that
    day), still pending, unreachable; and the alerts raised that day. Two grouped queries.
    A household reached after the day counts as pending on it."""
    keys = DAILY_FIGURES[0].keys
    counts = window.counts(keys)
    ids, start, end, day = window.community_ids, window.start, window.end, window.day
    reached_by_end = Q(status=AssignmentStatus.REACHED, reached_at__lt=end)
    fill(
        counts,
        CallAssignment.objects.filter(
            community_id__in=ids,
            campaign__status__in=(CampaignStatus.RUNNING, CampaignStatus.CLOSED),
            campaign__starts_on__lte=day,
            campaign__ends_on__gte=day,
        )
        .order_by()
        .values("community_id")
        .annotate(
            reached=Count("pk", filter=reached_by_end),
            reached_today=Count(
                "pk",
                filter=Q(status=AssignmentStatus.REACHED, reached_at__gte=start)
                & Q(reached_at__lt=end),
            ),
            pending=Count(
                "pk",
                filter=Q(status=AssignmentStatus.PENDING)
                | Q(status=AssignmentStatus.REACHED, reached_at__gte=end),
            ),
            unreachable=Count("pk", filter=Q(status=AssignmentStatus.UNREACHABLE)),
        ),
        {
            "reached": "screening.reached",
            "reached_today": "screening.reached_today",
            "pending": "screening.pending",
            "unreachable": "screening.unreachable",
        },
    )
    fill(
        counts,
        Alert.objects.filter(community_id__in=ids, raised_at__gte=start, raised_at__lt=end)
        .order_by()
        .values("community_id")
        .annotate(alerts=Count("pk")),
        {"alerts": "screening.alerts"},
    )
    return counts


DAILY_FIGURES = [
    DailyCounter(
        group=gettext_lazy("Phone screening"),
        figures=(
            ("screening.reached", gettext_lazy("Households reached")),
            ("screening.reached_today", gettext_lazy("Households reached that day")),
            ("screening.pending", gettext_lazy("Households pending")),
            ("screening.unreachable", gettext_lazy("Households unreachable")),
            ("screening.alerts", gettext_lazy("Screening alerts raised")),
        ),
        count=count_daily,
    )
]
