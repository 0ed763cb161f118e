"""The home page: the numbers that matter in the user's area."""

from __future__ import annotations

from typing import Any

from django.views.generic import TemplateView

from fangkong.core.models import Job
from fangkong.registry import stats as registry_stats


class HomeView(TemplateView):
    template_name = "reports/home.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        context = super().get_context_data(**kwargs)
        context["area"] = user.area
        context["community"] = user.community
        if user.has_action("registry.person", "view"):
            context["figures"] = registry_stats.registry_figures(user)
        if user.has_action("core.job", "view"):
            context["jobs"] = Job.objects.restrict(user).filter(user=user)[:5]
        return context
