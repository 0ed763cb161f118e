"""Background work of screening: starting a district-sized campaign."""

from __future__ import annotations

from typing import Any

from fangkong.core.jobs import JobContext, job_kind
from fangkong.screening.models import Campaign
from fangkong.screening.services import do_start_campaign


@job_kind("screening.start_campaign")
def start_campaign(context: JobContext) -> dict[str, Any]:
    """Assign every household of a campaign; the page shows progress until it is done."""
    campaign = Campaign.objects.get(pk=context.params["campaign"])
    context.set_total(1)
    count = do_start_campaign(campaign, by=context.job.user)
    context.log(f"{count} households assigned")
    return {"campaign": campaign.pk, "households": count}
