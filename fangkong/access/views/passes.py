"""The pass policy, and passes: list, detail, issue, print, replace, void."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from fangkong.access import cards, services
from fangkong.access.cards import MAX_CARDS
from fangkong.access.choices import PassStatus
from fangkong.access.exports import PASS_CARDS, passes_for_cards
from fangkong.access.filtersets import PassFilterSet
from fangkong.access.forms import IssueForm, PolicyForm, ReasonForm
from fangkong.access.models import (
    Exemption,
    GateEvent,
    Pass,
    PassPolicy,
    Suspension,
    fever_threshold_of,
)
from fangkong.access.tables import PassTable
from fangkong.access.views.common import AccessActionView, community_for
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.exports import filter_data, filter_params, start_export
from fangkong.core.pdf import CJKFontMissing
from fangkong.core.querysets import covers
from fangkong.core.requests import AuthenticatedRequest
from fangkong.core.views import ObjectDetailView, ObjectListView, ServiceFormView, require_action
from fangkong.registry.choices import PersonStatus

logger = logging.getLogger(__name__)


class PolicyView(ServiceFormView):
    """A community's pass policy: shown to whoever may see passes, changed by its officer."""

    template_name = "access/policy.html"
    model = PassPolicy
    action = "view"
    form_class = PolicyForm
    title = gettext_lazy("Pass policy")
    success_message = gettext_lazy("Saved. The policy applies from the next scan.")

    def check_permission(self) -> None:
        super().check_permission()
        user = self.request.user
        self.community = community_for(self.request)
        self.policy = services.policy_for(self.community)
        self.can_change = user.has_action(PassPolicy, "change") and covers(user, self.community)
        if self.request.method == "POST" and not self.can_change:
            raise PermissionDeniedError("change")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.policy}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            community=self.community,
            policy=self.policy,
            fever_threshold=fever_threshold_of(self.community),
            can_change=self.can_change,
        )
        return context

    def perform(self, form: Any) -> str:
        services.do_update_policy(
            self.community,
            by=self.request.user,
            expected_version=form.expected_version,
            **form.service_data(),
        )
        return reverse("access:policy") + (
            f"?community={self.community.pk}" if self.request.GET.get("community") else ""
        )


# --- Passes ---------------------------------------------------------------------------------


class PassListView(ObjectListView):
    model = Pass
    filterset_class = PassFilterSet
    table_class = PassTable
    title = gettext_lazy("Passes")
    template_name = "access/pass_list.html"

    def get_base_queryset(self) -> QuerySet[Pass]:
        return super().get_base_queryset().select_related("household__building")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            can_issue=user.has_action(Pass, "add"),
            can_print=user.has_action(Pass, "print"),
            print_query=self.request.GET.urlencode(),
        )
        return context


class PassDetailView(ObjectDetailView):
    model = Pass
    queryset = Pass.objects.select_related(
        "household__building", "community", "person", "replaced_by"
    )
    template_name = "access/pass_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, item = self.request.user, self.object
        household = item.household
        context.update(
            title=str(item),
            events=GateEvent.objects.restrict(user)
            .filter(household=household)
            .select_related("checkpoint", "pass_obj")[:20],
            suspensions=Suspension.objects.restrict(user).filter(household=household)[:20],
            exemptions=Exemption.objects.restrict(user).filter(household=household)[:20],
            household_size=household.members.filter(status=PersonStatus.ACTIVE).count(),
            can_change=user.has_action(Pass, "change"),
            can_print=user.has_action(Pass, "print"),
            can_void=user.has_action(Pass, "deactivate"),
            can_suspend=user.has_action(Suspension, "add"),
            can_lift=user.has_action(Suspension, "change"),
            can_exempt=user.has_action(Exemption, "add"),
            reason_form=ReasonForm(user=user),
            works=item.status in (PassStatus.ACTIVE, PassStatus.SUSPENDED),
        )
        return context


class PassIssueView(ServiceFormView):
    """Issue passes for a building or the whole community at once."""

    template_name = "access/pass_issue.html"
    model = Pass
    action = "add"
    form_class = IssueForm
    title = gettext_lazy("Issue passes")
    success_message = ""  # ``perform`` says how many

    def check_permission(self) -> None:
        super().check_permission()  # the right first: without it, 403 whatever the community
        self.community = community_for(self.request)

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "community": self.community}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(community=self.community, policy=services.policy_for(self.community))
        return context

    def perform(self, form: Any) -> str:
        building = form.cleaned_data.get("building")
        result = services.do_issue_passes(
            community=self.community, building=building, by=self.request.user
        )
        messages.success(
            self.request,
            _("%(n)s passes issued; %(skipped)s already held one.")
            % {"n": len(result.passes), "skipped": result.skipped},
        )
        return reverse("access:pass_list") + (f"?building={building.pk}" if building else "")


class PassPrintView(View):
    """The cards of the passes listed (the pass list's filters, or one pass).

    Printing is its own right (``print``, the community officer's): a card shows every
    member's name and the token the gate scans. A pass named outside the caller's scope is
    404 first, as on every page; then, without the right, 403 and no PDF is made. Up to
    ``MAX_CARDS`` cards come back as one PDF at once; a whole community's run as one export
    job (a zip of PDFs of ``MAX_CARDS`` cards each) whose page shows the progress.
    """

    def get(self, request: AuthenticatedRequest) -> HttpResponse:
        user = request.user
        named = request.GET.get("pass")
        if named:
            return self.one_card(request, named)
        require_action(user, Pass, "print")
        filters = filter_params(request.GET)
        cards = passes_for_cards(user, filter_data(filters)).count()
        if not cards:
            raise Http404
        params = {"filters": filters, "format": "pdf" if cards <= MAX_CARDS else "zip"}
        try:
            return start_export(request, PASS_CARDS.name, params)
        except CJKFontMissing:
            return self.no_font(request)

    def one_card(self, request: AuthenticatedRequest, named: str) -> HttpResponse:
        item = (
            Pass.objects.restrict(request.user)
            .filter(status__in=[PassStatus.ACTIVE, PassStatus.SUSPENDED])
            .select_related("household__building", "community", "person")
            .filter(pk=named if named.isdigit() else 0)
            .first()
        )
        if item is None:
            raise Http404
        require_action(request.user, Pass, "print")
        try:
            pdf = cards.render_cards_pdf([item])
        except CJKFontMissing:
            return self.no_font(request)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = 'inline; filename="passes.pdf"'
        add_never_cache_headers(response)
        return response

    def no_font(self, request: AuthenticatedRequest) -> HttpResponse:
        # The server's set-up, not the officer's doing: say so on the page (the log has
        # what to install) rather than print cards of empty boxes or answer 500.
        logger.exception("Pass cards cannot be printed")
        messages.error(
            request,
            _(
                "Cards cannot be printed: the server has no Chinese "
                "font. Ask the administrator to install one."
            ),
        )
        return HttpResponseRedirect(reverse("access:pass_list") + "?" + request.GET.urlencode())


class PassReplaceView(AccessActionView):
    """A lost pass: the old card stops at once and a new one is issued."""

    model = Pass
    form_class = ReasonForm

    def act(self, item: Pass, data: dict[str, Any]) -> Pass:
        new = services.do_replace_pass(item, by=self.request.user, reason=data["reason"])
        messages.success(
            self.request,
            _("Pass %(old)s replaced by %(new)s; print the new card.")
            % {"old": item.serial, "new": new.serial},
        )
        return new

    def redirect_to(self, item: Pass, result: Pass | None) -> str:
        return (result or item).get_absolute_url()


class PassVoidView(AccessActionView):
    model = Pass
    action = "deactivate"
    form_class = ReasonForm
    success_message = gettext_lazy("The pass is void.")

    def act(self, item: Pass, data: dict[str, Any]) -> Pass:
        return services.do_void_pass(item, by=self.request.user, reason=data["reason"])
