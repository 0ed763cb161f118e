"""Background work of the registry: the resident import (preview and import) as a job.

A job's parameters name a stored upload (``MEDIA_ROOT/imports/<token>``), the community and
the mode. The preview keeps the upload for the import that may follow; the import deletes
it, whatever happens. A file refused as a whole completes the job with ``{"error", "code"}``
rather than failing it: the refusal is an answer for the worker, not a fault.

The result holds counts and rejected rows with masked values only: no ID number or phone
ever reaches ``Job.result`` or ``Job.log`` in plaintext.

Progress: rows are checked and written in one pass inside the import's transaction, where
the job row's progress cannot be seen until it commits (SQLite has one writer; PostgreSQL
shows other sessions the row as it was). So the handler also writes the progress to a small
file beside the upload, which the import page reads while the job runs.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.jobs import JobContext, job_kind
from fangkong.core.periodic import every
from fangkong.core.spreadsheets import SpreadsheetError
from fangkong.registry.imports import (
    ImportConflict,
    delete_progress,
    delete_upload,
    preview,
    run_import,
    upload_dir,
    upload_path,
    write_progress,
)

IMPORT_KIND = "registry.import_residents"
#: Uploads never confirmed or cancelled are deleted after this long.
UPLOAD_LIFETIME = dt.timedelta(hours=24)


@job_kind(IMPORT_KIND)
def import_residents_job(context: JobContext) -> dict[str, Any]:
    params = context.params
    token = params["upload"]
    mode = params.get("mode", "import")
    community = Area.objects.get(pk=params["community"], level=AreaLevel.COMMUNITY)
    user = context.job.user
    try:
        try:
            path = upload_path(token)
        except ValueError:
            path = None
        if path is None or not path.exists():
            return {"error": _("The uploaded file is gone; upload it again."),
                    "code": "upload_gone"}
        total = [1]
        last = [0.0]

        def opened(count: int) -> None:
            total[0] = count
            context.set_total(count)

        def handled(done: int) -> None:
            # At most twice a second: progress is for people watching a page.
            if time.monotonic() - last[0] >= 0.5 or done >= total[0]:
                last[0] = time.monotonic()
                context.progress(min(done, total[0]))
                write_progress(token, min(done, total[0]), total[0])

        started = time.monotonic()
        try:
            if mode == "preview":
                result = preview(path, community, user, progress=handled, on_open=opened)
            else:
                result = run_import(path, community, user, bool(params.get("all_or_nothing")),
                                    progress=handled, on_open=opened)
        except SpreadsheetError as exc:
            return {"error": exc.message, "code": exc.code}
        except ImportConflict as exc:
            return {"error": str(exc), "code": "conflict"}
        context.log(
            f"{mode}: {result.rows} rows, {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged, {result.rejected} rejected "
            f"in {time.monotonic() - started:.1f} s"
        )
        return result.as_dict()
    finally:
        delete_progress(token)
        if mode != "preview":
            delete_upload(token)


@every(minutes=60)
def purge_stale_uploads(now: dt.datetime) -> None:
    """Delete uploads left by previews nobody confirmed or cancelled."""
    directory = upload_dir()
    if not directory.is_dir():
        return
    cutoff = (now or timezone.now()).timestamp() - UPLOAD_LIFETIME.total_seconds()
    for path in directory.iterdir():
        if path.is_file() and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
