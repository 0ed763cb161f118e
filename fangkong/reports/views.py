"""The home page: the numbers that matter in the user's area, one section per module.

Each module's ``stats.py`` gives its figures (always through ``restrict(user)``, a fixed
number of queries); a section is shown only to users whose role may see that module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from fangkong.access.stats import access_figures
from fangkong.core.models import Job
from fangkong.health.stats import health_figures
from fangkong.registry.stats import registry_figures
from fangkong.screening.stats import screening_figures
from fangkong.staff.stats import staff_figures


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


class HomeView(TemplateView):
    template_name = "reports/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        context = super().get_context_data(**kwargs)
        context["area"] = user.area
        context["community"] = user.community
        if user.has_action("registry.person", "view"):
            context["figures"] = registry_figures(user)
        context["sections"] = [
            {"title": section.title, "cards": section.figures(user).get("cards", [])}
            for section in SECTIONS
            if user.has_action(section.right, "view")
        ]
        if user.has_action("core.job", "view"):
            context["jobs"] = Job.objects.restrict(user).filter(user=user)[:5]
        return context
