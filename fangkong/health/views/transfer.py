"""Import and export pages of the health module.

The import is core's flow (``core.imports.flow``: upload → preview → import or
cancel), each step a ``core.Job`` of kind ``health.import``: small files within the
request, large ones on the worker. Exports answer a POST with the file (an export is an
access event: a link or a prefetch never makes one); large ones run as a job whose page
offers the file once (``core.exports``).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core import exports as core_exports
from fangkong.core.exports import filter_params, start_export
from fangkong.core.imports import flow
from fangkong.core.models import Job
from fangkong.core.views import LoggedInView, PageView
from fangkong.health import exports
from fangkong.health.imports import KINDS, check_importer
from fangkong.health.jobs import IMPORT_KIND
from fangkong.health.views.common import require_community

if TYPE_CHECKING:
    from fangkong.core.requests import AuthenticatedRequest

SYNC_ROWS = 2000
KIND_LABELS = exports.LABELS


def _download(data: bytes, filename: str, fmt: str) -> HttpResponse:
    response = HttpResponse(data, content_type=exports.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, filename)
    add_never_cache_headers(response)  # personal data: never kept by a browser or proxy
    return response


def _kind(value: str) -> str:
    if value not in KINDS:
        raise Http404
    return value


class UploadForm(flow.UploadForm):
    kind = forms.ChoiceField(
        label=gettext_lazy("What the file holds"), choices=list(KIND_LABELS.items())
    )
    field_order = ["kind", "file"]


class _HealthImport:
    job_kind = IMPORT_KIND
    sync_rows = SYNC_ROWS

    def detail_url(self, job: Job) -> str:
        return reverse("health:import_detail", args=[job.pk])


class ImportStartView(_HealthImport, flow.ImportStartView):
    """Upload a file of one kind; it is previewed (nothing written) before the import."""

    template_name = "health/import_start.html"
    form_class = UploadForm

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.community = require_community(self.request.user)
        check_importer(self.request.user, self.community, "cases")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Import health records"),
            form=kwargs.get("form") or UploadForm(),
            recent=self.recent_jobs(community=self.community.pk),
            kinds=list(KIND_LABELS.items()),
        )
        return context

    def check_form(self, form: flow.UploadForm) -> None:
        check_importer(self.request.user, self.community, form.cleaned_data["kind"])

    def job_area(self) -> str:
        return self.community.path

    def job_params(self, form: flow.UploadForm) -> dict[str, Any]:
        return {"kind": form.cleaned_data["kind"], "community": self.community.pk}


class ImportDetailView(_HealthImport, flow.ImportDetailView):
    """A preview or an import: counts, and every rejected row with its reason."""

    template_name = "health/import_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["kind_label"] = KIND_LABELS.get(context["job"].params.get("kind"), "")
        return context


class ImportConfirmView(_HealthImport, flow.ImportConfirmView):
    """POST: import the previewed file, or import none and forget it."""

    def check_decision(self, preview: Job) -> None:
        self.community = require_community(self.request.user)

    def check_import(self, preview: Job) -> None:
        check_importer(self.request.user, self.community, preview.params["kind"])

    def job_area(self, preview: Job) -> str:
        return self.community.path

    def cancelled_url(self, preview: Job) -> str:
        return reverse("health:import_start")


class ImportTemplateView(LoggedInView):
    """The blank import sheet of one kind (.xlsx)."""

    def get(self, request: HttpRequest, kind: str) -> HttpResponse:
        community = require_community(self.request.user)
        check_importer(self.request.user, community, _kind(kind))
        out = io.BytesIO()
        exports.write_template(kind, out, user=self.request.user, area_path=community.path)
        return _download(out.getvalue(), f"{exports.SHEETS[kind]}-模板.xlsx", "xlsx")


class ExportForm(forms.Form):
    FORMATS = (
        ("xlsx", gettext_lazy("Excel workbook (.xlsx)")),
        ("csv", gettext_lazy("CSV for Excel (GB18030)")),
        ("csv-utf8", gettext_lazy("CSV in UTF-8")),
    )

    format = forms.ChoiceField(
        label=gettext_lazy("Format"), choices=FORMATS, initial="xlsx", widget=forms.RadioSelect
    )


class ExportView(PageView):
    """GET: what will be exported; POST: the file (masked, logged)."""

    template_name = "health/export.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.kind = _kind(kwargs["kind"])
        self.model = exports.MODELS[self.kind]
        if not self.request.user.has_action(self.model, "export"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def filters(self) -> Any:
        data = self.request.GET.copy()
        data.pop("page", None)
        return data

    def queryset(self) -> QuerySet[Any]:
        return exports.rows_for_export(self.kind, self.request.user, self.filters())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Export: %(what)s") % {"what": KIND_LABELS[self.kind]},
            count=self.queryset().count(),
            form=kwargs.get("form") or ExportForm(),
            inline_rows=core_exports.INLINE_ROWS,
            querystring=self.filters().urlencode(),
        )
        return context

    def post(self, request: AuthenticatedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ExportForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        value = form.cleaned_data["format"]
        fmt, encoding = ("csv", "utf-8") if value == "csv-utf8" else (value, "gb18030")
        # The file at once when small; else a job whose page offers it once (core.exports).
        return start_export(
            request,
            exports.EXPORTERS[self.kind].name,
            {"format": fmt, "encoding": encoding, "filters": filter_params(self.filters())},
        )
