"""Background work of outreach: speaking a broadcast script (espeak-ng takes a moment for a
long text, and the page must not wait on it), and the imports (preview and import)."""

from __future__ import annotations

from typing import IO, Any

from django.utils.translation import gettext_lazy as _

from fangkong.areas.models import Area
from fangkong.core.imports.flow import run_upload_job
from fangkong.core.jobs import JobContext, job_kind
from fangkong.core.spreadsheets import SpreadsheetError
from fangkong.outreach.imports import KINDS, run_import
from fangkong.outreach.models import BroadcastScript
from fangkong.outreach.services import AUDIO_JOB, make_audio


@job_kind(AUDIO_JOB, _("Broadcast audio"))
def broadcast_audio(context: JobContext) -> dict[str, Any]:
    """Make the WAV of one broadcast script; a failure is kept on the script too."""
    script = BroadcastScript.objects.get(pk=context.params["script"])
    context.set_total(1)
    size = make_audio(script)
    context.log(f"{size} bytes")
    return {"script": script.pk, "bytes": size}


IMPORT_KIND = "outreach.import"


@job_kind(IMPORT_KIND, _("Outreach import"))
def import_outreach_job(context: JobContext) -> dict[str, Any]:
    """Preview or import a file of announcements, guidance or notification scripts."""
    mode = context.params.get("mode", "import")
    user = context.job.user
    if user is None or not user.is_active:
        return {"error": str(_("The importer's account is no longer active.")), "code": "user"}
    kind = KINDS[context.params["kind"]]
    area = Area.objects.get(pk=context.params["area"])

    def work(file: IO[bytes]) -> dict[str, Any]:
        try:
            result = run_import(file, kind, area, user, dry_run=mode == "preview")
        except SpreadsheetError as exc:
            return {"error": exc.message, "code": exc.code}
        context.log(f"{mode}: {result.rows} rows, {result.created} new, {result.rejected} refused")
        return result.as_dict()

    return run_upload_job(context, work)
