"""What each role does now: the top of its home page, on the first screen of a phone.

A grid worker's next call, a guard's scanner, a health officer's day, and for the community
officer and the officials above, one status card per community. Every figure links to the
list behind it. The census tiles come below this (``HomeView``).

The status cards read stored figures only (``fangkong.reports.figures``): a district's
hundred communities cost the same few indexed queries whatever their size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.accounts.choices import Role
from fangkong.areas.models import Area
from fangkong.daily.choices import ReportState
from fangkong.daily.stats import report_states
from fangkong.reports.figures import (
    CommunityStatus,
    Figure,
    StoredFigures,
    screening_percent_by_community,
    yesterdays_figures,
)

if TYPE_CHECKING:
    from fangkong.accounts.models import User

#: What each figure of a status card counts, said precisely: "households in quarantine"
#: are households under *home* quarantine today, not the buildings 疫情概况 marks.
STATUS_LABELS: dict[str, str | Promise] = {
    "new_cases": gettext_lazy("New cases today"),
    "quarantined_households": gettext_lazy("Households in home quarantine today"),
    "passes_suspended": gettext_lazy("Passes suspended now"),
    "overdue_tasks": gettext_lazy("Tasks overdue now"),
}
#: Figures whose rise needs someone's attention (shown in red when above zero).
ALERTING = frozenset({"new_cases", "overdue_tasks"})
OFFICIALS = frozenset({Role.DISTRICT_OFFICIAL, Role.STREET_OFFICIAL, Role.COMMUNITY_OFFICER})


@dataclass
class Action:
    """The one big button of a home page."""

    label: str
    url: str


@dataclass
class Work:
    """The top of a home page: the main action, the figures of the work at hand, and the
    communities' status cards (with the moment they are exact as of)."""

    main: Action | None = None
    more: list[Action] = field(default_factory=list)
    cards: list[dict[str, Any]] = field(default_factory=list)
    communities: list[CommunityStatus] = field(default_factory=list)
    as_of: dt.datetime | None = None


def _card(label: str, value: int, url: str, *, alert: bool = False) -> dict[str, Any]:
    return {"label": label, "value": value, "url": url, "alert": alert and value > 0}


def grid_worker_work(user: User) -> Work:
    """The next call first, then today's door visits and the worker's tasks."""
    from fangkong.screening.choices import AssignmentStatus
    from fangkong.screening.stats import call_list_count, my_assignments, next_due
    from fangkong.staff.stats import staff_figures

    due = call_list_count(user)
    first = next_due(user) if due else None
    call_list = reverse("screening:call_list")
    main = (
        Action(
            _("Call the next household (%(n)s)") % {"n": due},
            reverse("screening:call", args=[first.pk]),
        )
        if first is not None
        else Action(_("My call list"), call_list)
    )
    door = my_assignments(user).filter(status=AssignmentStatus.UNREACHABLE).count()
    tasks = staff_figures(user)["my_open_tasks"]
    return Work(
        main=main,
        cards=[
            _card(_("Door visits to make"), door, call_list, alert=True),
            _card(_("My open tasks"), tasks, reverse("staff:my_tasks"), alert=True),
            _card(_("Calls due now"), due, call_list),
        ],
    )


def guard_work(user: User) -> Work:
    """The scanner first, then who is out, who is overdue and the visitors inside."""
    from fangkong.access.models import Pass, Visitor
    from fangkong.access.stats import out_now, visitors_inside

    now = timezone.now()
    out = out_now(Pass.objects.restrict(user), now, shown=0)
    inside = visitors_inside(Visitor.objects.restrict(user)).order_by().count()
    out_url = reverse("access:out_now")
    more = []
    if user.has_action("access.visitor", "add"):
        more.append(Action(_("Register a visitor"), reverse("access:visitor_add")))
    return Work(
        main=Action(_("Scan a pass"), reverse("access:gate")),
        more=more,
        cards=[
            _card(_("Overdue"), out.overdue, out_url, alert=True),
            _card(_("Out now"), out.count, out_url),
            _card(_("Visitors inside"), inside, reverse("access:visitor_list") + "?inside=true"),
        ],
    )


def health_officer_work(user: User) -> Work:
    """Today's missing reports, fevers and quarantines due to end."""
    from fangkong.health.models import Quarantine
    from fangkong.health.stats import health_figures, user_today

    figures = health_figures(user)
    today = reverse("health:today")
    ending = (
        Quarantine.objects.restrict(user)
        .filter(ended_on__isnull=True, planned_end__lte=user_today(user))
        .count()
    )
    return Work(
        main=Action(_("Today's health work"), today),
        cards=[
            _card(
                _("Reports missing today"), figures["missing_today"], f"{today}#missing", alert=True
            ),
            _card(_("Fevers today"), figures["fevers_today"], f"{today}#fevers", alert=True),
            _card(_("Quarantines due to end"), ending, f"{today}#due", alert=True),
            _card(
                _("Households in home quarantine today"),
                figures["quarantined_households"],
                f"{today}#households",
            ),
        ],
    )


def community_statuses(
    community_ids: list[int], stored: StoredFigures, now: dt.datetime
) -> list[CommunityStatus]:
    """One status card per community, from the stored figures (already read into
    ``stored``), yesterday's stored ones and the stored screening coverage: three more
    queries whatever the number of communities."""
    today = timezone.localdate(now)
    yesterday = yesterdays_figures(community_ids, today)
    percents = screening_percent_by_community(community_ids)
    reports = report_states(community_ids, now)
    cases = reverse("health:case_list")
    health_today = reverse("health:today")
    passes = reverse("access:pass_list") + "?status=suspended"
    tasks = reverse("staff:task_list")
    statuses = []
    for area in Area.objects.filter(pk__in=community_ids).order_by("path").only("pk", "name"):
        mine = stored.per_community.get(area.pk, {})
        before = yesterday.get(area.pk)
        urls = {
            "new_cases": cases,
            "quarantined_households": f"{health_today}#households",
            "passes_suspended": passes,
            "overdue_tasks": f"{tasks}?overdue=true&community={area.pk}",
        }
        figures = {}
        for key, url in urls.items():
            value = mine.get(key, 0)
            change = value - before[key] if before is not None and key in before else None
            figures[key] = Figure(
                key=key,
                value=value,
                change=change,
                url=url,
                alert=key in ALERTING and value > 0,
                label=STATUS_LABELS[key],
            )
        statuses.append(
            CommunityStatus(
                pk=area.pk,
                name=area.name,
                figures=figures,
                screening_percent=percents.get(area.pk),
                report_state=reports.get(area.pk),
            )
        )
    # Communities that need someone now first (a district has a hundred); the tree's order
    # otherwise, so a card stays where its reader last saw it.
    statuses.sort(
        key=lambda status: (
            not (
                status.report_state == ReportState.LATE
                or any(f.alert for f in status.figures.values())
            )
        )
    )
    return statuses


def officials_work(user: User, stored: StoredFigures | None, community_ids: list[int]) -> Work:
    """The community officer's and the officials' status cards."""
    now = timezone.now()
    if stored is None:
        return Work()
    return Work(communities=community_statuses(community_ids, stored, now), as_of=now)


def work_for(user: User, stored: StoredFigures | None, community_ids: list[int] | None) -> Work:
    """The top of ``user``'s home page, by role."""
    role = getattr(user, "role", "")
    if role == Role.GRID_WORKER:
        return grid_worker_work(user)
    if role == Role.CHECKPOINT_STAFF:
        return guard_work(user)
    if role == Role.HEALTH_OFFICER:
        return health_officer_work(user)
    if role in OFFICIALS and community_ids is not None:
        return officials_work(user, stored, community_ids)
    return Work()
