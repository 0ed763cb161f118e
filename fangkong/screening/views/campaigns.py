"""Campaign pages: the list, the live coverage page, editing, starting, callers and helpers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.areas.models import Area
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.jobs import enqueue_job
from fangkong.core.querysets import covers
from fangkong.core.requests import AuthenticatedRequest
from fangkong.core.views import (
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    PageView,
    ServiceActionView,
    ServiceFormView,
)
from fangkong.screening import services
from fangkong.screening.choices import AssignmentStatus, CampaignStatus
from fangkong.screening.forms import CampaignForm, HelperForm, ReassignForm
from fangkong.screening.models import CallAssignment, Campaign, CampaignHelper
from fangkong.screening.stats import HOUSEHOLD_ORDER, call_list_count, campaign_coverage
from fangkong.screening.views.common import (
    CAMPAIGN_RELATED,
    can_manage,
    get_managed_campaign,
    office_only,
)

#: Campaigns larger than this start as a background job with progress on a page.
START_INLINE_LIMIT = 20_000


class HomeView(PageView):
    """Campaigns the user sees with their progress, and the way to today's calls."""

    template_name = "screening/home.html"
    model = Campaign
    title = gettext_lazy("Phone screening")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        context = super().get_context_data(**kwargs)
        campaigns = list(Campaign.objects.restrict(user).select_related("area")[:100])
        # One grouped query for the progress of every listed campaign.
        progress = {
            row["campaign_id"]: row
            for row in CallAssignment.objects.restrict(user)
            .filter(campaign__in=[c.pk for c in campaigns])
            .order_by()
            .values("campaign_id")
            .annotate(
                total=Count("pk"), reached=Count("pk", filter=Q(status=AssignmentStatus.REACHED))
            )
        }
        for campaign in campaigns:
            row = progress.get(campaign.pk, {"total": 0, "reached": 0})
            campaign.mine_total, campaign.mine_reached = row["total"], row["reached"]
        area = user.area
        context.update(
            campaigns=campaigns,
            calls_due=call_list_count(user),
            can_add=area is not None
            and user.has_action(Campaign, "add")
            and services.is_office(user),
        )
        return context


def _area_for_new_campaign(request: AuthenticatedRequest) -> Area:
    user = request.user
    pk = request.GET.get("area") or request.POST.get("area") or user.area_id
    if not pk:
        raise PermissionDenied
    area = get_object_or_404(Area, pk=pk)
    if not covers(user, area):
        raise PermissionDenied
    return area


class CampaignEditView(ObjectEditView):
    """A new campaign over the user's area, or changes to one (fewer once it is running)."""

    model = Campaign
    form_class = CampaignForm
    queryset = Campaign.objects.select_related("area")
    area: Area | None = None

    def check_add_permission(self) -> None:
        super().check_add_permission()
        if not services.is_office(self.request.user):
            raise PermissionDeniedError("add", office_only())
        self.area = _area_for_new_campaign(self.request)
        if self.area.community is not None:
            # The shipped register is ready in every community that runs a campaign.
            services.default_questionnaire(self.area.community)

    def get_form_kwargs(self) -> dict[str, Any]:
        kwargs = super().get_form_kwargs()
        kwargs["area"] = self.area or self.object.area
        return kwargs

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = (
            _("Edit %(name)s") % {"name": self.object}
            if self.object
            else _("New campaign in %(area)s") % {"area": self.area}
        )
        return context

    def get_cancel_url(self) -> str:
        return super().get_cancel_url() if self.object else reverse("screening:home")

    def create(self, form: CampaignForm) -> Campaign:
        if self.area is None:  # check_add_permission set it
            raise PermissionDeniedError("add", office_only())
        return services.do_create_campaign(
            area=self.area, by=self.request.user, **form.service_data()
        )

    def update(self, obj: Campaign, form: CampaignForm) -> Campaign:
        return services.do_update_campaign(
            obj, by=self.request.user, expected_version=form.expected_version, **form.service_data()
        )


class CampaignDetailView(ObjectDetailView):
    """The live coverage page: totals, per grid, per caller, today's progress by hour, and
    the households never reached. A grid worker sees their grid's part."""

    template_name = "screening/campaign_detail.html"
    model = Campaign
    queryset = Campaign.objects.select_related(*CAMPAIGN_RELATED)
    refuse_without_right = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        campaign = self.object
        context = super().get_context_data(**kwargs)
        coverage = campaign_coverage(campaign, user)
        manage = can_manage(user, campaign)
        context.update(
            title=campaign.name,
            campaign=campaign,
            coverage=coverage,
            can_manage=manage,
            can_export=manage and user.has_action(Campaign, "export"),
            can_import=manage
            and user.has_action(Campaign, "import")
            and campaign.status == CampaignStatus.RUNNING,
            chart_width=len(coverage.hours) * 20,
            # Above a community (a district's campaign) grids and callers are hundreds of
            # rows: the page shows communities, each community's officer sees their grids.
            by_community=len(coverage.communities) > 1,
        )
        return context


class CampaignActionView(ServiceActionView):
    """A button on a campaign's page, for whoever runs the campaign."""

    def prepare(self) -> None:
        self.campaign = get_managed_campaign(self.request.user, self.kwargs["pk"])

    def get_back_url(self) -> str:
        return reverse("screening:campaign_detail", args=[self.campaign.pk])


class CampaignStartView(CampaignActionView):
    """POST: assign every household to its grid's worker (a job for a district)."""

    def perform(self) -> str | HttpResponse:
        campaign = self.campaign
        if campaign.status == CampaignStatus.DRAFT:
            count = services.campaign_households(campaign).count()
            if count > START_INLINE_LIMIT:
                job = enqueue_job(
                    "screening.start_campaign",
                    user=self.request.user,
                    area_path=campaign.area.path,
                    params={"campaign": campaign.pk},
                )
                return HttpResponseRedirect(reverse("core:job_detail", args=[job.pk]))
        count = services.do_start_campaign(campaign, by=self.request.user)
        messages.success(
            self.request, _("Campaign started: %(n)s households assigned.") % {"n": count}
        )
        return self.get_back_url()


class CampaignCloseView(CampaignActionView):
    success_message = gettext_lazy("Campaign closed.")

    def perform(self) -> str:
        services.do_close_campaign(self.campaign, by=self.request.user)
        return self.get_back_url()


class ReassignView(ServiceActionView):
    """POST (on the households' page): move the ticked households to another caller, then
    back to the same page of the list."""

    form_class = ReassignForm

    def prepare(self) -> None:
        self.campaign = get_managed_campaign(self.request.user, self.kwargs["pk"])

    def get_form_kwargs(self) -> dict[str, Any]:
        return {"campaign": self.campaign}

    def get_back_url(self) -> str:
        return self.request.get_full_path()

    def perform(self) -> str:
        chosen = [int(v) for v in self.request.POST.getlist("assignment") if v.isdigit()]
        moved = services.do_reassign(
            self.campaign, chosen, to=self.data["to"], by=self.request.user
        )
        messages.success(self.request, _("%(n)s households moved.") % {"n": moved})
        return self.get_back_url()


class AssignmentListView(ObjectListView):
    """The campaign's households with their callers; the officer ticks some and moves them
    to another caller (``ReassignView``). ``?status=open`` lists the households never
    reached."""

    model = CallAssignment
    template_name = "screening/assignment_list.html"
    paginate_by = 100

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.campaign = get_managed_campaign(self.request.user, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        return ReassignView.as_view()(request, *args, **kwargs)

    def get_base_queryset(self) -> QuerySet[CallAssignment]:
        rows = super().get_base_queryset().filter(campaign=self.campaign)
        params = self.request.GET
        status = params.get("status", "")
        if status == "open":
            rows = rows.filter(status__in=(AssignmentStatus.PENDING, AssignmentStatus.UNREACHABLE))
        elif status in AssignmentStatus.values:
            rows = rows.filter(status=status)
        if params.get("grid", "").isdigit():
            rows = rows.filter(grid_id=int(params["grid"]))
        if params.get("caller") == "none":
            rows = rows.filter(assignee__isnull=True)
        elif params.get("caller", "").isdigit():
            rows = rows.filter(assignee_id=int(params["caller"]))
        return rows.select_related("household__building", "assignee", "grid").order_by(
            *HOUSEHOLD_ORDER
        )

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Households of %(name)s") % {"name": self.campaign},
            campaign=self.campaign,
            can_manage=self.campaign.status != CampaignStatus.CLOSED,
            form=ReassignForm(campaign=self.campaign),
            statuses=AssignmentStatus.choices,
            grids=self.campaign.area.descendants(include_self=True)
            .filter(level="grid")
            .order_by("path"),
            status=self.request.GET.get("status", ""),
        )
        return context


class HelperView(ServiceFormView):
    """Helpers (the bureau's staff) taking a share of a grid's households."""

    template_name = "screening/helpers.html"
    form_class = HelperForm
    success_message = ""
    invalid_status = 200

    def prepare(self) -> None:
        self.campaign = get_managed_campaign(self.request.user, self.kwargs["pk"])

    def get_title(self) -> Any:
        return _("Helpers of %(name)s") % {"name": self.campaign}

    def get_cancel_url(self) -> str:
        return reverse("screening:campaign_detail", args=[self.campaign.pk])

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "campaign": self.campaign}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            campaign=self.campaign,
            helpers=CampaignHelper.objects.restrict(self.request.user)
            .filter(campaign=self.campaign)
            .select_related("user", "grid"),
        )
        return context

    def perform(self, form: HelperForm) -> str:
        row = services.do_add_helper(self.campaign, by=self.request.user, **form.service_data())
        messages.success(
            self.request,
            _("%(name)s now calls %(n)s households of %(grid)s.")
            % {"name": row.user, "n": row.households, "grid": row.grid},
        )
        return self.request.path
