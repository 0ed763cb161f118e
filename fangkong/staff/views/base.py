"""What every staff page shares: the community it belongs to, its time zone, its breadcrumbs,
and small POST-only action views that call one service and go back where they came from.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from fangkong.areas.models import Area
from fangkong.core.dates import today_in
from fangkong.core.requests import AuthenticatedRequest
from fangkong.core.views import require_action
from fangkong.registry.views import get_community
from fangkong.staff.duty_hours import monday_of, parse_day, parse_week, zone_of


def staff_crumbs(community: Area | None, *extra: tuple[str, str]) -> list[dict[str, str]]:
    """Staff › community › … as breadcrumbs (the community's staff page first)."""
    crumbs = [{"url": reverse("staff:home"), "label": _("Staff")}]
    if community is not None:
        crumbs.append(
            {"url": reverse("staff:community", args=[community.pk]), "label": community.name}
        )
    crumbs.extend({"url": url, "label": label} for url, label in extra)
    return crumbs


def error_text(exc: ValidationError) -> str:
    """One line for a message box from a service's ValidationError (field messages joined)."""
    if hasattr(exc, "error_dict"):
        return " ".join(m for messages_ in exc.message_dict.values() for m in messages_)
    return " ".join(exc.messages)


def requested_day(
    request: HttpRequest, tz: ZoneInfo, *, week: bool = False, warn: bool = True
) -> dt.date:
    """The day ``?date=`` names, or with ``week`` the Monday of the week ``?week=`` names.

    A value the pages cannot show (unreadable, or outside core.dates' bounds) gives today or
    this week instead, with the reason on top of the page (``warn``), never a 500."""
    try:
        if week:
            return parse_week(request.GET.get("week"), tz)
        return parse_day(request.GET.get("date"), tz)
    except ValidationError as exc:
        if warn:
            messages.warning(request, error_text(exc))
        today = today_in(tz)
        return monday_of(today) if week else today


class StaffPageMixin:
    """Adds ``community``, ``tz`` (its time zone, for ``{% timezone tz %}``) and breadcrumbs.

    ``community`` is set by ``CommunityPageMixin`` or taken from the page's object.
    """

    community: Area | None = None
    #: Extra breadcrumbs after the community: a list of (url name, label) built per page.
    crumb_title: Any = None

    def page_community(self) -> Area | None:
        if self.community is not None:
            return self.community
        obj = getattr(self, "object", None)
        return getattr(obj, "community", None) if obj is not None else None

    def required_community(self) -> Area:
        """``page_community()`` of a page that has one: it adds a row to the community its
        ``check_add_permission`` found, or edits a row of a community."""
        community = self.page_community()
        if community is None:
            raise Http404
        return community

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context: dict[str, Any] = super().get_context_data(**kwargs)  # type: ignore[misc]
        community = self.page_community()
        context.setdefault("community", community)
        context["tz"] = zone_of(community).key if community else settings.TIME_ZONE
        context.setdefault("breadcrumbs", staff_crumbs(community))
        return context


class CommunityPageMixin(StaffPageMixin):
    """A page of one community (``community_pk`` in the URL): 404 outside the user's scope,
    then 403 without ``action`` on ``model``. A grid worker opens their own community."""

    #: The page's model (``Any``: the views this is mixed into declare it each their own way).
    model: Any
    action = "view"
    #: Found by ``dispatch`` before anything else runs.
    community: Area

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        # Behind the login the user is an accounts.User (fangkong.core.requests); the
        # mixin cannot declare ``request`` as the views it is mixed into do.
        user = cast(AuthenticatedRequest, request).user
        self.community = get_community(user, kwargs["community_pk"])
        require_action(user, self.model, self.action)
        response: HttpResponse = super().dispatch(request, *args, **kwargs)  # type: ignore[misc]
        return response
