"""The home page: first what the user's role does now (``fangkong.reports.homes``), then the
numbers that matter in the user's area, one section per module, and the census last.

Each module's ``stats.py`` gives its figures (always through ``restrict(user)``, a fixed
number of queries); a section is shown only to users whose role may see that module. The
counts over every person, household and pass are read from stored figures summed over the
user's communities (``fangkong.reports.figures``), so a district official's home page reads
a hundred communities' rows rather than recounting them; grid workers' are counted live.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from fangkong.access.stats import DAY_KEYS, PASS_COUNT_KEYS, access_figures
from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.dates import parse_query_date
from fangkong.core.models import Job
from fangkong.core.querysets import covers
from fangkong.core.views import PageView, ServiceActionView
from fangkong.daily.stats import todays_report
from fangkong.health.stats import health_figures
from fangkong.registry.stats import figures_from_counts, registry_figures
from fangkong.reports import daily
from fangkong.reports.dashboard import build as build_dashboard
from fangkong.reports.figures import communities_of, stored_figures
from fangkong.reports.forms import StoreDayForm
from fangkong.reports.homes import work_for
from fangkong.reports.models import CommunityFigure
from fangkong.reports.services import do_store_daily_figures
from fangkong.screening.stats import screening_figures
from fangkong.staff.stats import staff_figures

if TYPE_CHECKING:
    from fangkong.accounts.models import User


@dataclass(frozen=True)
class Section:
    title: str | Promise
    right: str  # a model label the role must be able to view
    figures: Callable[[Any], dict[str, Any]]


SECTIONS = (
    Section(_("Tasks and duty"), "staff.task", staff_figures),
    Section(_("Health"), "health.quarantine", health_figures),
    Section(_("Phone screening"), "screening.campaign", screening_figures),
    Section(_("Passes and gates"), "access.pass", access_figures),
)


class HomeView(PageView):
    template_name = "reports/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        context = super().get_context_data(**kwargs)
        context["area"] = user.area
        context["community"] = user.community
        community_ids = communities_of(user)
        stored = stored_figures(community_ids) if community_ids is not None else None
        if user.has_action("registry.person", "view"):
            if stored is None or community_ids is None:  # nothing stored without communities
                context["figures"] = registry_figures(user)
            else:
                tiles = list(Area.objects.filter(pk__in=community_ids).order_by("path"))
                context["figures"] = figures_from_counts(stored.totals, stored.per_community, tiles)
        context["work"] = work_for(user, stored, community_ids)
        context["can_patrol"] = user.has_action("staff.patrolvisit", "add")
        # Today's report upward, with its state, for the offices that submit one.
        context["daily_report"] = todays_report(user)
        context["sections"] = []
        for section in SECTIONS:
            if user.has_action(section.right, "view"):
                figures = self._section(section, user, stored)
                context["sections"].append(
                    {"title": section.title, "figures": figures, "cards": figures.get("cards", [])}
                )
        if user.has_action("core.job", "view"):
            context["jobs"] = Job.objects.restrict(user).filter(user=user)[:5]
        return context

    @staticmethod
    def _section(section: Section, user: User, stored: Any) -> dict[str, Any]:
        if section.figures is access_figures and stored is not None:
            return access_figures(
                user, {key: stored.totals.get(key, 0) for key in (*PASS_COUNT_KEYS, *DAY_KEYS)}
            )
        return section.figures(user)


# --- Daily figures: one day of an area, and the button that counts a day again ------------


def area_in_scope(user: User, pk: int) -> Area:
    """A community or an area above it that the user covers whole; else not found (a grid
    has no daily figures of its own; an ancestor seen by name only is not the user's)."""
    area: Area | None = Area.objects.restrict(user).filter(pk=pk).first()
    if area is None or area.level == AreaLevel.GRID or not covers(user, area):
        raise Http404
    return area


class DailyFiguresView(PageView):
    """The stored daily figures of an area on one day (``?date=``, default yesterday, the
    last day stored whole), beside the day before; a community officer counts a day again
    with the button below."""

    template_name = "reports/daily_figures.html"
    model = CommunityFigure

    def refusal(self) -> str:
        return gettext_now("Your role does not read the daily figures.")

    def check_permission(self) -> None:
        # Scope first: an area outside the user's is not found, whatever the role.
        self.area = area_in_scope(self.request.user, self.kwargs["pk"])
        super().check_permission()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        area = self.area
        today = area.local_today()
        try:
            day = parse_query_date(self.request.GET.get("date")) or today - dt.timedelta(days=1)
        except ValidationError as error:
            messages.error(self.request, error.messages[0])
            day = today - dt.timedelta(days=1)
        if day > today:
            messages.error(self.request, gettext_now("That day has not begun yet."))
            day = today - dt.timedelta(days=1)
        before = day - dt.timedelta(days=1)
        shown, previous = daily.figures_for(area, day), daily.figures_for(area, before)
        context.update(
            area=area,
            day=day,
            before=before,
            next_day=day + dt.timedelta(days=1) if day < today else None,
            stored=len(daily.stored_communities(area, day)),
            communities=daily.communities_below(area).count(),
            groups=[
                (
                    title,
                    [
                        {
                            "key": key,
                            "label": daily.DAILY_LABELS[key],
                            "value": shown[key],
                            "before": previous[key],
                            "change": shown[key] - previous[key],
                        }
                        for key in keys
                    ],
                )
                for title, keys in daily.DAILY_GROUPS
            ],
            can_store=area.level == AreaLevel.COMMUNITY
            and user.has_action(CommunityFigure, "change"),
            form=StoreDayForm(initial={"day": day}),
        )
        return context


class StoreDailyFiguresView(ServiceActionView):
    """ "重新统计": count one day of the community again from its rows."""

    form_class = StoreDayForm

    def prepare(self) -> None:
        self.object = area_in_scope(self.request.user, self.kwargs["pk"])

    def perform(self) -> str | HttpResponse:
        day = self.data["day"]
        do_store_daily_figures(self.object, day, by=self.request.user)
        messages.success(
            self.request,
            gettext_now("The figures of %(day)s were counted again.") % {"day": day.isoformat()},
        )
        return f"{reverse('reports:daily_figures', args=[self.object.pk])}?date={day.isoformat()}"

    def get_back_url(self) -> str:
        return reverse("reports:daily_figures", args=[self.object.pk])


# --- Dashboards: a community's, a street's, a district's -----------------------------------


class DashboardView(PageView):
    """One area's dashboard (``fangkong.reports.dashboard``): the user's own area at
    ``/dashboard/``, or an area below it. Figures from stored rows only."""

    template_name = "reports/dashboard.html"
    model = CommunityFigure

    def refusal(self) -> str:
        return gettext_now("Your role does not read the daily figures.")

    def check_permission(self) -> None:
        user = self.request.user
        pk = self.kwargs.get("pk")
        if pk is not None:
            # Scope first: an area outside the user's is not found, whatever the role.
            self.area = area_in_scope(user, pk)
            super().check_permission()
            return
        # The user's own area: the right first (a grid worker is refused, not "not found").
        super().check_permission()
        own = user.area
        if own is not None and own.level == AreaLevel.GRID:
            own = own.parent
        if own is None and user.is_superuser:
            own = Area.objects.filter(parent=None).order_by("path").first()
        if own is None:
            raise Http404
        pk = own.pk
        self.area = area_in_scope(user, pk)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        board = build_dashboard(self.area, self.request.user)
        context.update(
            area=self.area,
            board=board,
            title=gettext_now("Dashboard"),
            charts={f"chart-{trend.key}": trend.chart for trend in board.trends},
        )
        return context
