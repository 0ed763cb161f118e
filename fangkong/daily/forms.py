"""The daily report's forms: the notes of a submission, and a correction's reason."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.core.forms import ServiceForm
from fangkong.daily.choices import TemplateLevel
from fangkong.daily.services import NOTE_LENGTH
from fangkong.daily.xlsx import MAX_TEMPLATE_BYTES


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


class TemplateUploadForm(ServiceForm):
    """A superior's form with placeholders: checked whole by the service when stored."""

    name = forms.CharField(label=_("Name"), max_length=100)
    level = forms.ChoiceField(label=_("Filled from"), choices=TemplateLevel.choices)
    file = forms.FileField(
        label=_("Workbook with placeholders (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args: Any, levels: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if levels is not None:
            field = self.fields["level"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(v, label) for v, label in TemplateLevel.choices if v in levels]
            if len(levels) == 1:
                field.initial = levels[0]

    def service_data(self) -> dict[str, Any]:
        upload = self.cleaned_data["file"]
        # Read at most one byte past the limit: the service refuses what is too big.
        content = upload.read(MAX_TEMPLATE_BYTES + 1)
        return {
            "name": self.cleaned_data["name"],
            "level": self.cleaned_data["level"],
            "content": content,
            "file_name": str(getattr(upload, "name", "") or ""),
        }


class DeadlineForm(ServiceForm):
    due = forms.TimeField(
        label=_("Reports are late after (local time)"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
