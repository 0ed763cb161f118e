"""The jurisdiction tree as the user may see it."""

from __future__ import annotations

from typing import Any

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.views import PageView, require_action


class AreaTreeView(PageView):
    """The user's area and everything below it, indented; communities link to their buildings."""

    template_name = "areas/tree.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        require_action(self.request.user, Area, "view")
        areas = list(Area.objects.restrict(self.request.user).order_by("path"))
        base_depth = min((a.depth for a in areas), default=0)
        rows = [{"area": a, "indent": range(a.depth - base_depth)} for a in areas]
        context = super().get_context_data(**kwargs)
        context.update(
            title=Area._meta.verbose_name_plural,
            rows=rows,
            community_level=AreaLevel.COMMUNITY,
            grid_level=AreaLevel.GRID,
        )
        return context
