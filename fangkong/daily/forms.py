"""The daily report's forms: the notes of a submission, and a correction's reason."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.core.forms import ServiceForm
from fangkong.daily.services import NOTE_LENGTH


def _note(label: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=NOTE_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReportForm(ServiceForm):
    """The free fields of a report; the figures come from the stored figures, not the form."""

    instance_fields = ("key_events", "problems", "requests")

    key_events = _note(_("Key events of the day"))
    problems = _note(_("Problems"))
    requests = _note(_("Requests to the level above"))


class CorrectionForm(ReportForm):
    reason = forms.CharField(label=_("Reason for the correction"), max_length=200)
    not_for_service = ("version", "reason")
