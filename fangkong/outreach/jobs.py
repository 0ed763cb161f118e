"""Background work of outreach: speaking a broadcast script (espeak-ng takes a moment for a
long text, and the page must not wait on it)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from fangkong.core.jobs import JobContext, job_kind
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
