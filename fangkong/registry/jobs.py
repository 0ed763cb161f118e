"""Background work of the registry: the resident import (preview and import) as a job.

A job's parameters name a stored upload (``core.imports.uploads``), the community and the
mode; ``core.imports.flow.run_upload_job`` opens the upload and, after an import, deletes
it. A file refused as a whole completes the job with ``{"error", "code"}`` rather than
failing it: the refusal is an answer for the worker, not a fault.

The result holds counts and rejected rows with masked values only: no ID number or phone
ever reaches ``Job.result`` or ``Job.log`` in plaintext.

Progress: rows are checked and written in one pass inside the import's transaction, where
the job row's progress cannot be seen until it commits (SQLite has one writer; PostgreSQL
shows other sessions the row as it was). So the handler also writes the progress beside the
upload (``write_progress``), which the import page reads while the job runs.
"""

from __future__ import annotations

import time
from typing import IO, Any

from django.utils.translation import gettext_lazy as _

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.imports.flow import run_upload_job
from fangkong.core.imports.uploads import write_progress
from fangkong.core.jobs import JobContext, job_kind
from fangkong.core.spreadsheets import SpreadsheetError
from fangkong.registry.imports import ImportConflict, preview, run_import

IMPORT_KIND = "registry.import_residents"


@job_kind(IMPORT_KIND, _("Resident import"))
def import_residents_job(context: JobContext) -> dict[str, Any]:
    params = context.params
    token = params["upload"]
    mode = params.get("mode", "import")
    community = Area.objects.get(pk=params["community"], level=AreaLevel.COMMUNITY)
    user = context.job.user
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

    def work(file: IO[bytes]) -> dict[str, Any]:
        started = time.monotonic()
        try:
            if mode == "preview":
                result = preview(file, community, user, progress=handled, on_open=opened)
            else:
                result = run_import(
                    file,
                    community,
                    user,
                    bool(params.get("all_or_nothing")),
                    progress=handled,
                    on_open=opened,
                )
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

    return run_upload_job(context, work)
