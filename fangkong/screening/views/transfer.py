"""The register out (export, summary) and answers in (import from paper or old Excel)."""

from __future__ import annotations

import tempfile
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.exports import start_export
from fangkong.core.spreadsheets import SpreadsheetError
from fangkong.screening import exports, imports
from fangkong.screening.forms import ExportForm, ImportForm
from fangkong.screening.models import Campaign
from fangkong.screening.views.common import get_managed_campaign


def _xlsx_response(write: Any, filename: str) -> FileResponse:
    """Write a workbook to a temporary file (memory stays flat) and send it."""
    target = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    write(target)
    target.seek(0)
    response = FileResponse(target, as_attachment=True, filename=filename,
                            content_type=exports.XLSX_TYPE)
    add_never_cache_headers(response)
    return response


def _filename(campaign: Campaign, what: str) -> str:
    return f"{campaign.name}-{what}-{timezone.localdate():%Y%m%d}.xlsx"


class ExportView(TemplateView):
    """GET: the choice (masked, or full numbers with a reason); POST: the .xlsx register."""

    template_name = "screening/export.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.campaign = get_managed_campaign(request.user, kwargs["pk"])
        if not request.user.has_action(Campaign, "export"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(title=_("Export %(name)s") % {"name": self.campaign},
                       campaign=self.campaign, form=kwargs.get("form") or ExportForm(),
                       can_unmask=self.request.user.has_action("registry.person", "reveal"))
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = ExportForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        params: dict[str, Any] = {"campaign": self.campaign.pk, "format": "xlsx"}
        if form.cleaned_data["unmasked"]:
            params.update(unmasked=True, reason=form.cleaned_data["reason"])
        # The file at once for a community's campaign; a district's runs as a job whose page
        # offers the file once (core.exports).
        return start_export(request, exports.REGISTER_EXPORT.name, params)


class SummaryView(View):
    """GET: the summary for the street office (figures only). Written in the request: a row
    per grid, answer and kind of alert, whatever the number of households."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = get_managed_campaign(request.user, pk)
        try:
            return _xlsx_response(
                lambda target: exports.export_summary(campaign, target, by=request.user),
                _filename(campaign, "summary"),
            )
        except PermissionDeniedError:
            raise PermissionDenied from None


class ImportTemplateView(View):
    """GET: a register to fill in: the households not reached yet and the questions. A
    district's campaign lists hundreds of thousands: a job above ``INLINE_ROWS``
    (``exports.TEMPLATE_EXPORT``)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = get_managed_campaign(request.user, pk)
        if not request.user.has_action(Campaign, "import"):
            raise PermissionDenied
        return start_export(request, exports.TEMPLATE_EXPORT.name,
                            {"campaign": campaign.pk, "format": "xlsx"})


class ImportView(TemplateView):
    """Upload → check (every rejected row with its Excel row number, column and reason) →
    import the valid rows, or none."""

    template_name = "screening/import.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        self.campaign = get_managed_campaign(request.user, kwargs["pk"])
        if not request.user.has_action(Campaign, "import"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(title=_("Import answers into %(name)s") % {"name": self.campaign},
                       campaign=self.campaign, form=kwargs.get("form") or ImportForm())
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        user = request.user
        token = request.POST.get("token", "")
        if token:
            return self._import(request, token)
        form = ImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        token = imports.stash_upload(form.cleaned_data["file"], user=user,
                                     campaign=self.campaign)
        path = imports.stashed_path(token, user=user, campaign=self.campaign)
        try:
            report, _plans = imports.check_file(self.campaign, path, by=user)
        except SpreadsheetError as exc:
            path.unlink(missing_ok=True)
            form.add_error("file", exc.message)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        return self.render_to_response(self.get_context_data(report=report, token=token))

    def _import(self, request: HttpRequest, token: str) -> HttpResponse:
        user = request.user
        path = imports.stashed_path(token, user=user, campaign=self.campaign)
        if path is None:
            return self._refused([_("The uploaded file is no longer there; upload it again.")])
        try:
            report, plans = imports.check_file(self.campaign, path, by=user)
            report = imports.import_rows(self.campaign, plans, report, by=user)
        except SpreadsheetError as exc:
            return self._refused([exc.message])
        except ValidationError as exc:
            return self._refused(exc.messages)
        finally:
            path.unlink(missing_ok=True)
        return self.render_to_response(self.get_context_data(report=report, imported=True))

    def _refused(self, reasons: list[str]) -> HttpResponse:
        return self.render_to_response(self.get_context_data(refused=reasons), status=400)
