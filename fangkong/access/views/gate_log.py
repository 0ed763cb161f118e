"""The gate log, a flagged event's review, and the gate reports and their export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from fangkong.access import exports, services, stats
from fangkong.access.filtersets import GateEventFilterSet
from fangkong.access.forms import ReportForm
from fangkong.access.models import GateEvent
from fangkong.access.pass_policy import local_day
from fangkong.access.tables import GateEventTable
from fangkong.access.views.common import AccessActionView, community_for
from fangkong.core.exports import start_export
from fangkong.core.requests import AuthenticatedRequest
from fangkong.core.views import ObjectDetailView, ObjectListView, require_action


class GateEventListView(ObjectListView):
    model = GateEvent
    filterset_class = GateEventFilterSet
    table_class = GateEventTable
    title = gettext_lazy("Gate log")

    def get_base_queryset(self) -> QuerySet[GateEvent]:
        return (
            super()
            .get_base_queryset()
            .select_related("checkpoint", "pass_obj", "household__building")
        )


class GateEventDetailView(ObjectDetailView):
    model = GateEvent
    queryset = GateEvent.objects.select_related(
        "checkpoint", "pass_obj", "household__building", "recorded_by"
    )
    template_name = "access/event_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        event = self.object
        context.update(
            title=str(event),
            reason=services.reason_text(event.reason_code, event.next_allowed_at, event.community),
            can_review=bool(event.flag)
            and event.reviewed_at is None
            and self.request.user.has_action(GateEvent, "change"),
        )
        return context


class GateEventReviewView(AccessActionView):
    model = GateEvent

    def act(self, event: GateEvent, data: dict[str, Any]) -> GateEvent:
        return services.do_review_event(event, by=self.request.user)


def _report_range(
    request: AuthenticatedRequest, time_zone: str
) -> tuple[ReportForm, dt.date, dt.date]:
    form = ReportForm(request.GET or None, user=request.user)
    today = local_day(timezone.now(), time_zone)
    since, until = today - dt.timedelta(days=6), today
    if form.is_bound and form.is_valid():
        since = form.cleaned_data.get("since") or since
        until = form.cleaned_data.get("until") or until
    if until < since:
        since, until = until, since
    until = min(until, since + dt.timedelta(days=92))
    return form, since, until


class ReportView(TemplateView):
    """Entries and exits per day, per gate and per hour; outings per household; refusals."""

    template_name = "access/report.html"
    request: AuthenticatedRequest

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        require_action(user, GateEvent, "view")
        community = community_for(self.request)
        context = super().get_context_data(**kwargs)
        form, since, until = _report_range(self.request, community.time_zone)
        events = GateEvent.objects.restrict(user).filter(community=community)
        report = stats.gate_report(events, community.time_zone, since, until)
        context.update(
            title=_("Gate reports"),
            community=community,
            form=form,
            report=report,
            top_households=report["per_household"][:30],
            can_export=user.has_action(GateEvent, "export"),
            query=self.request.GET.urlencode(),
        )
        return context


class ReportExportView(View):
    """The report and the gate log of the period as .xlsx: masked (no names, no numbers),
    formula-looking cells neutralised, the export written to the access log. A long period's
    log runs to tens of thousands of rows: more than ``INLINE_ROWS`` go to a job whose page
    offers the file once (``fangkong.access.exports``, ``core.exports``)."""

    def get(self, request: AuthenticatedRequest) -> HttpResponse:
        user = request.user
        require_action(user, GateEvent, "export")
        community = community_for(request)
        _form, since, until = _report_range(request, community.time_zone)
        return start_export(
            request,
            exports.GATE_REPORT.name,
            {
                "community": community.pk,
                "since": since.isoformat(),
                "until": until.isoformat(),
                "format": "xlsx",
            },
        )
