"""Pages of the staff-accounts import, on core's import flow (``core.imports.flow``).

Upload → *preview* (every row run through ``do_create_user`` and rolled back: counts and
every refused row) → *make the accounts* (all or nothing) → the sheet of one-time passwords,
downloadable once. Administrators and community officers import (``accounts.user`` "add");
each row is checked against what the importer may give, where.

An import's jobs are the importer's own: the pages list and open only the user's jobs (the
preview holds what they typed; the import, the sheet of passwords).
"""

from __future__ import annotations

import io
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.accounts.imports import HEADERS, MAX_ROWS, template_header, template_rows
from fangkong.accounts.jobs import IMPORT_KIND
from fangkong.accounts.models import User
from fangkong.accounts.password_sheet import SHEET_KEY, take_sheet
from fangkong.core.imports import flow
from fangkong.core.imports.uploads import upload_exists
from fangkong.core.models import Job
from fangkong.core.spreadsheets import SheetSpec, write_xlsx
from fangkong.core.views import LoggedInView, require_action

#: Rows checked within the request; more go to the worker. Each row hashes a password
#: (argon2, ~0.1 s by design), in the preview and again in the import.
SYNC_ROWS = 50
PDF_CONTENT_TYPE = "application/pdf"


class UploadForm(flow.UploadForm):
    file_label = gettext_lazy("List of staff")


def _area_path(user: User) -> str:
    return user.area.path if user.area is not None else ""


class _AccountImport:
    job_kind = IMPORT_KIND
    sync_rows = SYNC_ROWS
    request: Any

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if "pk" in kwargs:
            self.get_job(kwargs["pk"])  # someone else's import: not found, whoever asks
        require_action(request.user, User, "add")  # type: ignore[arg-type]
        return super().dispatch(request, *args, **kwargs)  # type: ignore[misc,no-any-return]

    def get_job(self, pk: int) -> Job:
        return get_object_or_404(self.import_jobs(), pk=pk)

    def import_jobs(self) -> QuerySet[Job]:
        # The importer's own: a preview shows what they typed, an import their sheet.
        return Job.objects.filter(kind=self.job_kind, user_id=self.request.user.pk)

    def detail_url(self, job: Job) -> str:
        return reverse("accounts:import_detail", args=[job.pk])


class ImportStartView(_AccountImport, flow.ImportStartView):
    """Upload the list of staff; it is previewed at once."""

    template_name = "accounts/import_start.html"
    form_class = UploadForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            title=_("Import staff accounts"),
            form=kwargs.get("form") or UploadForm(),
            recent=self.recent_jobs(),
            max_rows=MAX_ROWS,
        )
        return context

    def job_area(self) -> str:
        return _area_path(self.request.user)


class ImportDetailView(_AccountImport, flow.ImportDetailView):
    """A preview or an import; after an import, the sheet of passwords to download once."""

    template_name = "accounts/import_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        job, result = context["job"], context["result"]
        context.update(
            title=_("Staff accounts: preview") if context["preview"] else _("Staff accounts"),
            # Named until downloaded; gone from the store after 24 h (purge_stale_uploads).
            sheet_ready=upload_exists(str(result.get(SHEET_KEY) or "")),
            import_job=_job_number(job.params.get("confirmed")),
            preview_job=_job_number(job.params.get("preview_job")),
        )
        return context


def _job_number(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class ImportConfirmView(_AccountImport, flow.ImportConfirmView):
    """POST: make every account of the previewed file, or none and forget the file."""

    def job_area(self, preview: Job) -> str:
        return _area_path(self.request.user)

    def cancelled_url(self, preview: Job) -> str:
        return reverse("accounts:import_start")


class ImportRejectedView(_AccountImport, flow.ImportRejectedView):
    """GET: the preview's refused rows as an .xlsx with a reason column, to fix and upload."""

    header_aliases = HEADERS


class PasswordSheetView(_AccountImport, LoggedInView):
    """GET: the PDF of the new accounts' one-time passwords, once; then it is gone (404)."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        data = take_sheet(pk, by=self.request.user)
        response = HttpResponse(data, content_type=PDF_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            True, f"{_('account-passwords')}-{pk}.pdf"
        )
        add_never_cache_headers(response)  # passwords: never kept by a browser or proxy
        return response


class TemplateDownloadView(_AccountImport, LoggedInView):
    """The blank list of staff (.xlsx): the columns and two example rows."""

    def get(self, request: HttpRequest) -> HttpResponse:
        out = io.BytesIO()
        header = template_header()
        write_xlsx(
            out,
            [
                SheetSpec(
                    title=_("Staff accounts"),
                    header=header,
                    rows=template_rows(),
                    text_columns=range(len(header)),
                    widths=[12, 16, 14, 12, 20, 12, 12, 12],
                ),
                SheetSpec(
                    title=_("How to fill it in"),
                    header=[_("Column"), _("What to write")],
                    rows=_guide(),
                    widths=[14, 80],
                ),
            ],
        )
        response = HttpResponse(out.getvalue(), content_type=flow.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            True, _("staff-accounts-template") + ".xlsx"
        )
        return response


def _guide() -> list[list[str]]:
    return [
        ["姓名", _("Required. The person's full name.")],
        [
            "手机号",
            _("Optional. Kept on the person's staff record, protected like residents' phones."),
        ],
        ["用户名", _("Optional. Empty: made from the name's pinyin (王秀英 → wangxiuying).")],
        ["角色", _("Required. 网格员, 门岗 (checkpoint staff), 志愿者, 卫生专员, 社区干部…")],
        [
            "辖区/网格",
            _(
                "Required. A community or grid within your area; a grid as 社区/网格 when "
                "several share its name."
            ),
        ],
        ["单位", _("Needed with a phone when the community has several organisations.")],
        ["开始日期", _("Optional. For staff lent for a time: 2020-02-01.")],
        ["结束日期", _("Optional. Not before the start date.")],
    ]
