"""Daily report pages: today's report of one's own area (with the roll-up of the areas below
a street or a district), the list, one report with its revisions, and a correction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.areas.choices import CHILD_LEVEL, AreaLevel
from fangkong.areas.models import Area
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.views import (
    ObjectDetailView,
    ObjectListView,
    ServiceFormView,
    get_restricted_object,
)
from fangkong.daily.choices import NOTE_FIELDS
from fangkong.daily.filtersets import DailyReportFilterSet
from fangkong.daily.forms import CorrectionForm, ReportForm
from fangkong.daily.models import DailyReport, deadline_of
from fangkong.daily.services import (
    REPORTING_LEVELS,
    do_correct_report,
    do_submit_report,
    figures_to_submit,
    summed_figures,
)
from fangkong.daily.stats import state_of
from fangkong.daily.tables import DailyReportTable
from fangkong.reports.daily import DAILY_GROUPS, DAILY_KEYS, DAILY_LABELS, figures_for


def figure_rows(
    figures: dict[str, Any], beside: dict[str, Any] | None, *, change: bool = True
) -> list[dict[str, Any]]:
    """The figures in their groups, each with the value beside it (yesterday's, or a later
    recount) and the difference."""
    rows: list[dict[str, Any]] = []
    for title, keys in DAILY_GROUPS:
        for number, key in enumerate(keys):
            value = int(figures.get(key, 0))
            other = None if beside is None else int(beside.get(key, 0))
            rows.append(
                {
                    "group": title if number == 0 else "",
                    "key": key,
                    "label": DAILY_LABELS[key],
                    "value": value,
                    "beside": other,
                    "change": (value - other) if change and other is not None else None,
                }
            )
    return rows


def _yesterday(area: Area, day: dt.date) -> dict[str, int]:
    """Yesterday's figures: a community's stored ones; above, the sum of the reports
    submitted below (what the level's report of yesterday held or would have held)."""
    yesterday = day - dt.timedelta(days=1)
    if area.level == AreaLevel.COMMUNITY:
        return figures_for(area, yesterday)
    return figures_to_submit(area, yesterday)[0]


def rollup(area: Area, day: dt.date, user: Any) -> dict[str, Any]:
    """The areas below ``area``: each one's report in force (as the user may see it) and
    state, the reports side by side and their totals (what the area's report sums)."""
    children = list(
        Area.objects.restrict(user)
        .filter(parent=area, level=CHILD_LEVEL.get(area.level))
        .order_by("path")
    )
    reports = {
        r.area_id: r
        for r in DailyReport.objects.restrict(user)
        .filter(area__in=children, day=day, is_current=True)
        .select_related("submitted_by")
    }
    due = deadline_of(area)
    today = area.local_today()
    columns = []
    for child in children:
        report = reports.get(child.pk)
        state = state_of(child, report, due=due) if day == today else None
        late_submission = (
            report is not None
            and timezone.localtime(report.submitted_at, child.zone).time() > due
            and timezone.localtime(report.submitted_at, child.zone).date() == day
        )
        columns.append(
            {
                "area": child,
                "report": report,
                "state": state,
                "state_label": state.label if state else "",
                "late_submission": late_submission,
            }
        )
    submitted = [c["report"] for c in columns if c["report"] is not None]
    totals = summed_figures(submitted)
    table = []
    for title, keys in DAILY_GROUPS:
        for number, key in enumerate(keys):
            table.append(
                {
                    "group": title if number == 0 else "",
                    "label": DAILY_LABELS[key],
                    "values": [
                        c["report"].figures.get(key, 0) if c["report"] is not None else None
                        for c in columns
                    ],
                    "total": totals[key],
                }
            )
    return {
        "columns": columns,
        "table": table,
        "submitted_count": len(submitted),
        "due": due,
        "totals": totals,
    }


class TodayView(ServiceFormView):
    """Today's report of the user's own area: the figures with yesterday's and the change,
    the notes and the button; once submitted, the report and a link to correct it. A street
    or a district sees its areas' reports first (who submitted, who is late, the totals)."""

    template_name = "daily/today.html"
    form_class = ReportForm
    model = DailyReport
    action = "add"
    title = gettext_lazy("Today's daily report")
    submit_label = gettext_lazy("Submit the report")
    success_message = gettext_lazy("The report is submitted.")

    def prepare(self) -> None:
        area = self.request.user.area
        if area is None or area.level not in REPORTING_LEVELS:
            raise PermissionDeniedError(
                "add", _("Only a community's, a street's or a district's office reports daily.")
            )
        self.area: Area = area
        self.day = area.local_today()
        self.report: DailyReport | None = (
            DailyReport.objects.restrict(self.request.user)
            .filter(area=area, day=self.day, is_current=True)
            .first()
        )

    def refusal(self) -> str:
        return _("Your role does not submit daily reports.")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        figures = (
            self.report.figures
            if self.report is not None
            else figures_to_submit(self.area, self.day)[0]
        )
        context.update(
            area=self.area,
            day=self.day,
            report=self.report,
            rows=figure_rows(figures, _yesterday(self.area, self.day)),
            rollup=rollup(self.area, self.day, self.request.user)
            if self.area.level != AreaLevel.COMMUNITY
            else None,
        )
        return context

    def get_cancel_url(self) -> str:
        return reverse("reports:home")

    def perform(self, form: Any) -> str | HttpResponse:
        report = do_submit_report(self.area, self.day, form.service_data(), by=self.request.user)
        return report.get_absolute_url()


class ReportListView(ObjectListView):
    model = DailyReport
    queryset = DailyReport.objects.select_related("area")
    filterset_class = DailyReportFilterSet
    table_class = DailyReportTable
    title = gettext_lazy("Daily reports")


class ReportDetailView(ObjectDetailView):
    """One revision as submitted, a later recount beside it where the stored figures have
    changed since, the revisions of the day and what each correction changed."""

    model = DailyReport
    queryset = DailyReport.objects.select_related("area", "submitted_by")
    template_name = "daily/report_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        report: DailyReport = self.object
        recount = figures_to_submit(report.area, report.day)[0]
        differs = any(recount.get(k, 0) != report.figures.get(k, 0) for k in DAILY_KEYS)
        revisions = list(
            DailyReport.objects.restrict(self.request.user)
            .filter(area=report.area, day=report.day)
            .order_by("-revision")
        )
        user = self.request.user
        context.update(
            rows=figure_rows(report.figures, recount if differs else None),
            recount_differs=differs,
            revisions=revisions,
            changed_figures=[
                {"label": DAILY_LABELS.get(k, k), "before": v[0], "after": v[1]}
                for k, v in (report.changes.get("figures") or {}).items()
            ],
            changed_notes=[
                str(getattr(DailyReport._meta.get_field(n), "verbose_name", n))
                for n in report.changes.get("notes") or []
                if n in NOTE_FIELDS
            ],
            may_correct=report.is_current
            and user.has_action(DailyReport, "change")
            and (user.is_superuser or user.area_id == report.area_id),
            rollup=rollup(report.area, report.day, user)
            if report.area.level != AreaLevel.COMMUNITY
            else None,
        )
        return context


class ReportCorrectView(ServiceFormView):
    """A correction: the notes again (as they stand), what is wrong, and the figures taken
    again from the stored ones. The corrected revision stays as it was."""

    template_name = "daily/report_correct.html"
    form_class = CorrectionForm
    model = DailyReport
    action = "change"
    title = gettext_lazy("Correct the report")
    submit_label = gettext_lazy("Submit the correction")
    success_message = gettext_lazy("The correction is submitted.")

    def prepare(self) -> None:
        self.report: DailyReport = get_restricted_object(
            DailyReport.objects.select_related("area"),
            self.request.user,
            "view",
            pk=self.kwargs["pk"],
        )

    def refusal(self) -> str:
        return _("Your role does not correct daily reports.")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "instance": self.report}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["report"] = self.report
        return context

    def get_cancel_url(self) -> str:
        return self.report.get_absolute_url()

    def perform(self, form: Any) -> str | HttpResponse:
        new = do_correct_report(
            self.report,
            form.service_data(),
            reason=form.cleaned_data["reason"],
            expected_version=form.expected_version,
            by=self.request.user,
        )
        return new.get_absolute_url()
