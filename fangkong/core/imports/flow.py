"""An import's steps, shared by every app: upload → preview → import the valid rows, or none.

Each step is a ``core.Job`` of the app's kind, so the page and a background worker share one
code path: files up to the view's ``sync_rows`` data rows run within the request, larger
ones on the worker while the page shows progress. The preview keeps the upload (named by a
token in its parameters, ``core.imports.uploads``) for the import that may follow; the
import, or cancelling, deletes it.

A preview is decided once. ``do_confirm_import`` and ``do_cancel_import`` lock the preview's
row (``select_for_update``) and record the decision in the same transaction as the import's
job is created, so two clicks, two tabs or a click and a cancel never start the same file's
import twice; the second finds the file already dealt with.

The apps' pages are the three views below with a few declarations (the job kind, templates,
URLs, who may import); the job handlers wrap their work in ``run_upload_job``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from http import HTTPStatus
from pathlib import PurePath
from typing import IO, TYPE_CHECKING, Any, ClassVar, Protocol

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.audit import record_access
from fangkong.core.choices import AccessKind, JobStatus
from fangkong.core.disk_full import DISK_FULL_MESSAGE, is_disk_full
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.imports.rejected import rejected_rows_xlsx
from fangkong.core.imports.uploads import (
    UPLOAD_SUFFIXES,
    delete_progress,
    delete_upload,
    reading_upload,
    store_upload,
    upload_exists,
)
from fangkong.core.jobs import JobContext, enqueue_job, run_job
from fangkong.core.models import Job
from fangkong.core.requests import AuthenticatedRequest
from fangkong.core.spreadsheets import MAX_FILE_BYTES, SpreadsheetError, open_spreadsheet
from fangkong.core.views import LoggedInView, PageView

if TYPE_CHECKING:
    from fangkong.accounts.models import User

ERRORS_PER_PAGE = 200
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportAlreadyHandled(Exception):
    """The preview was already imported or cancelled (or is still running)."""

    def __init__(self) -> None:
        super().__init__(_("This file has already been dealt with."))


# --- Jobs -----------------------------------------------------------------------------------


def start_import_job(
    kind: str, *, user: User, area_path: str, params: dict[str, Any], rows: int, sync_rows: int
) -> Job:
    """A step's job: run within the request when small, else handed to the worker."""
    if rows > sync_rows:
        return enqueue_job(kind, user=user, area_path=area_path, params=params)
    job = Job.objects.create(kind=kind, user=user, area_path=area_path, params=params)
    _run_now(job)
    return job


def _run_now(job: Job) -> None:
    run_job.call(job.pk)  # the task's own function, synchronously: same states, same result
    job.refresh_from_db()


def is_open(preview: Job) -> bool:
    """Whether a preview still waits for its decision (import or cancel)."""
    return (
        preview.is_finished
        and "confirmed" not in preview.params
        and "cancelled" not in preview.params
    )


def _locked_open_preview(preview: Job, by: User) -> Job:
    """The preview's row, locked until the transaction ends, if it still waits for ``by``."""
    # PostgreSQL: a second decision waits here for the first to commit. SQLite ignores
    # select_for_update, but its IMMEDIATE transactions already serialise every writer.
    locked: Job = Job.objects.select_for_update().get(pk=preview.pk)
    if locked.user_id != by.pk or locked.params.get("mode") != "preview":
        raise PermissionDeniedError("import")  # only whoever uploaded the file decides
    if not is_open(locked):
        raise ImportAlreadyHandled
    return locked


def do_confirm_import(
    preview: Job,
    by: User,
    *,
    area_path: str,
    sync_rows: int,
    extra_params: dict[str, Any] | None = None,
) -> Job:
    """Import the previewed file's valid rows: the import's job, started at most once.

    The preview's row is locked while the import's job is created and the preview marked
    with its number, in one transaction: a second confirmation (another click, another tab)
    waits for the first and then finds the file dealt with (``ImportAlreadyHandled``). The
    people the import writes are audited by the import; the two job rows record who decided
    and when.
    """
    with transaction.atomic():
        locked = _locked_open_preview(preview, by)
        rows = int(locked.params.get("rows") or 0)
        params = {
            k: v for k, v in locked.params.items() if k not in {"mode", "confirmed", "cancelled"}
        }
        params.update(extra_params or {}, mode="import", preview_job=locked.pk)
        if rows > sync_rows:  # handed to the worker once this transaction commits
            imported = enqueue_job(locked.kind, user=by, area_path=area_path, params=params)
        else:
            imported = Job.objects.create(
                kind=locked.kind, user=by, area_path=area_path, params=params
            )
        locked.params["confirmed"] = imported.pk
        locked.save(update_fields=["params"])
    preview.params = locked.params
    if rows <= sync_rows:
        _run_now(imported)
    return imported


def do_cancel_import(preview: Job, by: User) -> None:
    """Import none of the previewed file and forget it (at most once, as confirming)."""
    with transaction.atomic():
        locked = _locked_open_preview(preview, by)
        locked.params["cancelled"] = True
        locked.save(update_fields=["params"])
    # Once decided: a preview left open by a failure keeps its file. (Within a caller's
    # transaction that rolls back, the preview stays open without it: the page then
    # offers no import, and the file must be uploaded again.)
    delete_upload(locked.params.get("upload", ""))
    preview.params = locked.params


def run_upload_job(
    context: JobContext, work: Callable[[IO[bytes]], dict[str, Any]]
) -> dict[str, Any]:
    """A step's job handler around ``work(file)``: the upload opened from the store (an
    answer, not a fault, when it is gone); after an import, whatever happens, deleted."""
    token = context.params.get("upload", "")
    try:
        with contextlib.ExitStack() as opened:
            try:
                file = opened.enter_context(reading_upload(token))
            except FileNotFoundError:
                return {
                    "error": _("The uploaded file is gone; upload it again."),
                    "code": "upload_gone",
                }
            return work(file)
    finally:
        delete_progress(token)
        if context.params.get("mode", "import") != "preview":
            delete_upload(token)


# --- Pages ----------------------------------------------------------------------------------


class UploadForm(forms.Form):
    """The file of an import; an app's form adds its own fields (health: what it holds)."""

    file_label: ClassVar[Any] = gettext_lazy("File")

    file = forms.FileField(
        help_text=gettext_lazy("An .xlsx workbook, or a .csv in UTF-8, GB18030 or UTF-16."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,.txt"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].label = self.file_label

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if PurePath(upload.name or "").suffix.lower() not in UPLOAD_SUFFIXES:
            raise forms.ValidationError(
                _("Choose an .xlsx or .csv file. An old .xls workbook must be saved as .xlsx.")
            )
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s MB; split it into several files.")
                % {"limit": MAX_FILE_BYTES // (1024 * 1024)}
            )
        return upload


class _ImportPage(Protocol):
    request: AuthenticatedRequest
    job_kind: ClassVar[str]

    def import_jobs(self) -> QuerySet[Job]: ...


class ImportViewMixin:
    """What the three pages of one app's import declare."""

    job_kind: ClassVar[str]
    #: Files with more data rows than this run as a background job with a progress page.
    sync_rows: int

    def import_jobs(self: _ImportPage) -> QuerySet[Job]:
        return Job.objects.restrict(self.request.user, "view").filter(kind=self.job_kind)

    def get_job(self: _ImportPage, pk: int) -> Job:
        """An import job the user may see (404 otherwise)."""
        return get_object_or_404(self.import_jobs(), pk=pk)

    def detail_url(self, job: Job) -> str:
        raise NotImplementedError


class ImportStartView(ImportViewMixin, PageView):
    """Upload a file: vetted at once (a broken file is refused on this page), then
    previewed, within the request or as a job."""

    form_class: ClassVar[type[UploadForm]] = UploadForm

    def recent_jobs(self, **params: Any) -> QuerySet[Job]:
        filters = {f"params__{k}": v for k, v in params.items()}
        return self.import_jobs().filter(**filters).select_related("user")[:10]

    def check_form(self, form: UploadForm) -> None:
        """Refuse (raise) what the user may not import; the file is not stored yet."""

    def job_area(self) -> str:
        raise NotImplementedError

    def job_params(self, form: UploadForm) -> dict[str, Any]:
        """The preview's parameters besides the upload, its name, its rows and the mode."""
        return {}

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = self.form_class(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        self.check_form(form)
        upload = form.cleaned_data["file"]
        try:
            token = store_upload(upload)
        except OSError as exc:
            if not is_disk_full(exc):
                raise
            form.add_error("file", str(DISK_FULL_MESSAGE))
            return self.render_to_response(
                self.get_context_data(form=form), status=HTTPStatus.INSUFFICIENT_STORAGE
            )
        try:
            with reading_upload(token) as file, open_spreadsheet(file) as sheet:
                rows = max(sheet.row_count - 1, 0)
        except SpreadsheetError as exc:
            delete_upload(token)
            form.add_error("file", exc.message)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        params = {
            "upload": token,
            "filename": PurePath(upload.name).name[:200],
            **self.job_params(form),
            "mode": "preview",
            "rows": rows,
        }
        job = start_import_job(
            self.job_kind,
            user=self.request.user,
            area_path=self.job_area(),
            params=params,
            rows=rows,
            sync_rows=self.sync_rows,
        )
        return HttpResponseRedirect(self.detail_url(job))


class ImportDetailView(ImportViewMixin, PageView):
    """A preview or an import: progress while it runs, then counts and every rejected row."""

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        job = self.get_job(self.kwargs["pk"])
        result = job.result or {}
        page = Paginator(result.get("errors") or [], ERRORS_PER_PAGE).get_page(
            self.request.GET.get("page")
        )
        preview = job.params.get("mode") == "preview"
        context.update(
            title=_("Import preview") if preview else _("Import"),
            job=job,
            result=result,
            preview=preview,
            refused=bool(result.get("error")),
            page_obj=page,
            errors=page.object_list,
            running=not job.is_finished,
            querystring="",
            can_confirm=(
                preview
                and job.status == JobStatus.COMPLETED
                and not result.get("error")
                and job.user_id == self.request.user.pk
                and is_open(job)
                and upload_exists(job.params.get("upload", ""))
            ),
            # The rejected rows as a file to fix and upload again (ImportRejectedView).
            can_download_rejected=(
                preview
                and bool(result.get("errors"))
                and job.user_id == self.request.user.pk
                and upload_exists(job.params.get("upload", ""))
            ),
        )
        return context


class ImportRejectedView(ImportViewMixin, LoggedInView):
    """GET: a preview's rejected rows as an .xlsx, the upload's columns and a reason column
    (``core.imports.rejected``), for whoever uploaded it while the preview keeps the file."""

    #: The import's header names (``locate_header``'s aliases), to find the header row.
    header_aliases: ClassVar[Mapping[str, Sequence[str]]]

    def check_download(self, preview: Job) -> None:
        """Refuse (raise) a user who may no longer import into this preview's area."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        preview = self.get_job(pk)
        errors = (preview.result or {}).get("errors") or []
        if (
            preview.user_id != self.request.user.pk
            or preview.params.get("mode") != "preview"
            or not errors
        ):
            raise Http404  # the rows are what the uploader typed: theirs alone
        self.check_download(preview)
        try:
            with reading_upload(preview.params.get("upload", "")) as file:
                data, count = rejected_rows_xlsx(file, errors, self.header_aliases)
        except FileNotFoundError:
            messages.info(request, _("The uploaded file is gone; upload it again."))
            return HttpResponseRedirect(self.detail_url(preview))
        record_access(
            AccessKind.EXPORT,
            actor=self.request.user,
            area_path=preview.area_path,
            obj=preview,
            detail={"what": "import_rejected_rows", "rows": count},
        )
        stem = PurePath(str(preview.params.get("filename") or "import")).stem
        response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            True, f"{stem}-{_('rejected rows')}.xlsx"
        )
        add_never_cache_headers(response)  # what the user typed, ID numbers included
        return response


class ImportConfirmView(ImportViewMixin, LoggedInView):
    """POST: import the previewed file's valid rows, or import none and forget the file."""

    http_method_names = ["post"]
    #: Parameters the import's job gets besides the preview's.
    import_params: ClassVar[dict[str, Any]] = {}

    def check_decision(self, preview: Job) -> None:
        """Refuse (raise) a user who may no longer decide about this preview at all."""

    def check_import(self, preview: Job) -> None:
        """Refuse (raise) a user who may no longer import what this preview holds."""

    def job_area(self, preview: Job) -> str:
        raise NotImplementedError

    def cancelled_url(self, preview: Job) -> str:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        preview = self.get_job(pk)
        if preview.user_id != self.request.user.pk or preview.params.get("mode") != "preview":
            raise Http404  # only whoever uploaded the file decides about it
        self.check_decision(preview)
        try:
            if request.POST.get("action") != "import":
                do_cancel_import(preview, self.request.user)
                messages.info(request, _("Nothing was imported."))
                return HttpResponseRedirect(self.cancelled_url(preview))
            if is_open(preview):  # checked again, locked, by the service
                self.check_import(preview)
            imported = do_confirm_import(
                preview,
                self.request.user,
                area_path=self.job_area(preview),
                sync_rows=self.sync_rows,
                extra_params=self.import_params,
            )
        except ImportAlreadyHandled as exc:
            messages.info(request, str(exc))
            return HttpResponseRedirect(self.detail_url(preview))
        return HttpResponseRedirect(self.detail_url(imported))
