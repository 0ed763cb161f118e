"""Background work of volunteers: the veterans' list import (preview and import) as a job."""

from __future__ import annotations

from typing import IO, Any

from django.utils.translation import gettext_lazy as _

from fangkong.areas.models import Area
from fangkong.core.imports.flow import run_upload_job
from fangkong.core.jobs import JobContext, job_kind
from fangkong.core.spreadsheets import SpreadsheetError
from fangkong.volunteers.imports import run_import

IMPORT_KIND = "volunteers.import"


@job_kind(IMPORT_KIND, _("Volunteers import"))
def import_volunteers_job(context: JobContext) -> dict[str, Any]:
    mode = context.params.get("mode", "import")
    user = context.job.user
    if user is None or not user.is_active:
        return {"error": str(_("The importer's account is no longer active.")), "code": "user"}
    community = Area.objects.get(pk=context.params["community"])

    def work(file: IO[bytes]) -> dict[str, Any]:
        try:
            result = run_import(file, community, user, dry_run=mode == "preview")
        except SpreadsheetError as exc:
            return {"error": exc.message, "code": exc.code}
        context.log(f"{mode}: {result.rows} rows, {result.created} new, {result.rejected} refused")
        return result.as_dict()

    return run_upload_job(context, work)
