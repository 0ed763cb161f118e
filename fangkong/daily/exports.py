"""A report's downloads (``core.exports``): filled into one of its templates (.xlsx) and as a
PDF. Each is one report, written within the request; the right is ``daily.dailyreport``'s
``export``, checked by core before anything is written, and each download is an access
event (which report, revision and template; no figure, no note)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, BinaryIO

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from fangkong.core.audit import record_access
from fangkong.core.choices import AccessKind
from fangkong.core.exports import Exporter, register
from fangkong.core.pdf import render_pdf
from fangkong.core.spreadsheets import Progress
from fangkong.core.views import get_restricted_object
from fangkong.daily.models import DailyReport, ReportTemplate

if TYPE_CHECKING:
    from fangkong.accounts.models import User


def report_of(user: User, params: dict[str, Any]) -> DailyReport:
    """The report, as ``user`` sees it (404 outside their scope)."""
    report: DailyReport = get_restricted_object(
        DailyReport.objects.select_related("area", "submitted_by"),
        user,
        "view",
        pk=params.get("report"),
    )
    return report


def template_of(user: User, report: DailyReport, template_id: Any) -> ReportTemplate:
    """One of the templates ``report`` fills, as ``user`` sees them (404 for any other)."""
    from fangkong.daily.services import templates_for

    try:
        wanted = int(template_id)
    except (TypeError, ValueError):
        raise Http404 from None
    if not any(t.pk == wanted for t in templates_for(report, user)):
        raise Http404
    return ReportTemplate.objects.get(pk=wanted)  # with its workbook


def file_stem(report: DailyReport, template: ReportTemplate | None = None) -> str:
    suffix = f"-{template.name}" if template is not None else ""
    return f"{report.area.name}-{report.day:%Y%m%d}{suffix}"


def _record(user: User, report: DailyReport, what: str, **detail: Any) -> None:
    record_access(
        AccessKind.EXPORT,
        actor=user,
        area_path=report.area.path,
        obj=report,
        detail={"what": what, "day": report.day.isoformat(), "revision": report.revision, **detail},
    )


def write_xlsx(user: User, params: dict[str, Any], target: BinaryIO, _: Progress | None) -> int:
    from fangkong.daily.services import fill_report_template

    report = report_of(user, params)
    template = template_of(user, report, params.get("template"))
    target.write(fill_report_template(template, report))
    _record(user, report, "daily.report_xlsx", template=template.pk)
    return 1


def write_pdf(user: User, params: dict[str, Any], target: BinaryIO, _: Progress | None) -> int:
    """The figures with yesterday's and the change, the notes, who submitted it when, and
    the revisions up to this one with their reasons."""
    from fangkong.daily.views import figure_rows, yesterday_of

    report = report_of(user, params)
    revisions = list(
        DailyReport.objects.filter(area=report.area, day=report.day, revision__lte=report.revision)
        .select_related("submitted_by")
        .order_by("revision")
    )
    rows = figure_rows(report.figures, yesterday_of(report.area, report.day))
    target.write(
        render_pdf(
            "daily/report_pdf.html",
            {"report": report, "rows": rows, "revisions": revisions, "now": timezone.now()},
        )
    )
    _record(user, report, "daily.report_pdf")
    return 1


def _one(user: User, params: dict[str, Any]) -> int:
    return 1


REPORT_XLSX = register(
    Exporter(
        name="daily.report_xlsx",
        model=DailyReport,
        label=gettext_lazy("Daily report filled into a template"),
        count=_one,
        write=write_xlsx,
        filename=lambda params: str(params["file"]),
    )
)
REPORT_PDF = register(
    Exporter(
        name="daily.report_pdf",
        model=DailyReport,
        label=gettext_lazy("Daily report as a PDF"),
        count=_one,
        write=write_pdf,
        filename=lambda params: str(params["file"]),
    )
)
