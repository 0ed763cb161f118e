"""Suspensions and exemptions of a household's passes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.access import services
from fangkong.access.filtersets import ExemptionFilterSet
from fangkong.access.forms import ExemptionForm, SuspendForm
from fangkong.access.models import Exemption, Suspension
from fangkong.access.tables import ExemptionTable
from fangkong.access.views.common import AccessActionView, next_url
from fangkong.core.views import ObjectListView, ServiceFormView, get_restricted_object
from fangkong.registry.models import Household


class HouseholdFormView(ServiceFormView):
    """A form about one household (suspend its passes, exempt it): the household is found
    restricted (404 outside the user's scope), then the page's right is checked (403)."""

    template_name = "core/object_edit.html"
    action = "add"
    model_name: Any = ""

    def prepare(self) -> None:
        self.household = get_restricted_object(
            Household.objects.select_related("building"),
            self.request.user,
            "view",
            pk=self.kwargs["household_pk"],
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["model_name"] = self.model_name
        return context


class SuspendView(HouseholdFormView):
    """The office suspends a household's passes (source "office"), with a reason."""

    model = Suspension
    form_class = SuspendForm
    model_name = gettext_lazy("suspension")
    success_message = gettext_lazy("The household's passes are suspended.")

    def get_title(self) -> str:
        return _("Suspend the passes of %(household)s") % {"household": self.household.label}

    def get_cancel_url(self) -> str:
        return reverse("access:pass_list")

    def perform(self, form: Any) -> str:
        services.do_suspend_household_passes(
            self.household,
            source="office",
            reason=form.cleaned_data["reason"],
            until=form.cleaned_data.get("until"),
            by=self.request.user,
        )
        return reverse("access:suspension_list")


class SuspensionListView(ObjectListView):
    model = Suspension
    title = gettext_lazy("Suspensions")
    template_name = "access/suspension_list.html"

    def get_base_queryset(self) -> QuerySet[Suspension]:
        return super().get_base_queryset().select_related("household__building")

    def get_queryset(self) -> QuerySet[Suspension]:
        queryset = super().get_queryset()
        if self.request.GET.get("all") != "1":
            queryset = queryset.filter(lifted_at__isnull=True)
        return queryset

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_lift"] = self.request.user.has_action(Suspension, "change")
        return context


class SuspensionLiftView(AccessActionView):
    """Lift one source's suspension; the passes work again when no other remains."""

    model = Suspension
    queryset = Suspension.objects.select_related("household__building")

    def act(self, suspension: Suspension, data: dict[str, Any]) -> Suspension | None:
        lifted = services.do_lift_suspension(
            suspension.household, source=suspension.source, by=self.request.user
        )
        if lifted is not None:
            messages.success(self.request, _("Suspension lifted."))
        return lifted

    def redirect_to(self, suspension: Suspension, result: Any) -> str:
        return next_url(self.request, reverse("access:suspension_list"))


class ExemptionListView(ObjectListView):
    model = Exemption
    filterset_class = ExemptionFilterSet
    table_class = ExemptionTable
    title = gettext_lazy("Exemptions")
    template_name = "access/exemption_list.html"

    def get_base_queryset(self) -> QuerySet[Exemption]:
        return super().get_base_queryset().select_related("household__building")


class ExemptionAddView(HouseholdFormView):
    model = Exemption
    form_class = ExemptionForm
    model_name = gettext_lazy("exemption")

    def get_title(self) -> str:
        return _("Exemption for %(household)s") % {"household": self.household.label}

    def get_cancel_url(self) -> str:
        return reverse("access:exemption_list")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "household": self.household}

    def perform(self, form: Any) -> str:
        services.do_create_exemption(
            household=self.household, by=self.request.user, **form.service_data()
        )
        return reverse("access:exemption_list")


class ExemptionRevokeView(AccessActionView):
    model = Exemption
    queryset = Exemption.objects.select_related("household__building")
    success_message = gettext_lazy("Exemption revoked.")

    def act(self, exemption: Exemption, data: dict[str, Any]) -> Exemption:
        return services.do_revoke_exemption(exemption, by=self.request.user)

    def redirect_to(self, exemption: Exemption, result: Any) -> str:
        return reverse("access:exemption_list")
