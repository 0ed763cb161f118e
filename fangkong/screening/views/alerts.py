"""Alerts to act on, and move-outs heard on the phone waiting for the grid worker."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from fangkong.core.views import (
    ServiceActionView,
    ServiceFormView,
    get_restricted_object,
    require_action,
)
from fangkong.screening import services
from fangkong.screening.choices import AlertStatus, ProposalStatus
from fangkong.screening.forms import ResolveAlertForm
from fangkong.screening.masking import mask_name
from fangkong.screening.models import Alert, MoveOutProposal

ALERT_RELATED = ("household__building", "person", "campaign", "grid", "community",
                 "resolved_by")


class AlertListView(TemplateView):
    """One page of alerts to act on: open ones first, the most serious on top."""

    template_name = "screening/alert_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        require_action(user, Alert, "view")
        status = self.request.GET.get("status", AlertStatus.OPEN)
        alerts = Alert.objects.restrict(user).select_related(*ALERT_RELATED)
        if status in AlertStatus.values:
            alerts = alerts.filter(status=status)
        campaign = self.request.GET.get("campaign", "")
        if campaign.isdigit():
            alerts = alerts.filter(campaign_id=int(campaign))
        alerts = alerts.order_by("-level", "-raised_at", "-pk")  # "urgent" sorts after "high"
        page = Paginator(alerts, 50).get_page(self.request.GET.get("page"))
        for alert in page:
            alert.person_mask = mask_name(alert.person.name) if alert.person else ""
        query = self.request.GET.copy()
        query.pop("page", None)
        context = super().get_context_data(**kwargs)
        context.update(title=_("Screening alerts"), page_obj=page, status=status,
                       statuses=AlertStatus.choices, querystring=query.urlencode())
        return context


class AlertDetailView(ServiceFormView):
    """An alert, and for whoever may close it the form saying what was done."""

    template_name = "screening/alert_detail.html"
    form_class = ResolveAlertForm
    success_message = gettext_lazy("Alert closed.")

    def prepare(self) -> None:
        self.alert = get_restricted_object(Alert.objects.select_related(*ALERT_RELATED),
                                           self.request.user, "view", pk=self.kwargs["pk"])

    def get_title(self) -> Any:
        return self.alert.get_kind_display()

    def get_cancel_url(self) -> str:
        return reverse("screening:alert_list")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        alert = self.alert
        context.update(
            alert=alert, person_mask=mask_name(alert.person.name) if alert.person else "",
            can_resolve=(alert.status == AlertStatus.OPEN
                         and services.may_resolve_alerts(self.request.user, alert.community)),
        )
        return context

    def perform(self, form: ResolveAlertForm) -> str:
        services.do_resolve_alert(self.alert, by=self.request.user,
                                  outcome=form.cleaned_data["outcome"],
                                  note=form.cleaned_data["note"])
        return reverse("screening:alert_list")


class ProposalListView(TemplateView):
    """Move-outs callers heard about, for the grid worker to confirm into the registry."""

    template_name = "screening/proposal_list.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        require_action(user, MoveOutProposal, "view")
        proposals = list(
            MoveOutProposal.objects.restrict(user).filter(status=ProposalStatus.PENDING)
            .select_related("household__building", "person", "proposed_by")[:200]
        )
        for proposal in proposals:
            proposal.person_mask = mask_name(proposal.person.name)
        context = super().get_context_data(**kwargs)
        context.update(title=_("Move-outs to confirm"), proposals=proposals,
                       can_decide=user.has_action("registry.person", "deactivate"))
        return context


class ProposalDecisionView(ServiceActionView):
    """POST: confirm (the person is deactivated as moved out) or reject a move-out."""

    model = MoveOutProposal
    confirm = True

    def act(self, obj: MoveOutProposal, data: dict[str, Any]) -> None:
        action = services.do_confirm_move_out if self.confirm else services.do_reject_move_out
        action(obj, by=self.request.user)
        messages.success(self.request, _("Registry updated: moved out.") if self.confirm
                         else _("Move-out rejected; the registry is unchanged."))

    def redirect_to(self, obj: MoveOutProposal, result: Any) -> str:
        return reverse("screening:proposal_list")
