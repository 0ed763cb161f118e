"""The disinfection log, the epidemic picture and the building grid, the status changes with
their review, and the community's health settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.views import (
    LoggedInView,
    ObjectDetailView,
    PageView,
    ServiceActionView,
    get_restricted_object,
    require_action,
)
from fangkong.health import services
from fangkong.health.choices import ChangeStatus
from fangkong.health.filtersets import ChangeFilterSet, DisinfectionFilterSet
from fangkong.health.forms import DecisionForm, DisinfectionForm, PolicyForm
from fangkong.health.models import Case, Disinfection, HealthPolicy, Quarantine, StatusChange
from fangkong.health.services.policy import policy_for
from fangkong.health.stats import building_grid, epidemic_curve, quarantine_per_day, user_today
from fangkong.health.tables import ChangeTable, DisinfectionTable
from fangkong.health.views.common import (
    HealthFormView,
    HealthListView,
    require_community,
)

# --- Disinfection ---------------------------------------------------------------------------


class DisinfectionListView(HealthListView):
    model = Disinfection
    filterset_class = DisinfectionFilterSet
    table_class = DisinfectionTable
    template_name = "health/disinfection_list.html"
    title = gettext_lazy("Disinfection")
    related = ("building", "checkpoint")
    export_kind = "disinfections"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["overdue"] = services.overdue_places(
            Case.objects.restrict(user), Disinfection.objects.restrict(user)
        )
        context["add_url"] = reverse("health:disinfection_add")
        return context


class DisinfectionAddView(HealthFormView):
    form_class = DisinfectionForm
    model = Disinfection
    action = "add"
    title = gettext_lazy("Record a disinfection")

    def prepare(self) -> None:
        self.community = require_community(self.request.user)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "community": self.community}

    def get_initial(self) -> dict[str, Any]:
        initial = {}
        for key in ("place_kind", "building", "unit", "checkpoint"):
            if self.request.GET.get(key):
                initial[key] = self.request.GET[key]
        return initial

    def get_cancel_url(self) -> str:
        return reverse("health:disinfection_list")

    def perform(self, form: DisinfectionForm) -> str:
        data = form.cleaned_data
        services.do_record_disinfection(
            community=self.community,
            by=self.request.user,
            place_kind=data["place_kind"],
            building=data.get("building"),
            unit=data.get("unit"),
            checkpoint=data.get("checkpoint"),
            place_name=data.get("place_name") or "",
            done_at=data.get("done_at"),
            agent=data["agent"],
            concentration=data.get("concentration") or "",
            operator=data["operator"],
            notes=data.get("notes") or "",
        )
        messages.success(self.request, _("Saved."))
        return reverse("health:disinfection_list")


# --- The epidemic picture -------------------------------------------------------------------


class PictureView(PageView):
    """The epidemic curve by onset date, people under quarantine per day, and the building
    grid with its markers — all of the user's area."""

    template_name = "health/picture.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        require_action(user, Case, "view")
        today = user_today(user)
        buildings = building_grid(user, today)
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Epidemic picture"),
            today=today,
            curve=epidemic_curve(Case.objects.restrict(user), today),
            quarantine=quarantine_per_day(Quarantine.objects.restrict(user), today),
            buildings=[b for b in buildings if b.marker],
            marked=sum(1 for b in buildings if b.marker),
        )
        return context


class BuildingGridView(PageView):
    """Every building of the user's area as a tile, cases and quarantines marked."""

    template_name = "health/buildings.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        require_action(user, Case, "view")
        context = super().get_context_data(**kwargs)
        context.update(title=_("Building grid"), buildings=building_grid(user, user_today(user)))
        return context


# --- Status changes and their review --------------------------------------------------------


class ChangeListView(HealthListView):
    """Every status change of the area; those waiting for approval first when asked."""

    model = StatusChange
    filterset_class = ChangeFilterSet
    table_class = ChangeTable
    template_name = "health/change_list.html"
    title = gettext_lazy("Status changes")
    related = ("person",)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        pending = list(
            StatusChange.objects.restrict(user)
            .filter(status=ChangeStatus.PENDING)
            .select_related("person")
            .order_by("created", "pk")[:500]
        )
        context.update(pending=pending, can_approve=user.has_action(StatusChange, "approve"))
        return context


class ChangeDetailView(ObjectDetailView):
    model = StatusChange
    queryset = StatusChange.objects.select_related(
        "person", "household__building", "case", "quarantine", "decided_by", "community"
    )
    template_name = "health/change_detail.html"
    context_object_name = "change"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, change = self.request.user, self.object
        batch = []
        if change.batch:
            batch = list(
                StatusChange.objects.restrict(user)
                .filter(batch=change.batch)
                .exclude(pk=change.pk)
                .select_related("person")
            )
        own = change.proposed_by_id == user.pk
        same_role = bool(change.proposer_role) and change.proposer_role == getattr(user, "role", "")
        context.update(
            title=str(change),
            batch=batch,
            can_decide=(
                change.is_pending
                and user.has_action(StatusChange, "approve")
                and not own
                and not same_role
            ),
            own=own and change.is_pending,
            same_role=same_role and change.is_pending,
            form=kwargs.get("form") or DecisionForm(),
        )
        return context


class DecisionView(ServiceActionView):
    """POST: approve (and apply) or reject a pending change and the rest of its batch."""

    approve = True

    def prepare(self) -> None:
        self.change = get_restricted_object(
            StatusChange.objects.select_related("community"),
            self.request.user,
            "view",
            pk=self.kwargs["pk"],
        )

    def get_back_url(self) -> str:
        return reverse("health:change_detail", args=[self.change.pk])

    def perform(self) -> str:
        form = DecisionForm(self.request.POST)
        form.is_valid()
        note = form.cleaned_data.get("note", "")
        if self.approve:
            services.do_approve_change(self.change, by=self.request.user, note=note)
            messages.success(self.request, _("Approved: the change is applied."))
        else:
            services.do_reject_change(self.change, by=self.request.user, note=note)
            messages.success(self.request, _("Rejected: nothing was changed."))
        return self.get_back_url()


class BulkApproveView(LoggedInView):
    """POST: approve the chosen pending changes (an import's rows, a day's batches)."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest) -> HttpResponse:
        user = self.request.user
        if not user.has_action(StatusChange, "approve"):
            raise PermissionDeniedError("approve")
        ids = [int(v) for v in request.POST.getlist("change") if v.isdigit()]
        changes = list(
            StatusChange.objects.restrict(user)
            .filter(pk__in=ids, status=ChangeStatus.PENDING)
            .order_by("pk")
        )
        done, batches = 0, set()
        for change in changes:
            if change.batch in batches:
                continue
            batches.add(change.batch)
            try:
                done += services.do_approve_change(change, by=user).people
            except ValidationError as exc:
                for message in exc.messages:
                    messages.error(request, f"{change.person}: {message}")
        if done:
            messages.success(
                request,
                ngettext("Approved for %(n)s person.", "Approved for %(n)s people.", done)
                % {"n": done},
            )
        return HttpResponseRedirect(reverse("health:change_list"))


# --- Settings -------------------------------------------------------------------------------


class PolicyView(HealthFormView):
    form_class = PolicyForm
    model = HealthPolicy
    title = gettext_lazy("Health settings")

    def prepare(self) -> None:
        self.community = require_community(self.request.user)
        self.policy = policy_for(self.community)

    def get_initial(self) -> dict[str, Any]:
        policy = self.policy
        return {
            "quarantine_days": policy.quarantine_days,
            "monitoring_days": policy.monitoring_days,
            "reports_per_day": policy.reports_per_day,
            "disinfection_days": policy.disinfection_days,
            "version": policy.version,
        }

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["intro"] = _(
            "The fever threshold (%(t)s °C) is the community's own, shared "
            "with screening and the gates."
        ) % {"t": self.community.fever_threshold}
        return context

    def perform(self, form: PolicyForm) -> str:
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        services.do_update_policy(
            self.community, by=self.request.user, expected_version=form.expected_version, **data
        )
        messages.success(self.request, _("Saved."))
        return reverse("health:today")
