"""Visitors at the gate: registered, the household called and confirming, gone."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.access import services
from fangkong.access.filtersets import VisitorFilterSet
from fangkong.access.forms import ConfirmForm, ReasonForm, VisitorForm
from fangkong.access.models import Visitor
from fangkong.access.tables import VisitorTable
from fangkong.access.views.common import AccessActionView, next_url
from fangkong.core.views import ObjectDetailView, ObjectListView, ServiceFormView, TelRedirect


class VisitorListView(ObjectListView):
    model = Visitor
    filterset_class = VisitorFilterSet
    table_class = VisitorTable
    title = gettext_lazy("Visitors")
    template_name = "access/visitor_list.html"

    def get_base_queryset(self) -> QuerySet[Visitor]:
        return super().get_base_queryset().select_related("household__building", "checkpoint")


class VisitorAddView(ServiceFormView):
    template_name = "core/object_edit.html"
    model = Visitor
    action = "add"
    form_class = VisitorForm
    title = gettext_lazy("Register a visitor")
    success_message = gettext_lazy("Registered. Call the household to confirm.")

    def get_cancel_url(self) -> str:
        return reverse("access:visitor_list")

    def get_initial(self) -> dict[str, Any]:
        """The gate the scanner was at (``?checkpoint=``), when it is one of the user's."""
        initial = super().get_initial()
        value = self.request.GET.get("checkpoint", "")
        if (
            value.isdigit()
            and services.checkpoints_for(self.request.user).filter(pk=value).exists()
        ):
            initial["checkpoint"] = int(value)
        return initial

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["model_name"] = _("visitor")
        return context

    def perform(self, form: Any) -> str:
        data = form.cleaned_data
        try:
            visitor = services.do_register_visitor(
                checkpoint=data["checkpoint"],
                household=data["household"],
                by=self.request.user,
                name=data["name"],
                purpose=data["purpose"],
                temperature=data["temperature"],
                phone=data.get("phone") or "",
                id_number=data.get("id_number") or "",
                plate=data.get("plate") or "",
            )
        except Http404:  # a gate or household of another area (a tampered choice)
            raise ValidationError(_("You can only choose records of your own area.")) from None
        return visitor.get_absolute_url()


class VisitorDetailView(ObjectDetailView):
    model = Visitor
    queryset = Visitor.objects.select_related("household__building", "checkpoint", "community")
    template_name = "access/visitor_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.object.name,
            can_change=self.request.user.has_action(Visitor, "change"),
            confirm_form=ConfirmForm(user=self.request.user),
            reason_form=ReasonForm(user=self.request.user),
        )
        return context


class VisitorActionView(AccessActionView):
    model = Visitor
    queryset = Visitor.objects.select_related("household__building")


class VisitorCallView(VisitorActionView):
    """The logged call route: the call is an access event, then the phone dials."""

    def perform(self) -> HttpResponse:
        number = services.call_household_for_visitor(self.object, by=self.request.user)
        response = TelRedirect("tel:" + number.replace("-", ""))
        add_never_cache_headers(response)
        return response


class VisitorConfirmView(VisitorActionView):
    form_class = ConfirmForm
    success_message = gettext_lazy("Confirmed: the visitor may go in.")

    def act(self, visitor: Visitor, data: dict[str, Any]) -> Visitor:
        return services.do_confirm_visitor(
            visitor, by=self.request.user, confirmed_by=data["confirmed_by"]
        )


class VisitorRefuseView(VisitorActionView):
    form_class = ReasonForm
    success_message = gettext_lazy("Refused.")

    def act(self, visitor: Visitor, data: dict[str, Any]) -> Visitor:
        return services.do_refuse_visitor(visitor, by=self.request.user, reason=data["reason"])


class VisitorLeaveView(VisitorActionView):
    success_message = gettext_lazy("Time out recorded.")

    def act(self, visitor: Visitor, data: dict[str, Any]) -> Visitor:
        return services.do_visitor_leaves(visitor, by=self.request.user)

    def redirect_to(self, visitor: Visitor, result: Any) -> str:
        return next_url(self.request, visitor.get_absolute_url())
