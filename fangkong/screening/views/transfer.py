"""The register out (export, summary) and answers in (import from paper or old Excel)."""

from __future__ import annotations

import sys
import tempfile
from pathlib import PurePath
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views import View

from fangkong.core.choices import JobStatus
from fangkong.core.exports import start_export
from fangkong.core.imports import flow
from fangkong.core.imports.uploads import delete_upload, store_upload, upload_exists
from fangkong.core.models import Job
from fangkong.core.requests import AuthenticatedRequest
from fangkong.core.views import ServiceFormView
from fangkong.screening import exports, imports
from fangkong.screening.forms import ConfirmImportForm, ExportForm, ImportForm
from fangkong.screening.jobs import IMPORT_KIND
from fangkong.screening.models import Campaign
from fangkong.screening.views.common import get_managed_campaign

#: A campaign's register is checked and imported while the officer waits, as it always was.
ALWAYS_IN_REQUEST = sys.maxsize


def _xlsx_response(write: Any, filename: str) -> FileResponse:
    """Write a workbook to a temporary file (memory stays flat) and send it."""
    target = tempfile.TemporaryFile()  # noqa: SIM115 - FileResponse closes it when sent
    write(target)
    target.seek(0)
    response = FileResponse(
        target, as_attachment=True, filename=filename, content_type=exports.XLSX_TYPE
    )
    add_never_cache_headers(response)
    return response


def _filename(campaign: Campaign, what: str) -> str:
    return f"{campaign.name}-{what}-{timezone.localdate():%Y%m%d}.xlsx"


class ExportView(ServiceFormView):
    """GET: the choice (masked, or full numbers with a reason); POST: the .xlsx register."""

    template_name = "screening/export.html"
    form_class = ExportForm
    model = Campaign
    action = "export"
    success_message = ""

    def prepare(self) -> None:
        self.campaign = get_managed_campaign(self.request.user, self.kwargs["pk"])

    def get_title(self) -> Any:
        return _("Export %(name)s") % {"name": self.campaign}

    def get_cancel_url(self) -> str:
        return self.campaign.get_absolute_url()

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {
            **super().get_context_data(**kwargs),
            "campaign": self.campaign,
            "can_unmask": self.request.user.has_action("registry.person", "reveal"),
        }

    def perform(self, form: ExportForm) -> HttpResponse:
        params: dict[str, Any] = {"campaign": self.campaign.pk, "format": "xlsx"}
        if form.cleaned_data["unmasked"]:
            params.update(unmasked=True, reason=form.cleaned_data["reason"])
        # The file at once for a community's campaign; a district's runs as a job whose page
        # offers the file once (core.exports).
        return start_export(self.request, exports.REGISTER_EXPORT.name, params)


class SummaryView(View):
    """GET: the summary for the street office (figures only). Written in the request: a row
    per grid, answer and kind of alert, whatever the number of households."""

    def get(self, request: AuthenticatedRequest, pk: int) -> FileResponse:
        campaign = get_managed_campaign(request.user, pk)
        # A refusal of the export's own check is core's 403 page with its reason.
        return _xlsx_response(
            lambda target: exports.export_summary(campaign, target, by=request.user),
            _filename(campaign, "summary"),
        )


class ImportTemplateView(View):
    """GET: a register to fill in: the households not reached yet and the questions. A
    district's campaign lists hundreds of thousands: a job above ``INLINE_ROWS``
    (``exports.TEMPLATE_EXPORT``)."""

    def get(self, request: AuthenticatedRequest, pk: int) -> HttpResponse:
        campaign = get_managed_campaign(request.user, pk)
        if not request.user.has_action(Campaign, "import"):
            raise PermissionDenied
        return start_export(
            request, exports.TEMPLATE_EXPORT.name, {"campaign": campaign.pk, "format": "xlsx"}
        )


class ImportView(ServiceFormView):
    """Upload → check (every rejected row with its Excel row number, column and reason) →
    import the valid rows, or none. The second step posts the check's token
    (``ConfirmImportForm``); an import that cannot go on shows its reasons above the upload
    form (400)."""

    template_name = "screening/import.html"
    model = Campaign
    action = "import"
    success_message = ""

    def prepare(self) -> None:
        self.campaign = get_managed_campaign(self.request.user, self.kwargs["pk"])

    def get_form_class(self) -> type[ImportForm | ConfirmImportForm]:
        return ConfirmImportForm if self.request.POST.get("token") else ImportForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        form = context["form"]
        if isinstance(form, ConfirmImportForm):
            # The reasons an import could not go on, above a fresh upload form.
            context.update(refused=form.non_field_errors(), form=ImportForm(user=self.request.user))
        context.update(
            title=_("Import answers into %(name)s") % {"name": self.campaign},
            campaign=self.campaign,
        )
        return context

    def perform(self, form: ImportForm | ConfirmImportForm) -> HttpResponse:
        if isinstance(form, ConfirmImportForm):
            return self.confirm(form.cleaned_data["token"])
        user = self.request.user
        imports.require_import(user, self.campaign)
        upload = form.cleaned_data["file"]
        checked = flow.start_import_job(
            IMPORT_KIND,
            user=user,
            area_path=self.campaign.area.path,
            params={
                "upload": store_upload(upload),
                "filename": PurePath(upload.name).name[:200],
                "campaign": self.campaign.pk,
                "mode": "preview",
            },
            rows=0,
            sync_rows=ALWAYS_IN_REQUEST,
        )
        result = checked.result or {}
        if result.get("error") or checked.status != JobStatus.COMPLETED:
            delete_upload(checked.params["upload"])
            raise ValidationError(
                {"file": result.get("error") or _("The file could not be checked.")}
            )
        # The token is the check's job: importing is deciding about it (once).
        return self.render_to_response(
            self.get_context_data(
                report=imports.ImportReport.from_dict(result), token=str(checked.pk)
            )
        )

    def confirm(self, token: str) -> HttpResponse:
        user = self.request.user
        checked = (
            Job.objects.restrict(user, "view")
            .filter(
                kind=IMPORT_KIND,
                user=user,
                params__mode="preview",
                params__campaign=self.campaign.pk,
                pk=int(token) if token.isdigit() else None,
            )
            .first()
        )
        gone = _("The uploaded file is no longer there; upload it again.")
        if checked is None or (
            flow.is_open(checked) and not upload_exists(checked.params.get("upload", ""))
        ):
            raise ValidationError(gone)
        imports.require_import(user, self.campaign)
        try:
            imported = flow.do_confirm_import(
                checked, user, area_path=self.campaign.area.path, sync_rows=ALWAYS_IN_REQUEST
            )
        except flow.ImportAlreadyHandled as exc:
            raise ValidationError(str(exc)) from None
        result = imported.result or {}
        if result.get("code") == "upload_gone":
            raise ValidationError(gone)
        if result.get("error") or imported.status != JobStatus.COMPLETED:
            raise ValidationError(result.get("reasons") or [result.get("error", "")])
        return self.render_to_response(
            self.get_context_data(report=imports.ImportReport.from_dict(result), imported=True)
        )
