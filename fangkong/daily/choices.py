from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportState(models.TextChoices):
    """Where an area's report of a day stands (shown on the roll-up and the home page)."""

    NOT_SUBMITTED = "not_submitted", _("Not submitted")
    LATE = "late", _("Late")
    SUBMITTED = "submitted", _("Submitted")
    CORRECTED = "corrected", _("Corrected")


#: The free fields of a report, in the order a page shows them.
NOTE_FIELDS = ("key_events", "problems", "requests")


class TemplateLevel(models.TextChoices):
    """Which reports a superior's form (a report template) is filled from."""

    COMMUNITY = "community", _("A community's daily report")
    STREET = "street", _("A street's summary (a row per community)")
