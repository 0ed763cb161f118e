"""Access figures: who is out now and who is overdue, the gate log's counts, the home page's
cards. Always through ``restrict(user)``; a fixed number of queries whatever the size."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.access.choices import Direction, PassStatus, ReasonCode, VisitorStatus
from fangkong.access.models import GateEvent, Pass, PassPolicy, Visitor
from fangkong.access.pass_policy import day_start, is_overdue, local_day, zone


def _max_minutes_by_community(community_ids: set[int]) -> dict[int, int | None]:
    policies = dict(PassPolicy.objects.filter(community_id__in=community_ids)
                    .values_list("community_id", "max_minutes"))
    default = PassPolicy._meta.get_field("max_minutes").default
    return {cid: policies.get(cid, default) for cid in community_ids}


def out_now(passes: QuerySet[Pass], at: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Passes out now, the longest out first, each with ``overdue`` and minutes out. Two
    queries: the passes, their communities' time limits."""
    at = at or timezone.now()
    rows = list(passes.filter(out_since__isnull=False).select_related("household__building")
                .order_by("out_since", "pk"))
    limits = _max_minutes_by_community({p.community_id for p in rows})
    return [
        {"pass": p, "household": p.household, "out_since": p.out_since,
         "minutes": int((at - p.out_since).total_seconds() // 60),
         "overdue": is_overdue(p.out_since, at, limits.get(p.community_id))}
        for p in rows
    ]


def visitors_inside(visitors: QuerySet[Visitor]) -> QuerySet[Visitor]:
    return (visitors.filter(time_out__isnull=True).exclude(status=VisitorStatus.REFUSED)
            .select_related("household__building", "checkpoint").order_by("time_in", "pk"))


def gate_report(events: QuerySet[GateEvent], time_zone: str, since: dt.date,
                until: dt.date) -> dict[str, Any]:
    """Entries and exits per day, per gate and per hour; outings per household; refusals by
    reason — for the local days ``since`` to ``until`` inclusive. Five queries."""
    tz = zone(time_zone)
    events = events.filter(time__gte=day_start(since, time_zone),
                           time__lt=day_start(until + dt.timedelta(days=1), time_zone))
    passed = events.filter(passed=True)
    counts = {"out": Count("pk", filter=Q(direction=Direction.OUT)),
              "in": Count("pk", filter=Q(direction=Direction.IN))}
    per_day = list(passed.annotate(day=TruncDate("time", tzinfo=tz)).values("day")
                   .annotate(**counts).order_by("day"))
    per_gate = list(passed.values("checkpoint__name").annotate(**counts)
                    .order_by("checkpoint__name"))
    hours = {row["hour"]: row for row in passed.annotate(hour=ExtractHour("time", tzinfo=tz))
             .values("hour").annotate(**counts)}
    per_hour = [{"hour": h, "out": hours.get(h, {}).get("out", 0),
                 "in": hours.get(h, {}).get("in", 0)} for h in range(24)]
    per_household = list(
        passed.filter(direction=Direction.OUT, household__isnull=False)
        .values("household", "household__building__number", "household__unit",
                "household__room")
        .annotate(outings=Count("pk")).order_by("-outings", "household__building__number",
                                                 "household__unit", "household__room")
    )
    labels = dict(ReasonCode.choices)
    refusals = [{"code": row["reason_code"], "label": labels.get(row["reason_code"], ""),
                 "count": row["n"]}
                for row in events.filter(decision="deny").values("reason_code")
                .annotate(n=Count("pk")).order_by("-n", "reason_code")]
    return {"per_day": per_day, "per_gate": per_gate, "per_hour": per_hour,
            "per_household": per_household, "refusals": refusals,
            "since": since, "until": until}


def access_figures(user: Any) -> dict[str, Any]:
    """What the home page shows of access for ``user``: ``cards`` (``{"label", "value"}``)
    and the raw numbers. Empty when the user may not see passes. Four queries."""
    if not user.has_action(Pass, "view") and not user.has_action(GateEvent, "view"):
        return {}
    now = timezone.now()
    passes = Pass.objects.restrict(user)
    state = passes.aggregate(
        active=Count("pk", filter=Q(status=PassStatus.ACTIVE)),
        suspended=Count("pk", filter=Q(status=PassStatus.SUSPENDED)),
    )
    out = out_now(passes, now)
    today = local_day(now, timezone.get_current_timezone_name())
    start = day_start(today, timezone.get_current_timezone_name())
    scans = GateEvent.objects.restrict(user).filter(time__gte=start).aggregate(
        exits=Count("pk", filter=Q(passed=True, direction=Direction.OUT)),
        refusals=Count("pk", filter=Q(decision="deny")),
        review=Count("pk", filter=~Q(flag="") & Q(reviewed_at__isnull=True)),
    )
    inside = visitors_inside(Visitor.objects.restrict(user)).count()
    figures = {
        "passes_active": state["active"], "passes_suspended": state["suspended"],
        "out_now": len(out), "overdue": sum(1 for row in out if row["overdue"]),
        "exits_today": scans["exits"], "refusals_today": scans["refusals"],
        "for_review": scans["review"], "visitors_inside": inside,
    }
    figures["cards"] = [
        {"label": _("Active passes"), "value": figures["passes_active"]},
        {"label": _("Suspended passes"), "value": figures["passes_suspended"]},
        {"label": _("Out now"), "value": figures["out_now"]},
        {"label": _("Overdue"), "value": figures["overdue"]},
        {"label": _("Exits today"), "value": figures["exits_today"]},
        {"label": _("Refusals today"), "value": figures["refusals_today"]},
        {"label": _("Visitors inside"), "value": figures["visitors_inside"]},
    ]
    return figures

