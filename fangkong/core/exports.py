"""Exports as jobs: a large export is written by a worker, then downloaded once from its job page.

An app declares each export it offers as an ``Exporter`` (``register(Exporter(...))`` in its
``exports.py``, which core loads at start-up like ``jobs``): the model whose ``export`` right
it needs, how many rows it would write for a user and parameters, and how it writes them. The
parameters are plain JSON (the filters of the list, the format, the encoding), kept in the
``Job`` row, so the page and the worker run the same code:

* ``start_export(request, name, params)`` checks the right (403 before anything is created),
  counts the rows, and either writes a small export within the request (``INLINE_ROWS`` rows
  or fewer: the file comes back at once, as before) or creates a ``core.export`` job and sends
  the user to its page, which shows the progress;
* the job (``run_export``) loads the user again and asks again: the right, and the rows
  through ``restrict()`` — a user who lost the right or the area since asking gets nothing.
  It writes to ``<name>.part`` under ``VAR_DIR/exports/`` and renames the file only when the
  whole export is written: a job that fails leaves no file;
* ``take_export_file(job, user)`` hands the file to the user who asked, once: the job row is
  locked, marked downloaded, and the file is unlinked as soon as it is open (the open handle
  still reads it), so a second download finds nothing and says so;
* ``purge_expired_exports`` (tick, hourly) deletes files nobody downloaded within
  ``FILE_LIFETIME``, and any ``.part`` a crashed worker left.

The export is logged as every export is: the app's writer records the access event (what,
how many rows, which filters, masked or not) when the file is written, in the request or in
the job. The file holds personal data: it is never served by the web server, never cached
(``never_cache`` headers), and only its owner may download it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO, overload

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseRedirect,
    QueryDict,
)
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.choices import JobStatus
from fangkong.core.jobs import JobContext, enqueue_job, job_kind
from fangkong.core.models import Job
from fangkong.core.periodic import every
from fangkong.core.requests import AuthenticatedRequest

if TYPE_CHECKING:
    from fangkong.accounts.models import User

EXPORT_KIND = "core.export"
#: Exports of more rows than this run on a worker; smaller ones are written in the request
#: (the writers cost ~0.1 ms a row: 5,000 rows stay well under a second).
INLINE_ROWS = 5000
#: How long a written file waits for its one download.
FILE_LIFETIME = dt.timedelta(hours=24)
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    # Printed cards: one PDF, or a zip of PDFs when there are too many for one.
    "pdf": "application/pdf",
    "zip": "application/zip",
}

#: ``write(user, params, target, progress)`` writes the rows and records the access event;
#: returns the rows written.
Writer = Callable[[Any, dict[str, Any], BinaryIO, Callable[[int], None] | None], int]


@dataclass(frozen=True)
class Exporter:
    """One export an app offers: the right it needs, how many rows, how they are written."""

    #: Stable name kept in job rows: ``<app label>.<what>``.
    name: str
    #: The model whose ``export`` right the user needs, when asking and when the job runs.
    model: type[models.Model]
    #: What the job page calls it (lazy text).
    label: Any
    #: Rows the export would write for ``(user, params)``, through ``restrict()``.
    count: Callable[[Any, dict[str, Any]], int]
    write: Writer
    #: The file's name without the extension, for ``params``.
    filename: Callable[[dict[str, Any]], str]
    #: Further checks (full numbers need the reveal right); raise ``PermissionDenied``.
    check: Callable[[Any, dict[str, Any]], None] | None = None
    #: The right on ``model`` it needs: ``export`` for lists, ``print`` for pass cards.
    action: str = "export"
    #: Up to this many rows it is written within the request (None: ``INLINE_ROWS``); a
    #: PDF costs far more a row than a sheet.
    inline_rows: int | None = None


EXPORTERS: dict[str, Exporter] = {}


def register(exporter: Exporter) -> Exporter:
    EXPORTERS[exporter.name] = exporter
    return exporter


class ExportRefused(PermissionDenied):
    """The user may not (or may no longer) export these rows. ``job_code`` makes the job page
    show the message, which is the user's to read (no personal data)."""

    job_code = "export_refused"


class ExportGone(Exception):
    """The file was downloaded already, expired, or was never written."""


def check_export(exporter: Exporter, user: User | None, params: dict[str, Any]) -> None:
    """Refuse unless ``user`` may run this export now (asked again when the job runs)."""
    if (
        user is None
        or not getattr(user, "is_active", False)
        or not user.has_action(exporter.model, exporter.action)
    ):
        raise ExportRefused(_("You do not have the right to export these records."))
    if exporter.check is not None:
        try:
            exporter.check(user, params)
        except PermissionDenied as exc:
            raise ExportRefused(
                _("You do not have the right to export these records as asked.")
            ) from exc


def filter_data(filters: Any) -> QueryDict:
    """A list's filters as its page had them, from the JSON a job keeps (key → values)."""
    data = QueryDict(mutable=True)
    for key, values in dict(filters or {}).items():
        data.setlist(str(key), [str(v) for v in (values if isinstance(values, list) else [values])])
    return data


def filter_params(data: QueryDict) -> dict[str, list[str]]:
    """A page's filters as JSON for the job (every value of every key)."""
    return {key: list(values) for key, values in data.lists()}


def job_area(user: User) -> str:
    """Where the job is filed: the user's own area, so that its page is theirs and their
    area's (a colleague sees the job; only its owner takes the file)."""
    return user.area.path if user.area is not None else "/"


def file_name(exporter: Exporter, params: dict[str, Any]) -> str:
    return f"{exporter.filename(params)}.{params.get('format', 'xlsx')}"


def start_export(request: AuthenticatedRequest, name: str, params: dict[str, Any]) -> HttpResponse:
    """The file at once for a small export; a job and its page for a large one.

    ``params`` must be JSON (it is kept in the job row) and hold ``format`` (``xlsx`` or
    ``csv``). The right is checked first: a user without it gets 403 and no job.
    """
    exporter = EXPORTERS[name]
    user = request.user
    check_export(exporter, user, params)
    if params.get("format") not in CONTENT_TYPES:
        raise ValueError(params.get("format"))
    rows = exporter.count(user, params)
    if rows <= (INLINE_ROWS if exporter.inline_rows is None else exporter.inline_rows):
        out = io.BytesIO()
        exporter.write(user, params, out, None)
        return download_response(out.getvalue(), file_name(exporter, params), params["format"])
    job = enqueue_job(
        EXPORT_KIND,
        user=user,
        area_path=job_area(user),
        params={**params, "exporter": name, "rows": rows},
    )
    return HttpResponseRedirect(reverse("core:job_detail", args=[job.pk]))


@overload
def download_response(data: bytes, filename: str, fmt: str) -> HttpResponse: ...
@overload
def download_response(data: IO[bytes], filename: str, fmt: str) -> FileResponse: ...
def download_response(
    data: bytes | IO[bytes], filename: str, fmt: str
) -> HttpResponse | FileResponse:
    """A file as an attachment that no browser or proxy keeps (it holds personal data)."""
    response: HttpResponse | FileResponse
    if isinstance(data, bytes):
        response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    else:
        response = FileResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, filename)
    add_never_cache_headers(response)
    return response


# --- Files ----------------------------------------------------------------------------------


def export_dir() -> Path:
    return Path(settings.VAR_DIR) / "exports"


def export_path(token: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{32}", token or ""):
        raise ValueError("not an export token")  # never a path from a row or a request
    return export_dir() / token


def file_ready(job: Job) -> bool:
    """Whether the job's file waits for its download."""
    result = job.result or {}
    if job.kind != EXPORT_KIND or job.status != JobStatus.COMPLETED:
        return False
    if result.get("downloaded") or result.get("expired"):
        return False
    try:
        return export_path(result.get("file", "")).is_file()
    except ValueError:
        return False


# --- The job --------------------------------------------------------------------------------


@job_kind(EXPORT_KIND, gettext_lazy("Export"))
def run_export(context: JobContext) -> dict[str, Any]:
    """Write the export to a file under ``VAR_DIR/exports``, asking for the rights again."""
    try:
        return _run_export(context)
    finally:
        _forget_search(context.job)


def _run_export(context: JobContext) -> dict[str, Any]:
    params = context.params
    exporter = EXPORTERS.get(params.get("exporter", ""))
    if exporter is None:
        raise ValueError(f"unknown export {params.get('exporter')!r}")
    user = context.job.user
    check_export(exporter, user, params)
    context.set_total(int(params.get("rows") or 0))
    directory = export_dir()
    directory.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex
    part = directory / f"{token}.part"

    def progress(done: int) -> None:
        # The count was taken when the user asked; rows may have come since.
        if done > context.job.total:
            context.job.total = done
            context.job.save(update_fields=["total"])
        context.progress(done)

    try:
        with part.open("wb") as out:
            written = exporter.write(user, params, out, progress)
        size = part.stat().st_size
        part.rename(export_path(token))
    except BaseException as exc:
        part.unlink(missing_ok=True)  # a failed export leaves no file
        if isinstance(exc, Http404):
            # The building, grid or campaign asked for is no longer within the user's area.
            raise ExportRefused(
                _("What you asked to export is no longer within your area; nothing was written.")
            ) from exc
        raise
    context.set_total(written)
    context.log(f"{written} rows written")
    return {
        "file": token,
        "rows": written,
        "format": params.get("format"),
        "filename": file_name(exporter, params),
        "size": size,
    }


def _forget_search(job: Job) -> None:
    """A searched name is personal data: kept only while the export needs it."""
    filters = job.params.get("filters")
    if isinstance(filters, dict) and filters.get("q"):
        filters["q"] = ["…"]
        job.save(update_fields=["params"])


# --- The download ---------------------------------------------------------------------------


def take_export_file(job: Job, user: User) -> tuple[IO[bytes], str, str]:
    """The file of ``job`` for ``user``, once: ``(open file, file name, format)``.

    Raises ``Http404``-worthy ``LookupError`` for someone else's job, ``ExportRefused`` when
    the user lost the right, ``ExportGone`` when the file was taken, expired or never made.
    """
    if job.kind != EXPORT_KIND or job.user_id is None or job.user_id != user.pk:
        raise LookupError("not this user's export")
    exporter = EXPORTERS.get(job.params.get("exporter", ""))
    if exporter is None:
        raise ExportGone
    check_export(exporter, user, job.params)
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        result = dict(locked.result or {})
        if not file_ready(locked):
            raise ExportGone
        path = export_path(result["file"])
        handle = path.open("rb")
        # Unlinked at once: the open handle still reads it, nothing else ever will.
        path.unlink()
        result["downloaded"] = timezone.now().isoformat()
        locked.result = result
        locked.save(update_fields=["result"])
    return handle, result.get("filename") or path.name, result.get("format") or "xlsx"


def describe(job: Job, user: User) -> dict[str, Any]:
    """What the job page shows about an export."""
    result = job.result or {}
    exporter = EXPORTERS.get(job.params.get("exporter", ""))
    return {
        "label": exporter.label if exporter is not None else job.kind,
        "rows": result.get("rows", job.params.get("rows")),
        "format": job.params.get("format", ""),
        "mine": job.user_id == getattr(user, "pk", None),
        "ready": file_ready(job),
        "downloaded": bool(result.get("downloaded")),
        "expired": bool(result.get("expired")),
        "lifetime_hours": int(FILE_LIFETIME.total_seconds() // 3600),
    }


# --- Retention ------------------------------------------------------------------------------


@every(minutes=60)
def purge_expired_exports(now: dt.datetime) -> None:
    """Delete files nobody downloaded within ``FILE_LIFETIME``, and any a crashed worker
    left half-written; the job page then says the file expired."""
    cutoff = now - FILE_LIFETIME
    stale = Job.objects.filter(
        kind=EXPORT_KIND, status=JobStatus.COMPLETED, finished__lt=cutoff
    ).order_by()
    for job in stale.iterator(chunk_size=500):
        result = dict(job.result or {})
        if result.get("downloaded") or result.get("expired"):
            continue
        with contextlib.suppress(ValueError):
            export_path(result.get("file", "")).unlink(missing_ok=True)
        result["expired"] = now.isoformat()
        job.result = result
        job.save(update_fields=["result"])
    directory = export_dir()
    if not directory.is_dir():
        return
    for path in directory.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff.timestamp():
            path.unlink(missing_ok=True)
