"""The access overview, and who is out now."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from fangkong.access import stats
from fangkong.access.models import GateEvent, Pass, PassPolicy, Visitor
from fangkong.core.requests import AuthenticatedRequest


class IndexView(TemplateView):
    """The access overview: figures, who is out, links to every page of the module."""

    template_name = "access/index.html"
    request: AuthenticatedRequest

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = self.request.user
        if not (user.has_action(Pass, "view") or user.has_action(GateEvent, "add")):
            raise PermissionDenied
        if user.has_action(GateEvent, "add") and not user.has_action(Pass, "change"):
            return HttpResponseRedirect(reverse("access:gate"))  # checkpoint staff: scan
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        figures = stats.access_figures(user)
        context.update(
            title=_("Passes and gates"),
            figures=figures,
            out=figures.get("out") or stats.out_now(Pass.objects.none()),
            can_scan=user.has_action(GateEvent, "add"),
            can_issue=user.has_action(Pass, "add"),
            can_policy=user.has_action(PassPolicy, "view"),
        )
        return context


class OutNowView(TemplateView):
    """Who is out now and who is overdue; visitors still inside (and past closing time)."""

    template_name = "access/out_now.html"
    request: AuthenticatedRequest

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not self.request.user.has_action(Pass, "view"):
            raise PermissionDenied
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        now = timezone.now()
        # Both lists bounded and their rows' gates and communities joined: a fixed number
        # of queries however many are out or inside.
        context.update(
            title=_("Who is out"),
            out=stats.out_now(Pass.objects.restrict(user), now),
            visitors=stats.visitors_inside_now(Visitor.objects.restrict(user), now),
        )
        return context
