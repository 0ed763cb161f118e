"""Import and export pages of the health module.

The import is the registry's two steps (upload → preview → import or cancel), each a
``core.Job`` of kind ``health.import``: small files within the request, large ones on the
worker. Exports answer a POST with the file (an export is an access event: a link or a
prefetch never makes one); large ones run as a job whose page offers the file once
(``core.exports``).
"""

from __future__ import annotations

import io
from pathlib import PurePath
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from fangkong.core import exports as core_exports
from fangkong.core.choices import JobStatus
from fangkong.core.exports import filter_params, start_export
from fangkong.core.jobs import enqueue_job, run_job
from fangkong.core.models import Job
from fangkong.core.spreadsheets import MAX_FILE_BYTES, SpreadsheetError, open_spreadsheet
from fangkong.health import exports
from fangkong.health.imports import KINDS, check_importer
from fangkong.health.jobs import IMPORT_KIND
from fangkong.health.views.common import require_community
from fangkong.registry.imports import UPLOAD_SUFFIXES, delete_upload, store_upload, upload_path

SYNC_ROWS = 2000
ERRORS_PER_PAGE = 200
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


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"),
                             choices=list(KIND_LABELS.items()))
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("An .xlsx workbook, or a .csv in UTF-8, GB18030 or UTF-16."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt"}),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if PurePath(upload.name or "").suffix.lower() not in UPLOAD_SUFFIXES:
            raise forms.ValidationError(
                _("Choose an .xlsx or .csv file. An old .xls workbook must be saved as .xlsx."))
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB; split it into several files.")
                % {"limit": MAX_FILE_BYTES // (1024 * 1024)})
        return upload


def _start_job(user: Any, path: str, params: dict[str, Any], rows: int) -> Job:
    if rows > SYNC_ROWS:
        return enqueue_job(IMPORT_KIND, user=user, area_path=path, params=params)
    job = Job.objects.create(kind=IMPORT_KIND, user=user, area_path=path, params=params)
    run_job.call(job.pk)  # the task's own function, synchronously
    job.refresh_from_db()
    return job


class ImportStartView(TemplateView):
    """Upload a file of one kind; it is previewed (nothing written) before the import."""

    template_name = "health/import_start.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.community = require_community(request.user)
        check_importer(request.user, self.community, "cases")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        recent = (Job.objects.restrict(self.request.user, "view")
                  .filter(kind=IMPORT_KIND, params__community=self.community.pk)
                  .select_related("user")[:10])
        context.update(title=_("Import health records"), form=kwargs.get("form") or UploadForm(),
                       recent=recent, kinds=list(KIND_LABELS.items()))
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        kind = form.cleaned_data["kind"]
        check_importer(request.user, self.community, kind)
        upload = form.cleaned_data["file"]
        token = store_upload(upload.chunks())
        try:
            with open_spreadsheet(upload_path(token)) as sheet:
                rows = max(sheet.row_count - 1, 0)
        except SpreadsheetError as exc:
            delete_upload(token)
            form.add_error("file", exc.message)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        job = _start_job(request.user, self.community.path, {
            "upload": token, "filename": PurePath(upload.name).name[:200], "kind": kind,
            "community": self.community.pk, "mode": "preview", "rows": rows,
        }, rows)
        return HttpResponseRedirect(reverse("health:import_detail", args=[job.pk]))


def _import_job(request: HttpRequest, pk: int) -> Job:
    return get_object_or_404(
        Job.objects.restrict(request.user, "view").filter(kind=IMPORT_KIND), pk=pk)


class ImportDetailView(TemplateView):
    """A preview or an import: counts, and every rejected row with its reason."""

    template_name = "health/import_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        job = _import_job(self.request, self.kwargs["pk"])
        result = job.result or {}
        page = Paginator(result.get("errors") or [], ERRORS_PER_PAGE).get_page(
            self.request.GET.get("page"))
        preview = job.params.get("mode") == "preview"
        context.update(
            title=_("Import preview") if preview else _("Import"), job=job, result=result,
            preview=preview, kind_label=KIND_LABELS.get(job.params.get("kind"), ""),
            refused=bool(result.get("error")), page_obj=page, errors=page.object_list,
            running=not job.is_finished, querystring="",
            can_confirm=(preview and job.status == JobStatus.COMPLETED
                         and not result.get("error") and job.user_id == self.request.user.pk
                         and "confirmed" not in job.params and "cancelled" not in job.params
                         and upload_path(job.params["upload"]).exists()),
        )
        return context


class ImportConfirmView(View):
    """POST: import the previewed file, or import none and forget it."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        job = _import_job(request, pk)
        if job.user_id != request.user.pk or job.params.get("mode") != "preview":
            raise Http404  # only whoever uploaded the file decides about it
        community = require_community(request.user)
        if "confirmed" in job.params or "cancelled" in job.params or not job.is_finished:
            messages.info(request, _("This file has already been dealt with."))
            return HttpResponseRedirect(reverse("health:import_detail", args=[job.pk]))
        token = job.params["upload"]
        if request.POST.get("action") != "import":
            delete_upload(token)
            job.params["cancelled"] = True
            job.save(update_fields=["params"])
            messages.info(request, _("Nothing was imported."))
            return HttpResponseRedirect(reverse("health:import_start"))
        check_importer(request.user, community, job.params["kind"])
        job.params["confirmed"] = True
        job.save(update_fields=["params"])
        rows = int(job.params.get("rows") or 0)
        imported = _start_job(request.user, community.path, {
            **{k: job.params[k] for k in ("upload", "filename", "kind", "community", "rows")},
            "mode": "import", "preview_job": job.pk,
        }, rows)
        job.params["confirmed"] = imported.pk
        job.save(update_fields=["params"])
        return HttpResponseRedirect(reverse("health:import_detail", args=[imported.pk]))


class ImportTemplateView(View):
    """The blank import sheet of one kind (.xlsx)."""

    def get(self, request: HttpRequest, kind: str) -> HttpResponse:
        community = require_community(request.user)
        check_importer(request.user, community, _kind(kind))
        out = io.BytesIO()
        exports.write_template(kind, out, user=request.user, area_path=community.path)
        return _download(out.getvalue(), f"{exports.SHEETS[kind]}-模板.xlsx", "xlsx")


class ExportForm(forms.Form):
    FORMATS = (("xlsx", gettext_lazy("Excel workbook (.xlsx)")),
               ("csv", gettext_lazy("CSV for Excel (GB18030)")),
               ("csv-utf8", gettext_lazy("CSV in UTF-8")))

    format = forms.ChoiceField(label=gettext_lazy("Format"), choices=FORMATS, initial="xlsx",
                               widget=forms.RadioSelect)


class ExportView(TemplateView):
    """GET: what will be exported; POST: the file (masked, logged)."""

    template_name = "health/export.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.kind = _kind(kwargs["kind"])
        self.model = exports.MODELS[self.kind]
        if not request.user.has_action(self.model, "export"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def filters(self) -> Any:
        data = self.request.GET.copy()
        data.pop("page", None)
        return data

    def queryset(self) -> QuerySet:
        return exports.rows_for_export(self.kind, self.request.user, self.filters())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(title=_("Export: %(what)s") % {"what": KIND_LABELS[self.kind]},
                       count=self.queryset().count(), form=kwargs.get("form") or ExportForm(),
                       inline_rows=core_exports.INLINE_ROWS,
                       querystring=self.filters().urlencode())
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = ExportForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        value = form.cleaned_data["format"]
        fmt, encoding = ("csv", "utf-8") if value == "csv-utf8" else (value, "gb18030")
        # The file at once when small; else a job whose page offers it once (core.exports).
        return start_export(request, exports.EXPORTERS[self.kind].name, {
            "format": fmt, "encoding": encoding, "filters": filter_params(self.filters())})
