"""The prevention plan: the version in force, editing (a new version), history, one old
version, and the difference between two versions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from fangkong.core.exceptions import ConflictError
from fangkong.core.views import ObjectDetailView, PageFormView, PageView
from fangkong.staff import services
from fangkong.staff.forms import PlanForm
from fangkong.staff.models import PlanVersion, PreventionPlan
from fangkong.staff.plan_text import diff_lines, render_plan
from fangkong.staff.querysets import sees_area
from fangkong.staff.views.base import CommunityPageMixin, StaffPageMixin, staff_crumbs

if TYPE_CHECKING:
    from fangkong.accounts.models import User


def current_plan(user: User, community: Any) -> tuple[PreventionPlan | None, PlanVersion | None]:
    plan = PreventionPlan.objects.restrict(user).filter(community=community).first()
    if plan is None:
        return None, None
    version = plan.versions.filter(number=plan.current_number).select_related("author").first()
    return plan, version


def can_edit_plan(user: User, community: Any, plan: PreventionPlan | None) -> bool:
    action = "change" if plan is not None else "add"
    return user.has_action(PreventionPlan, action) and sees_area(user, community)


class PlanView(CommunityPageMixin, PageView):
    """The plan in force, shown to every staff member of the community."""

    model = PreventionPlan
    template_name = "staff/plan.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        plan, version = current_plan(user, self.community)
        context.update(
            title=plan.title if plan else _("Prevention plan"),
            plan=plan,
            version=version,
            html=render_plan(version.text) if version else "",
            can_edit=can_edit_plan(user, self.community, plan),
        )
        return context


class PlanEditView(CommunityPageMixin, PageFormView):
    """Write the next version. Saving over someone else's newer version is refused, and the
    text typed is shown again to compare."""

    model = PreventionPlan
    form_class = PlanForm
    template_name = "staff/plan_edit.html"

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self._check()
        return super().get(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self._check()
        return super().post(request, *args, **kwargs)

    def _check(self) -> None:
        self.plan, self.version = current_plan(self.request.user, self.community)
        if not can_edit_plan(self.request.user, self.community, self.plan):
            raise PermissionDenied

    def get_initial(self) -> dict[str, Any]:
        if self.version is None or self.plan is None:  # a version implies its plan
            return {"title": _("Epidemic prevention plan"), "expected_number": 0}
        return {
            "title": self.version.title,
            "text": self.version.text,
            "expected_number": self.plan.current_number,
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Edit the prevention plan"),
            version=self.version,
            cancel_url=reverse("staff:plan", args=[self.community.pk]),
        )
        return context

    def form_valid(self, form: PlanForm) -> HttpResponse:
        data = form.cleaned_data
        try:
            services.do_save_plan(
                community=self.community,
                by=self.request.user,
                title=data["title"],
                text=data["text"],
                summary=data.get("summary", ""),
                expected_number=data.get("expected_number"),
            )
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
            return self.form_invalid(form)
        except ConflictError as exc:
            form.add_error(None, exc.message)
            # A bound form's data is the POST QueryDict (a Mapping to the stubs).
            posted = cast(QueryDict, form.data).copy()
            posted["expected_number"] = str(exc.current_version)
            form.data = posted
            return self.form_invalid(form)
        messages.success(self.request, _("Saved as a new version."))
        return HttpResponseRedirect(reverse("staff:plan", args=[self.community.pk]))


class PlanHistoryView(CommunityPageMixin, PageView):
    """Every version: number, who, when, what changed; pick two to compare."""

    model = PreventionPlan
    template_name = "staff/plan_history.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        plan, _version = current_plan(self.request.user, self.community)
        versions = list(plan.versions.select_related("author").order_by("-number")) if plan else []
        context.update(title=_("Plan history"), plan=plan, versions=versions)
        return context


class PlanVersionView(StaffPageMixin, ObjectDetailView):
    model = PlanVersion
    queryset = PlanVersion.objects.select_related("plan", "community", "author")
    template_name = "staff/plan.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        version = self.object
        context.update(
            title=f"{version.title} v{version.number}",
            plan=version.plan,
            version=version,
            html=render_plan(version.text),
            old=version.number != version.plan.current_number,
            breadcrumbs=staff_crumbs(
                version.community,
                (
                    reverse("staff:plan", args=[version.community_id]),
                    _("Prevention plan"),
                ),
            ),
        )
        return context


class PlanDiffView(CommunityPageMixin, PageView):
    """What changed between two versions (``?a=`` older, ``?b=`` newer; by default the
    previous and the current)."""

    model = PreventionPlan
    template_name = "staff/plan_diff.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        plan, _version = current_plan(self.request.user, self.community)
        if plan is None or plan.current_number < 1:
            context.update(title=_("Compare versions"), lines=[], plan=None)
            return context

        def number(name: str, default: int) -> int:
            value = self.request.GET.get(name, "")
            return int(value) if value.isdigit() else default

        new_number = number("b", plan.current_number)
        old_number = number("a", max(new_number - 1, 1))
        old = get_object_or_404(PlanVersion, plan=plan, number=old_number)
        new = get_object_or_404(PlanVersion, plan=plan, number=new_number)
        context.update(
            title=_("Compare versions"),
            plan=plan,
            old=old,
            new=new,
            lines=diff_lines(f"# {old.title}\n\n{old.text}", f"# {new.title}\n\n{new.text}"),
            numbers=range(1, plan.current_number + 1),
        )
        return context
