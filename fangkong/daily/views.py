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
from django.views import View

from fangkong.areas.choices import CHILD_LEVEL, AreaLevel
from fangkong.areas.models import Area
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.exports import start_export
from fangkong.core.views import (
    ObjectDetailView,
    ObjectListView,
    ServiceActionView,
    ServiceFormView,
    get_restricted_object,
    posted_version,
)
from fangkong.daily.choices import NOTE_FIELDS, TemplateLevel
from fangkong.daily.filtersets import DailyReportFilterSet, ReportTemplateFilterSet
from fangkong.daily.forms import CorrectionForm, DeadlineForm, ReportForm, TemplateUploadForm
from fangkong.daily.models import DailyReport, ReportDeadline, ReportTemplate, deadline_of
from fangkong.daily.services import (
    REPORTING_LEVELS,
    do_correct_report,
    do_deactivate_template,
    do_set_deadline,
    do_submit_report,
    do_upload_template,
    figures_to_submit,
    summed_figures,
    templates_for,
)
from fangkong.daily.shipped import install_shipped_templates
from fangkong.daily.stats import state_of
from fangkong.daily.tables import DailyReportTable, ReportTemplateTable
from fangkong.daily.xlsx import EACH, NOTE_ALIASES
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


def yesterday_of(area: Area, day: dt.date) -> dict[str, int]:
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
            rows=figure_rows(figures, yesterday_of(self.area, self.day)),
            rollup=rollup(self.area, self.day, self.request.user)
            if self.area.level != AreaLevel.COMMUNITY
            else None,
            may_set_deadline=self.area.level in (AreaLevel.STREET, AreaLevel.DISTRICT)
            and self.request.user.has_action(ReportDeadline, "change"),
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
            may_export=user.has_action(DailyReport, "export"),
            templates=templates_for(report, user) if user.has_action(DailyReport, "export") else [],
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


# --- Report templates (the superiors' own forms) and downloads -------------------------------

TEMPLATE_AREAS = (AreaLevel.COMMUNITY, AreaLevel.STREET)


def template_levels(area: Area) -> list[str]:
    """What the templates of ``area`` may be filled from."""
    if area.level == AreaLevel.STREET:
        return [TemplateLevel.STREET, TemplateLevel.COMMUNITY]
    return [TemplateLevel.COMMUNITY]


def describe(tag: str) -> str:
    """What a placeholder is filled with, in words."""
    if tag in DAILY_LABELS:
        return str(DAILY_LABELS[tag])
    if tag.startswith("total.") and tag[6:] in DAILY_LABELS:
        return _("Total of the communities: %(figure)s") % {"figure": DAILY_LABELS[tag[6:]]}
    if tag == "date":
        return _("The report's day")
    if tag.startswith("date:"):
        return _("The report's day, as %(format)s") % {"format": tag[5:]}
    if tag.startswith("notes."):
        name = NOTE_ALIASES.get(tag[6:], tag[6:])
        return str(getattr(DailyReport._meta.get_field(name), "verbose_name", name))
    words = {
        EACH: _("One row per community of the street"),
        "community.name": _("The community's name"),
        "community.state": _("Whether the community has reported"),
        "area.name": _("The area's name"),
        "street.name": _("The street's name"),
        "district.name": _("The district's name"),
        "revision": _("The report's revision"),
        "submitted_by": _("Who submitted the report"),
        "submitted_at": _("When the report was submitted"),
    }
    return str(words.get(tag, tag))


def _own_template_area(user: Any) -> Area | None:
    area: Area | None = getattr(user, "area", None)
    if area is None or area.level not in TEMPLATE_AREAS:
        return None
    return area


class TemplateListView(ObjectListView):
    """The superiors' forms the user's area fills (and those of the areas below it)."""

    model = ReportTemplate
    queryset = ReportTemplate.objects.select_related("area").defer("content")
    filterset_class = ReportTemplateFilterSet
    table_class = ReportTemplateTable
    template_name = "daily/template_list.html"
    title = gettext_lazy("Report templates")
    paginate_by = None

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        area = _own_template_area(self.request.user)
        may_add = area is not None and self.request.user.has_action(ReportTemplate, "add")
        context.update(
            add_url=reverse("daily:template_upload") if may_add else None,
            may_install=may_add,
            own_area=area,
        )
        return context


class TemplateUploadView(ServiceFormView):
    """Upload a superior's spreadsheet with placeholders as a template of one's own area."""

    template_name = "daily/template_upload.html"
    form_class = TemplateUploadForm
    model = ReportTemplate
    action = "add"
    title = gettext_lazy("Upload a report template")
    submit_label = gettext_lazy("Upload")
    success_message = gettext_lazy("The template is stored.")

    def prepare(self) -> None:
        area = _own_template_area(self.request.user)
        if area is None:
            raise PermissionDeniedError(
                "add", _("Only a community's or a street's office keeps report templates.")
            )
        self.area: Area = area

    def refusal(self) -> str:
        return _("Your role does not keep report templates.")

    def get_form_kwargs(self) -> dict[str, Any]:
        return {**super().get_form_kwargs(), "levels": template_levels(self.area)}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            area=self.area,
            figure_keys=[(key, DAILY_LABELS[key]) for key in DAILY_KEYS],
            note_keys=[(f"notes.{n}", describe(f"notes.{n}")) for n in NOTE_FIELDS],
        )
        return context

    def get_cancel_url(self) -> str:
        return reverse("daily:template_list")

    def perform(self, form: Any) -> str | HttpResponse:
        template = do_upload_template(self.area, **form.service_data(), by=self.request.user)
        return template.get_absolute_url()


class TemplateDetailView(ObjectDetailView):
    """A template: what it is filled from and the placeholders found in it."""

    model = ReportTemplate
    queryset = ReportTemplate.objects.select_related("area", "uploaded_by").defer("content")
    template_name = "daily/template_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        template: ReportTemplate = self.object
        user = self.request.user
        context.update(
            found=[
                {**p, "meaning": describe(str(p.get("token", "")))} for p in template.placeholders
            ],
            may_deactivate=template.is_active
            and user.has_action(ReportTemplate, "deactivate")
            and (user.is_superuser or user.area_id == template.area_id),
        )
        return context


class TemplateDeactivateView(ServiceActionView):
    model = ReportTemplate
    queryset = ReportTemplate.objects.select_related("area").defer("content")
    success_message = gettext_lazy("The template is no longer filled.")

    def act(self, obj: Any, data: dict[str, Any]) -> Any:
        return do_deactivate_template(
            obj, expected_version=posted_version(self.request), by=self.request.user
        )


class TemplateInstallView(ServiceActionView):
    """The shipped templates (a community's daily report; a street's summary) installed for
    the user's own area in one press."""

    success_message = gettext_lazy("The shipped templates are installed.")

    def prepare(self) -> None:
        area = _own_template_area(self.request.user)
        if area is None:
            raise PermissionDeniedError(
                "add", _("Only a community's or a street's office keeps report templates.")
            )
        self.area: Area = area

    def perform(self) -> str | HttpResponse:
        install_shipped_templates(self.area, by=self.request.user)
        return reverse("daily:template_list")

    def get_back_url(self) -> str:
        return reverse("daily:template_list")


def start_report_export(request: Any, pk: Any, fmt: str, template_id: Any = None) -> HttpResponse:
    """A report's download (``daily.exports``): the report and the template looked up as
    the user sees them (404), then core checks the ``export`` right (403) and writes it."""
    from fangkong.daily.exports import REPORT_PDF, REPORT_XLSX, file_stem, report_of, template_of

    report = report_of(request.user, {"report": pk})
    if fmt == "pdf":
        params = {"report": report.pk, "format": "pdf", "file": file_stem(report)}
        return start_export(request, REPORT_PDF.name, params)
    template = template_of(request.user, report, template_id)
    params = {
        "report": report.pk,
        "template": template.pk,
        "format": "xlsx",
        "file": file_stem(report, template),
    }
    return start_export(request, REPORT_XLSX.name, params)


class ReportXlsxView(View):
    """One report filled into one of its templates (``?template=<id>``), as .xlsx."""

    def get(self, request: Any, pk: int) -> HttpResponse:
        return start_report_export(request, pk, "xlsx", request.GET.get("template"))


class ReportPdfView(View):
    def get(self, request: Any, pk: int) -> HttpResponse:
        return start_report_export(request, pk, "pdf")


class DeadlineView(ServiceFormView):
    """The street's (or district's) deadline: after it a report not in is late."""

    template_name = "daily/deadline.html"
    form_class = DeadlineForm
    model = ReportDeadline
    action = "change"
    title = gettext_lazy("Deadline of the daily reports")
    submit_label = gettext_lazy("Save the deadline")
    success_message = gettext_lazy("The deadline is saved.")

    def prepare(self) -> None:
        area = self.request.user.area
        if area is None or area.level not in (AreaLevel.STREET, AreaLevel.DISTRICT):
            raise PermissionDeniedError(
                "change", _("Only a street's or a district's office sets the deadline.")
            )
        self.area: Area = area

    def refusal(self) -> str:
        return _("Your role does not set the deadline.")

    def get_initial(self) -> dict[str, Any]:
        return {"due": deadline_of(self.area)}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(area=self.area, due=deadline_of(self.area))
        return context

    def get_cancel_url(self) -> str:
        return reverse("daily:today")

    def perform(self, form: Any) -> str | HttpResponse:
        do_set_deadline(self.area, form.cleaned_data["due"], by=self.request.user)
        return reverse("daily:today")
