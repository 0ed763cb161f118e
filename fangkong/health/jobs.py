"""Background work of the health module: an import's preview and the import itself, as a job;
and the search of another community's registry for a contact handed over to it (a bare task:
nothing for anyone to watch, and the case's community must not learn how it went).

A job's parameters name a stored upload (``core.imports.uploads``, whose hourly purge clears
uploads left behind), the kind of rows, the community and the mode; ``core.imports.flow``'s
``run_upload_job`` opens it, and deletes it after the import, whatever happens. A file
refused as a whole completes the job with ``{"error", "code"}``: the refusal is an answer
for the worker, not a fault.
"""

from __future__ import annotations

from typing import IO, Any

from django.tasks import task
from django.utils.translation import gettext_lazy as _

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.imports.flow import run_upload_job
from fangkong.core.jobs import JobContext, job_kind
from fangkong.core.spreadsheets import SpreadsheetError
from fangkong.health.imports import run_import

IMPORT_KIND = "health.import"


@job_kind(IMPORT_KIND, _("Health import"))
def import_health_rows(context: JobContext) -> dict[str, Any]:
    params = context.params
    mode = params.get("mode", "import")
    community = Area.objects.get(pk=params["community"], level=AreaLevel.COMMUNITY)

    def work(file: IO[bytes]) -> dict[str, Any]:
        try:
            result = run_import(
                file,
                kind=params["kind"],
                community=community,
                user=context.job.user,
                preview=mode == "preview",
                on_open=context.set_total,
                progress=context.progress,
            )
        except SpreadsheetError as exc:
            return {"error": exc.message, "code": exc.code}
        context.log(
            f"{mode} {params['kind']}: {result.rows} rows, {result.applied} applied, "
            f"{result.pending} waiting, {result.created} created, "
            f"{result.rejected} rejected"
        )
        return result.as_dict()

    return run_upload_job(context, work)


@task()
def link_handover(contact_id: int) -> None:
    """Find or record a handed-over contact where they live, and give its officer the task."""
    from fangkong.health.services import do_link_handover

    do_link_handover(contact_id)
