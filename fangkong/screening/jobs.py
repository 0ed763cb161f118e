"""Background work of screening: starting a district-sized campaign; the steps (check,
import) of an import of answers from paper (``core.imports.flow``, run within the request)."""

from __future__ import annotations

from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from fangkong.core.imports.flow import run_upload_job
from fangkong.core.jobs import JobContext, job_kind
from fangkong.core.spreadsheets import SpreadsheetError
from fangkong.screening import imports
from fangkong.screening.models import Campaign
from fangkong.screening.services import do_start_campaign

IMPORT_KIND = "screening.import"


@job_kind("screening.start_campaign", _("Start a screening campaign"))
def start_campaign(context: JobContext) -> dict[str, Any]:
    """Assign every household of a campaign; the page shows progress until it is done."""
    campaign = Campaign.objects.get(pk=context.params["campaign"])
    context.set_total(1)
    count = do_start_campaign(campaign, by=context.job.user)
    context.log(f"{count} households assigned")
    return {"campaign": campaign.pk, "households": count}


@job_kind(IMPORT_KIND, _("Screening register import"))
def import_answers(context: JobContext) -> dict[str, Any]:
    """Check a file of answers (the preview) or import its valid rows; a file or campaign
    that refuses them completes the job with the reasons."""
    params = context.params
    campaign = Campaign.objects.get(pk=params["campaign"])
    by = context.job.user

    def work(file: IO[bytes]) -> dict[str, Any]:
        try:
            report, plans = imports.check_file(campaign, file, by=by)
            if params.get("mode") != "preview":
                report = imports.import_rows(campaign, plans, report, by=by)
        except SpreadsheetError as exc:
            return {"error": exc.message, "code": exc.code, "reasons": [exc.message]}
        except ValidationError as exc:
            return {"error": exc.messages[0], "code": "refused", "reasons": exc.messages}
        return report.as_dict()

    return run_upload_job(context, work)
