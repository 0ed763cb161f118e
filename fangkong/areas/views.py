"""The jurisdiction tree as the user may see it, and the administrator's pages that change it:
add, rename and settings, move, close (every change through ``areas.services``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.areas import services
from fangkong.areas.choices import CHILD_LEVEL, AreaLevel
from fangkong.areas.forms import TIME_ZONES, AreaForm, CloseAreaForm, MoveAreaForm
from fangkong.areas.models import Area
from fangkong.core import area_contents
from fangkong.core.querysets import covers
from fangkong.core.views import (
    ObjectDetailView,
    ObjectEditView,
    PageView,
    ServiceFormView,
    get_restricted_object,
    require_action,
)


def manages(user: Any, area: Area, action: str = "change") -> bool:
    """Whether ``user`` may ``action`` this area itself: it lies strictly below their own
    (the services' rule, asked here only to show or hide the buttons)."""
    if not user.has_action(Area, action):
        return False
    if area.parent_id is None:
        return bool(user.is_superuser)
    parent = Area(pk=area.parent_id, path=area.path.rsplit("/", 2)[0] + "/")
    return covers(user, parent, action)


class AreaTreeView(PageView):
    """The user's area and everything below it, indented; communities link to their buildings
    (for those who see the registry) and every area to its page (for those who manage it)."""

    template_name = "areas/tree.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        require_action(user, Area, "view")
        areas = list(Area.objects.restrict(user).order_by("path"))
        base_depth = min((a.depth for a in areas), default=0)
        rows = [{"area": a, "indent": range(a.depth - base_depth)} for a in areas]
        context = super().get_context_data(**kwargs)
        context.update(
            title=Area._meta.verbose_name_plural,
            rows=rows,
            community_level=AreaLevel.COMMUNITY,
            grid_level=AreaLevel.GRID,
            may_manage=user.has_action(Area, "add"),
        )
        return context


class AreaDetailView(ObjectDetailView):
    """One area: its settings, what it holds, the areas below it, and what may be done."""

    model = Area
    template_name = "areas/detail.html"
    refuse_without_right = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, area = self.request.user, self.object
        may_change = area.is_open and manages(user, area)
        context.update(
            title=area.name,
            time_zone_label=dict(TIME_ZONES).get(area.time_zone, ""),
            children=Area.objects.restrict(user).filter(parent=area).order_by("path"),
            contents=area_contents.describe(services.contents_of(area))
            if user.has_action(Area, "change")
            else "",
            is_community=area.level == AreaLevel.COMMUNITY,
            child_level=CHILD_LEVEL.get(area.level),
            can_add=area.is_open
            and area.level in CHILD_LEVEL
            and user.has_action(Area, "add")
            and covers(user, area, "add"),
            can_change=may_change,
            can_close=area.is_open and manages(user, area, "deactivate"),
            can_assign=area.is_open
            and area.level == AreaLevel.COMMUNITY
            and user.has_action(Area, "change")
            and covers(user, area, "change"),
        )
        return context


class AreaAddView(ServiceFormView):
    """A new area below this one (a street's community, a community's grid)."""

    model = Area
    action = "add"
    form_class = AreaForm
    template_name = "areas/form.html"
    invalid_status = 200
    parent: Area

    def prepare(self) -> None:
        self.parent = get_restricted_object(
            Area.objects.all(), self.request.user, pk=self.kwargs["parent_pk"]
        )

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "level": CHILD_LEVEL.get(self.parent.level, "")}

    def get_title(self) -> Any:
        level = CHILD_LEVEL.get(self.parent.level)
        return _("New %(level)s in %(parent)s") % {
            "level": level.label if level else "",
            "parent": self.parent.name,
        }

    def get_cancel_url(self) -> str:
        return self.parent.get_absolute_url()

    def perform(self, form: AreaForm) -> str:
        area = services.do_create_area(
            parent=self.parent, by=self.request.user, **form.service_data()
        )
        return area.get_absolute_url()


class AreaEditView(ObjectEditView):
    """Rename an area; a community's time zone, fever threshold and contact phone."""

    model = Area
    form_class = AreaForm
    template_name = "areas/form.html"

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "level": self.object.level}

    def get_title(self) -> Any:
        return _("Edit %(area)s") % {"area": self.object.name}

    def update(self, obj: Area, form: AreaForm) -> Area:
        return services.do_update_area(
            obj, by=self.request.user, expected_version=form.expected_version, **form.service_data()
        )


class _OneAreaFormView(ServiceFormView):
    """A form about one area found in the user's scope (404 outside it)."""

    model = Area
    template_name = "areas/form.html"
    invalid_status = 200
    object: Area

    def prepare(self) -> None:
        self.object = get_restricted_object(
            Area.objects.all(), self.request.user, pk=self.kwargs["pk"]
        )

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.object}

    def get_cancel_url(self) -> str:
        return self.object.get_absolute_url()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["object"] = self.object
        return context


class AreaMoveView(_OneAreaFormView):
    """Hang the area under another parent of the level above, within the user's scope."""

    action = "change"
    submit_label = gettext_lazy("Move")

    def get_form_class(self) -> type[MoveAreaForm]:
        return MoveAreaForm

    def get_form_kwargs(self) -> dict[str, Any]:
        parent_level = next(
            (up for up, down in CHILD_LEVEL.items() if down == self.object.level), ""
        )
        return {
            **super().get_form_kwargs(),
            "parent_level": parent_level,
            "exclude": self.object.parent_id,
        }

    def get_title(self) -> Any:
        return _("Move %(area)s") % {"area": self.object.name}

    def perform(self, form: MoveAreaForm) -> str:
        services.do_move_area(
            self.object,
            parent=form.cleaned_data["parent"],
            by=self.request.user,
            expected_version=form.expected_version,
        )
        return self.object.get_absolute_url()


class AreaCloseView(_OneAreaFormView):
    """Close the area (and the areas below it); what it still holds is moved or refused."""

    action = "deactivate"
    template_name = "areas/close.html"
    submit_label = gettext_lazy("Close")
    success_message = gettext_lazy("The area is closed.")

    def get_form_class(self) -> type[CloseAreaForm]:
        return CloseAreaForm

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "area": self.object}

    def get_title(self) -> Any:
        return _("Close %(area)s") % {"area": self.object.name}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["contents"] = area_contents.describe(services.contents_of(self.object))
        return context

    def perform(self, form: CloseAreaForm) -> str:
        services.do_close_area(
            self.object,
            by=self.request.user,
            reason=form.cleaned_data["reason"],
            move_to=form.cleaned_data.get("move_to"),
            expected_version=form.expected_version,
        )
        return self.object.get_absolute_url()
