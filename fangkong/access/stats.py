"""Access figures: who is out now and who is overdue, the gate log's counts, the home page's
cards. Always through ``restrict(user)``; a fixed number of queries whatever the size."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.access.choices import (
    Decision,
    Direction,
    FlagReason,
    PassStatus,
    ReasonCode,
    VisitorStatus,
)
from fangkong.access.models import GateEvent, Pass, PassPolicy, Visitor
from fangkong.access.pass_policy import day_start, is_overdue, local_day, zone
from fangkong.core.daily_figures import Counts, DailyCounter, DayWindow, fill

#: Rows a "who is out" or "visitors inside" list shows; the rest are counted ("and N more").
SHOWN = 50


@dataclass
class Bounded:
    """The first rows of a list and how many there are in all: a page never lists thousands."""

    rows: list[Any]
    count: int
    overdue: int = 0

    @property
    def more(self) -> int:
        return max(self.count - len(self.rows), 0)


def _limits(passes_out: QuerySet[Pass]) -> tuple[dict[int, int | None], int | None]:
    """The time limits of the communities these passes belong to (one query) and the default
    limit of a community without a policy row."""
    policies = dict(
        PassPolicy.objects.filter(
            community_id__in=passes_out.order_by().values("community_id")
        ).values_list("community_id", "max_minutes")
    )
    return policies, PassPolicy._meta.get_field("max_minutes").default


def _overdue_q(limits: dict[int, int | None], default: int | None, at: dt.datetime) -> Q:
    """Out longer than their community allows, as a filter: one branch per distinct limit (a
    handful), so the database counts them however many passes are out."""
    by_limit: dict[int, list[int]] = defaultdict(list)
    for community_id, minutes in limits.items():
        if minutes:
            by_limit[minutes].append(community_id)
    q = Q(pk__in=[])
    for minutes, community_ids in by_limit.items():
        q |= Q(community_id__in=community_ids, out_since__lt=at - dt.timedelta(minutes=minutes))
    if default:
        q |= ~Q(community_id__in=list(limits)) & Q(out_since__lt=at - dt.timedelta(minutes=default))
    return q


def out_now(
    passes: QuerySet[Pass], at: dt.datetime | None = None, *, shown: int = SHOWN
) -> Bounded:
    """Passes out now: the ``shown`` longest out (each with ``overdue`` and minutes out), how
    many are out and how many overdue. Three queries whatever the number: the communities'
    time limits, the two counts, the first rows."""
    at = at or timezone.now()
    passes_out = passes.filter(out_since__isnull=False)
    limits, default = _limits(passes_out)
    counts = passes_out.order_by().aggregate(
        count=Count("pk"), overdue=Count("pk", filter=_overdue_q(limits, default, at))
    )
    rows = (
        list(passes_out.select_related("household__building").order_by("out_since", "pk")[:shown])
        if counts["count"]
        else []
    )
    return Bounded(
        rows=[
            {
                "pass": p,
                "household": p.household,
                "out_since": p.out_since,
                "minutes": int((at - p.out_since).total_seconds() // 60),
                "overdue": is_overdue(p.out_since, at, limits.get(p.community_id, default)),
            }
            for p in rows
            if p.out_since is not None  # all of them: passes_out
        ],
        count=counts["count"],
        overdue=counts["overdue"],
    )


def visitors_inside(visitors: QuerySet[Visitor]) -> QuerySet[Visitor]:
    # The gate's community comes along: whether it is past closing time reads its time zone.
    return (
        visitors.filter(time_out__isnull=True)
        .exclude(status=VisitorStatus.REFUSED)
        .select_related("household__building", "checkpoint__community")
        .order_by("time_in", "pk")
    )


def visitors_inside_now(
    visitors: QuerySet[Visitor], at: dt.datetime | None = None, *, shown: int = SHOWN
) -> Bounded:
    """The first ``shown`` visitors still inside, each with ``past_closing``, and how many
    there are. Two queries whatever the number."""
    from fangkong.access.services import gate_is_open

    at = at or timezone.now()
    inside = visitors_inside(visitors)
    count = inside.count()
    rows = list(inside[:shown]) if count else []
    for visitor in rows:
        visitor.past_closing = not gate_is_open(visitor.checkpoint, at)
    return Bounded(rows=rows, count=count)


def gate_report(
    events: QuerySet[GateEvent], time_zone: str, since: dt.date, until: dt.date
) -> dict[str, Any]:
    """Entries and exits per day, per gate and per hour; outings per household; refusals by
    reason — for the local days ``since`` to ``until`` inclusive. Five queries."""
    tz = zone(time_zone)
    events = events.filter(
        time__gte=day_start(since, time_zone),
        time__lt=day_start(until + dt.timedelta(days=1), time_zone),
    )
    passed = events.filter(passed=True)
    counts = {
        "out": Count("pk", filter=Q(direction=Direction.OUT)),
        "in": Count("pk", filter=Q(direction=Direction.IN)),
    }
    per_day = list(
        passed.annotate(day=TruncDate("time", tzinfo=tz))
        .values("day")
        .annotate(**counts)
        .order_by("day")
    )
    per_gate = list(
        passed.values("checkpoint__name").annotate(**counts).order_by("checkpoint__name")
    )
    hours: dict[int, Mapping[str, Any]] = {
        row["hour"]: row
        for row in passed.annotate(hour=ExtractHour("time", tzinfo=tz))
        .values("hour")
        .annotate(**counts)
    }
    per_hour = [
        {"hour": h, "out": hours.get(h, {}).get("out", 0), "in": hours.get(h, {}).get("in", 0)}
        for h in range(24)
    ]
    per_household = list(
        passed.filter(direction=Direction.OUT, household__isnull=False)
        .values("household", "household__building__number", "household__unit", "household__room")
        .annotate(outings=Count("pk"))
        .order_by("-outings", "household__building__number", "household__unit", "household__room")
    )
    labels = dict(ReasonCode.choices)
    refusals = [
        {"code": row["reason_code"], "label": labels.get(row["reason_code"], ""), "count": row["n"]}
        for row in events.filter(decision="deny")
        .values("reason_code")
        .annotate(n=Count("pk"))
        .order_by("-n", "reason_code")
    ]
    return {
        "per_day": per_day,
        "per_gate": per_gate,
        "per_hour": per_hour,
        "per_household": per_household,
        "refusals": refusals,
        "since": since,
        "until": until,
    }


#: The current access figures stored per community (``fangkong.reports.figures``): what
#: ``access_counts_by_community`` counts and the home page shows.
PASS_COUNT_KEYS = ("passes_active", "passes_suspended", "out_now", "overdue", "visitors_inside")
#: The gate's figures of one local day, stored per community under that day (the rows the
#: daily report reads: community, day, key, value).
DAY_KEYS = ("exits", "refusals", "for_review")


def _pass_counts() -> dict[str, Any]:
    return {
        "passes_active": Count("pk", filter=Q(status=PassStatus.ACTIVE)),
        "passes_suspended": Count("pk", filter=Q(status=PassStatus.SUSPENDED)),
    }


def _day_counts() -> dict[str, Any]:
    return {
        "exits": Count("pk", filter=Q(passed=True, direction=Direction.OUT)),
        "refusals": Count("pk", filter=Q(decision="deny")),
        "for_review": Count("pk", filter=~Q(flag="") & Q(reviewed_at__isnull=True)),
    }


@dataclass
class AccessCounts:
    """Each community's access figures counted at ``at``: the current ones, the day's, and
    until when they hold if nothing is scanned or changed (the next moment a pass out now
    becomes overdue, or the day's end)."""

    at: dt.datetime
    day: dt.date
    current: dict[int, dict[str, int]]
    of_day: dict[int, dict[str, int]]
    valid_until: dict[int, dt.datetime]


def access_counts_by_community(
    community_ids: list[int], at: dt.datetime | None = None, time_zone: str | None = None
) -> AccessCounts:
    """The access figures of each of these communities, as ``access_figures`` counts them
    for a user who sees the whole community. Five grouped queries on the indexed
    ``community_id``, whatever the number of communities."""
    at = at or timezone.now()
    time_zone = time_zone or timezone.get_current_timezone_name()
    today = local_day(at, time_zone)
    tomorrow = day_start(today + dt.timedelta(days=1), time_zone)
    current = {cid: dict.fromkeys(PASS_COUNT_KEYS, 0) for cid in community_ids}
    of_day = {cid: dict.fromkeys(DAY_KEYS, 0) for cid in community_ids}
    valid_until = dict.fromkeys(community_ids, tomorrow)
    for row in (
        Pass.objects.filter(community_id__in=community_ids)
        .order_by()
        .values("community_id")
        .annotate(**_pass_counts())
    ):
        current[row.pop("community_id")].update(row)
    limits = dict(
        PassPolicy.objects.filter(community_id__in=community_ids).values_list(
            "community_id", "max_minutes"
        )
    )
    default = PassPolicy._meta.get_field("max_minutes").default
    overdue = _overdue_q(limits, default, at)
    for row in (
        Pass.objects.filter(community_id__in=community_ids, out_since__isnull=False)
        .order_by()
        .values("community_id")
        .annotate(
            out=Count("pk"),
            late=Count("pk", filter=overdue),
            first_on_time=Min("out_since", filter=~overdue),
        )
    ):
        cid = row["community_id"]
        current[cid].update(out_now=row["out"], overdue=row["late"])
        minutes = limits.get(cid, default)
        if minutes and row["first_on_time"] is not None:
            # The first pass out now that is not overdue yet becomes so then: a count
            # from before that moment is stale after it.
            valid_until[cid] = min(
                valid_until[cid], row["first_on_time"] + dt.timedelta(minutes=minutes)
            )
    inside = (
        visitors_inside(Visitor.objects.filter(community_id__in=community_ids))
        .order_by()
        .values("community_id")
        .annotate(n=Count("pk"))
    )
    for row in inside:
        current[row["community_id"]]["visitors_inside"] = row["n"]
    for row in (
        GateEvent.objects.filter(
            community_id__in=community_ids, time__gte=day_start(today, time_zone), time__lt=tomorrow
        )
        .order_by()
        .values("community_id")
        .annotate(**_day_counts())
    ):
        of_day[row.pop("community_id")].update(row)
    return AccessCounts(at=at, day=today, current=current, of_day=of_day, valid_until=valid_until)


def access_figures(user: Any, stored: dict[str, int] | None = None) -> dict[str, Any]:
    """What the home page shows of access for ``user``: ``cards`` (``{"label", "value"}``)
    and the raw numbers. Empty when the user may not see passes.

    With ``stored`` (every key of ``PASS_COUNT_KEYS`` and ``DAY_KEYS``, summed over the
    user's communities by ``fangkong.reports.figures``) nothing is counted. Without, the
    figures are counted now (a grid worker's; the access overview's, which also shows the
    first of who is out: ``out``, bounded) in seven queries whatever the number of passes.
    """
    if not user.has_action(Pass, "view") and not user.has_action(GateEvent, "view"):
        return {}
    if stored is not None:
        figures: dict[str, Any] = {key: stored.get(key, 0) for key in (*PASS_COUNT_KEYS, *DAY_KEYS)}
    else:
        figures = _live_figures(user)
    figures["cards"] = [
        {"label": _("Active passes"), "value": figures["passes_active"]},
        {"label": _("Suspended passes"), "value": figures["passes_suspended"]},
        {"label": _("Out now"), "value": figures["out_now"]},
        {"label": _("Overdue"), "value": figures["overdue"]},
        {"label": _("Exits today"), "value": figures["exits"]},
        {"label": _("Refusals today"), "value": figures["refusals"]},
        {"label": _("Visitors inside"), "value": figures["visitors_inside"]},
    ]
    return figures


def _live_figures(user: Any) -> dict[str, Any]:
    now = timezone.now()
    passes = Pass.objects.restrict(user)
    state = passes.aggregate(**_pass_counts())
    out = out_now(passes, now)  # the overview shows these rows too: counted once
    today = local_day(now, timezone.get_current_timezone_name())
    start = day_start(today, timezone.get_current_timezone_name())
    end = day_start(today + dt.timedelta(days=1), timezone.get_current_timezone_name())
    scans = (
        GateEvent.objects.restrict(user)
        .filter(time__gte=start, time__lt=end)
        .aggregate(**_day_counts())
    )
    inside = visitors_inside(Visitor.objects.restrict(user)).order_by().count()
    return {
        "passes_active": state["passes_active"],
        "passes_suspended": state["passes_suspended"],
        "out_now": out.count,
        "overdue": out.overdue,
        "out": out,
        **scans,
        "visitors_inside": inside,
    }


# --- Daily figures (the daily report: fangkong.reports.daily) -------------------------------

#: The reasons a gate refuses someone (every reason but "valid").
REFUSAL_REASONS = tuple(
    (code, label) for code, label in ReasonCode.choices if code != ReasonCode.OK
)


def count_daily(window: DayWindow) -> Counts:
    """Passes active and suspended (as they stand when counted: a pass keeps no history of
    its status), the day's exits, entries, refusals (in all and by reason), returns past the
    time allowed, and visitors let in. Three grouped queries."""
    counts = window.counts(DAILY_FIGURES[0].keys)
    ids, start, end = window.community_ids, window.start, window.end
    fill(
        counts,
        Pass.objects.filter(community_id__in=ids, created__lt=end)
        .order_by()
        .values("community_id")
        .annotate(**_pass_counts()),
        {"passes_active": "passes.active", "passes_suspended": "passes.suspended"},
    )
    refused = Q(decision=Decision.DENY)
    by_reason = {
        f"refused_{code}": Count("pk", filter=refused & Q(reason_code=code))
        for code, _label in REFUSAL_REASONS
    }
    fill(
        counts,
        GateEvent.objects.filter(community_id__in=ids, time__gte=start, time__lt=end)
        .order_by()
        .values("community_id")
        .annotate(
            exits=Count("pk", filter=Q(passed=True, direction=Direction.OUT)),
            entries=Count("pk", filter=Q(passed=True, direction=Direction.IN)),
            refusals=Count("pk", filter=refused),
            overdue=Count("pk", filter=Q(flag=FlagReason.OVERDUE)),
            **by_reason,
        ),
        {
            "exits": "gate.exits",
            "entries": "gate.entries",
            "refusals": "gate.refusals",
            "overdue": "gate.overdue",
            **{f"refused_{code}": f"gate.refusals.{code}" for code, _label in REFUSAL_REASONS},
        },
    )
    fill(
        counts,
        Visitor.objects.filter(community_id__in=ids, time_in__gte=start, time_in__lt=end)
        .exclude(status=VisitorStatus.REFUSED)
        .order_by()
        .values("community_id")
        .annotate(visitors=Count("pk")),
        {"visitors": "visitors"},
    )
    return counts


DAILY_FIGURES = [
    DailyCounter(
        group=gettext_lazy("Passes and gates"),
        figures=(
            ("passes.active", gettext_lazy("Active passes")),
            ("passes.suspended", gettext_lazy("Suspended passes")),
            ("gate.exits", gettext_lazy("Exits that day")),
            ("gate.entries", gettext_lazy("Entries that day")),
            ("gate.refusals", gettext_lazy("Refused at the gate")),
            *(
                (f"gate.refusals.{code}", format_lazy(gettext_lazy("Refused: {}"), label))
                for code, label in REFUSAL_REASONS
            ),
            ("gate.overdue", gettext_lazy("Returns past the time allowed")),
            ("visitors", gettext_lazy("Visitors let in")),
        ),
        count=count_daily,
    )
]
