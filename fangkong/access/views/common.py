"""What the access pages share: the community a page is about, where a button goes back
to, the base of the buttons on one row."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.http import url_has_allowed_host_and_scheme

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.querysets import works_in
from fangkong.core.requests import AuthenticatedRequest
from fangkong.core.views import ServiceActionView


def community_for(request: AuthenticatedRequest) -> Area:
    """The community a page is about: ``?community=`` for users above one, else their own."""
    user = request.user
    pk = request.GET.get("community") or request.POST.get("community")
    if pk:
        if not str(pk).isdigit():
            raise Http404
        community = get_object_or_404(Area, pk=pk, level=AreaLevel.COMMUNITY)
        if not works_in(user, community.pk):
            raise Http404
        return community
    own: Area | None = user.community if getattr(user, "area_id", None) else None
    if own is None:
        first: Area | None = Area.objects.restrict(user).filter(level=AreaLevel.COMMUNITY).first()
        if first is None:
            raise Http404
        return first
    return own


def next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return target
    return default


class AccessActionView(ServiceActionView):
    """A button on one access row (core's ``ServiceActionView``): the row is found
    restricted (404 outside the user's scope), and a role without ``action`` on it is
    refused (the 403 page) before the button's short form is read. The service checks the
    right again, at the row's place."""

    action = "change"

    def prepare(self) -> None:
        super().prepare()
        assert self.model is not None
        if not self.request.user.has_action(self.model, self.action):
            raise PermissionDeniedError(self.action)
