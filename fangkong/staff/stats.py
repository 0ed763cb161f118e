"""Staff figures for the home page and the community's staff page: counts only, always
restricted to what the user may see.

``staff_figures(user)`` is what the reports app shows on the home page.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.areas.models import Area
from fangkong.core.daily_figures import Counts, DailyCounter, DayWindow, fill
from fangkong.core.dates import today_in
from fangkong.core.querysets import scope_filter
from fangkong.staff.choices import OPEN_STATUSES
from fangkong.staff.duty_hours import day_bounds, zone_of
from fangkong.staff.models import PatrolVisit, Shift, Task, TeamMembership

if TYPE_CHECKING:
    from fangkong.accounts.models import User


def _cards(figures: dict[str, Any], community: Area | None) -> list[dict[str, Any]]:
    """The figure boxes, each linking to the page behind it."""
    roster = (
        reverse("staff:community_roster", args=[community.pk])
        if community
        else reverse("staff:home")
    )
    patrols = (
        reverse("staff:patrol_summary", args=[community.pk]) if community else reverse("staff:home")
    )
    tasks = reverse("staff:task_list")
    return [
        {
            "label": _("My open tasks"),
            "value": figures["my_open_tasks"],
            "url": reverse("staff:my_tasks"),
            "alert": False,
        },
        {"label": _("Open tasks"), "value": figures["open_tasks"], "url": tasks, "alert": False},
        {
            "label": _("Overdue tasks"),
            "value": figures["overdue_tasks"],
            "url": f"{tasks}?overdue=true",
            "alert": figures["overdue_tasks"] > 0,
        },
        {
            "label": _("Shifts short of people today"),
            "value": figures["shifts_short_today"],
            "url": roster,
            "alert": figures["shifts_short_today"] > 0,
        },
        {
            "label": _("Patrol findings today"),
            "value": figures["patrol_findings_today"],
            "url": patrols,
            "alert": figures["patrol_findings_today"] > 0,
        },
    ]


def staff_figures(
    user: User, community: Area | None = None, now: dt.datetime | None = None
) -> dict[str, Any]:
    """Today's staff figures that ``user`` may see, optionally for one community.

    Keys: ``open_tasks``, ``overdue_tasks`` (open tasks past due), ``my_open_tasks`` (given
    to the user or their teams), ``shifts_today``, ``shifts_short_today`` (fewer people
    than needed), ``patrols_today``, ``patrol_findings_today`` (findings counted one by
    one) and ``cards`` (``{"label", "value", "url", "alert"}`` for figure boxes, each linking
    to the page behind it; an alert is a figure above zero that needs someone's attention).
    "Today" is the local day of the community (or of the user's community; the site's zone
    otherwise). Three queries, besides loading the user's area.
    """
    now = now or timezone.now()
    community = community or (user.community if getattr(user, "area_id", None) else None)
    tz = zone_of(community)
    start, end = day_bounds(today_in(tz, now), tz)

    def within(queryset: Any) -> Any:
        return scope_filter(queryset, community.scope_below()) if community else queryset

    tasks = within(Task.objects.restrict(user)).filter(status__in=OPEN_STATUSES)
    task_counts = tasks.aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(due__lt=now)),
        # A subquery, not a join: a join on memberships would multiply the other counts.
        mine=Count(
            "pk",
            filter=Q(assignee=user)
            | Q(team__in=TeamMembership.objects.filter(member__user=user).values("team")),
        ),
    )
    shifts = within(Shift.objects.restrict(user)).filter(start__lt=end, start__gte=start)
    shift_counts = shifts.annotate(people=Count("assignments")).aggregate(
        total=Count("pk"),
        short=Count("pk", filter=Q(people__lt=F("people_needed"))),
    )
    visits = list(
        within(PatrolVisit.objects.restrict(user))
        .filter(time__gte=start, time__lt=end)
        .values_list("findings", flat=True)
    )
    findings = sum(len([c for c in codes.strip("|").split("|") if c]) for codes in visits)
    figures: dict[str, Any] = {
        "open_tasks": task_counts["open"],
        "overdue_tasks": task_counts["overdue"],
        "my_open_tasks": task_counts["mine"],
        "shifts_today": shift_counts["total"],
        "shifts_short_today": shift_counts["short"],
        "patrols_today": len(visits),
        "patrol_findings_today": findings,
    }
    figures["cards"] = _cards(figures, community)
    return figures


#: The current task figure stored per community by ``fangkong.reports.figures``.
TASK_COUNT_KEYS = ("overdue_tasks",)


def overdue_tasks_by_community(
    community_ids: list[int], at: dt.datetime
) -> tuple[dict[int, dict[str, int]], dict[int, dt.datetime]]:
    """Each community's open tasks past due at ``at``, and when the next open task falls
    due (a count from before that moment is stale after it). One grouped query over the
    open tasks with a due time."""
    counts = {cid: dict.fromkeys(TASK_COUNT_KEYS, 0) for cid in community_ids}
    next_due: dict[int, dt.datetime] = {}
    rows = (
        Task.objects.filter(
            community_id__in=community_ids, status__in=OPEN_STATUSES, due__isnull=False
        )
        .order_by()
        .values("community_id")
        .annotate(
            overdue=Count("pk", filter=Q(due__lt=at)),
            next_due=Min("due", filter=Q(due__gte=at)),
        )
    )
    for row in rows:
        counts[row["community_id"]]["overdue_tasks"] = row["overdue"]
        if row["next_due"] is not None:
            next_due[row["community_id"]] = row["next_due"]
    return counts, next_due


# --- Daily figures (the daily report: fangkong.reports.daily) -------------------------------


def count_daily(window: DayWindow) -> Counts:
    """Tasks open at the end of the day (made by then, not finished by then) and of them
    those past due then (by now, for today); patrol visits made that day. Two grouped queries."""
    counts = window.counts(DAILY_FIGURES[0].keys)
    ids, start, end = window.community_ids, window.start, window.end
    open_at_end = Q(status__in=OPEN_STATUSES) | Q(finished_at__gte=end)
    # Past due by the end of the day, or by now while the day lasts (today's figures).
    cut = min(end, timezone.now())
    fill(
        counts,
        Task.objects.filter(open_at_end, community_id__in=ids, created__lt=end)
        .order_by()
        .values("community_id")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=Q(due__lt=cut))),
        {"open": "tasks.open", "overdue": "tasks.overdue"},
    )
    fill(
        counts,
        PatrolVisit.objects.filter(community_id__in=ids, time__gte=start, time__lt=end)
        .order_by()
        .values("community_id")
        .annotate(patrols=Count("pk")),
        {"patrols": "patrols"},
    )
    return counts


DAILY_FIGURES = [
    DailyCounter(
        group=gettext_lazy("Tasks and patrols"),
        figures=(
            ("tasks.open", gettext_lazy("Open tasks")),
            ("tasks.overdue", gettext_lazy("Overdue tasks")),
            ("patrols", gettext_lazy("Patrol visits made")),
        ),
        count=count_daily,
    )
]
