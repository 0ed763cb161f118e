"""What every health page shares: the form page (core's ``ServiceFormView`` with the
module's navigation), the answer to a status change that applied or waits for approval, and
the community a user works in."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.contrib import messages
from django.db import models
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from fangkong.areas.models import Area
from fangkong.core.views import ObjectListView, ServiceFormView
from fangkong.health.services.common import health_role_only
from fangkong.health.services.review import FOUR_EYES_LIMIT, ChangeResult

if TYPE_CHECKING:
    from fangkong.accounts.models import User

#: Pages changing these change a health status: only the health role may.
STATUS_MODELS = ("case", "quarantine", "statuschange")


def user_community(user: User) -> Area | None:
    """The community a user works in (their own, or the one their grid belongs to)."""
    return user.community if getattr(user, "area_id", None) else None


def require_community(user: User) -> Area:
    """Pages that add rows to a community need the user's community (404 above it)."""
    community = user_community(user)
    if community is None:
        raise Http404
    return community


def change_answer(request: HttpRequest, result: ChangeResult, applied_url: str) -> str:
    """Where to go after a status change, with a message saying what happened."""
    if result.pending:
        messages.warning(
            request,
            ngettext(
                "The change waits for approval: more than %(limit)s people in 24 hours need a "
                "user of another role to approve (%(n)s person in this change).",
                "The change waits for approval: more than %(limit)s people in 24 hours need a "
                "user of another role to approve (%(n)s people in this change).",
                result.people,
            )
            % {"limit": FOUR_EYES_LIMIT, "n": result.people},
        )
        return reverse("health:change_detail", args=[result.changes[0].pk])
    messages.success(request, _("Saved."))
    return applied_url


class HealthFormView(ServiceFormView):
    """Core's service form page with the module's navigation; status pages say whose right
    a change of health status is when they turn a user away."""

    template_name = "health/form.html"

    def refusal(self) -> str:
        if self.model is not None and self.model._meta.model_name in STATUS_MODELS:
            return health_role_only()
        return ""

    def get_cancel_url(self) -> str:
        return reverse("health:today")


class HealthListView(ObjectListView):
    """A list of the module's rows, with the module's navigation and an export link."""

    template_name = "health/list.html"
    export_kind: ClassVar[str] = ""
    related: ClassVar[tuple[str, ...]] = ()

    def get_base_queryset(self) -> models.QuerySet[Any]:
        qs = super().get_base_queryset()
        return qs.select_related(*self.related) if self.related else qs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        if self.export_kind and user.has_action(self.model, "export"):
            url = reverse("health:export", args=[self.export_kind])
            context["export_url"] = f"{url}?{context['querystring']}"
        return context
