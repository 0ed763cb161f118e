"""Alerts to act on, and move-outs heard on the phone waiting for the grid worker."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.views import (
    ObjectListView,
    ServiceActionView,
    ServiceFormView,
    get_restricted_object,
)
from fangkong.screening import services
from fangkong.screening.choices import AlertStatus, ProposalStatus
from fangkong.screening.forms import ResolveAlertForm
from fangkong.screening.masking import mask_name
from fangkong.screening.models import Alert, MoveOutProposal

ALERT_RELATED = ("household__building", "person", "campaign", "grid", "community", "resolved_by")


class AlertListView(ObjectListView):
    """One page of alerts to act on: open ones first, the most serious on top."""

    model = Alert
    template_name = "screening/alert_list.html"
    title = gettext_lazy("Screening alerts")

    def get_base_queryset(self) -> QuerySet[Alert]:
        alerts = super().get_base_queryset().select_related(*ALERT_RELATED)
        status = self.status()
        if status in AlertStatus.values:
            alerts = alerts.filter(status=status)
        campaign = self.request.GET.get("campaign", "")
        if campaign.isdigit():
            alerts = alerts.filter(campaign_id=int(campaign))
        return alerts.order_by("-level", "-raised_at", "-pk")  # "urgent" sorts after "high"

    def status(self) -> str:
        return self.request.GET.get("status", AlertStatus.OPEN)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        for alert in context["page_obj"]:
            alert.person_mask = mask_name(alert.person.name) if alert.person else ""
        context.update(status=self.status(), statuses=AlertStatus.choices)
        return context


class AlertDetailView(ServiceFormView):
    """An alert, and for whoever may close it the form saying what was done."""

    template_name = "screening/alert_detail.html"
    form_class = ResolveAlertForm
    success_message = gettext_lazy("Alert closed.")

    def prepare(self) -> None:
        self.alert = get_restricted_object(
            Alert.objects.select_related(*ALERT_RELATED),
            self.request.user,
            "view",
            pk=self.kwargs["pk"],
        )

    def get_title(self) -> Any:
        return self.alert.get_kind_display()

    def get_cancel_url(self) -> str:
        return reverse("screening:alert_list")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        alert = self.alert
        context.update(
            alert=alert,
            person_mask=mask_name(alert.person.name) if alert.person else "",
            can_resolve=(
                alert.status == AlertStatus.OPEN
                and services.may_resolve_alerts(self.request.user, alert.community)
            ),
        )
        return context

    def perform(self, form: ResolveAlertForm) -> str:
        services.do_resolve_alert(
            self.alert,
            by=self.request.user,
            outcome=form.cleaned_data["outcome"],
            note=form.cleaned_data["note"],
        )
        return reverse("screening:alert_list")


class ProposalListView(ObjectListView):
    """Move-outs callers heard about, for the grid worker to confirm into the registry."""

    model = MoveOutProposal
    template_name = "screening/proposal_list.html"
    title = gettext_lazy("Move-outs to confirm")
    paginate_by = None  # the first 200: a grid's move-outs are a handful at a time

    def get_base_queryset(self) -> QuerySet[MoveOutProposal]:
        return (
            super()
            .get_base_queryset()
            .filter(status=ProposalStatus.PENDING)
            .select_related("household__building", "person", "proposed_by")
        )

    def get_queryset(self) -> Any:
        proposals = list(super().get_queryset()[:200])
        for proposal in proposals:
            proposal.person_mask = mask_name(proposal.person.name)
        return proposals

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            proposals=context["object_list"],
            can_decide=self.request.user.has_action("registry.person", "deactivate"),
        )
        return context


class ProposalDecisionView(ServiceActionView):
    """POST: confirm (the person is deactivated as moved out) or reject a move-out."""

    model = MoveOutProposal
    confirm = True

    def act(self, obj: MoveOutProposal, data: dict[str, Any]) -> None:
        action = services.do_confirm_move_out if self.confirm else services.do_reject_move_out
        action(obj, by=self.request.user)
        messages.success(
            self.request,
            _("Registry updated: moved out.")
            if self.confirm
            else _("Move-out rejected; the registry is unchanged."),
        )

    def redirect_to(self, obj: MoveOutProposal, result: Any) -> str:
        return reverse("screening:proposal_list")
