"""The home page: first what the user's role does now (``fangkong.reports.homes``), then the
numbers that matter in the user's area, one section per module, and the census last.

Each module's ``stats.py`` gives its figures (always through ``restrict(user)``, a fixed
number of queries); a section is shown only to users whose role may see that module. The
counts over every person, household and pass are read from stored figures summed over the
user's communities (``fangkong.reports.figures``), so a district official's home page reads
a hundred communities' rows rather than recounting them; grid workers' are counted live.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from fangkong.access.stats import DAY_KEYS, PASS_COUNT_KEYS, access_figures
from fangkong.areas.models import Area
from fangkong.core.models import Job
from fangkong.core.views import PageView
from fangkong.daily.stats import todays_report
from fangkong.health.stats import health_figures
from fangkong.registry.stats import figures_from_counts, registry_figures
from fangkong.reports.figures import communities_of, stored_figures
from fangkong.reports.homes import work_for
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
