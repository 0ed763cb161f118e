"""Stable codes of residents' inquiries (咨询) and the FAQ."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Channel(models.TextChoices):
    PHONE = "phone", _("By phone")
    IN_PERSON = "in_person", _("In person")
    GATE = "gate", _("At the gate")
    SELF_SERVICE = "self_service", _("Self-service page")


class Category(models.TextChoices):
    EPIDEMIC = "epidemic", _("Epidemic facts")
    PASSES = "passes", _("Passes and going out")
    SUPPLIES = "supplies", _("Supplies")
    MEDICAL = "medical", _("Medical care")
    RUMOURS = "rumours", _("Rumours")
    COMPLAINTS = "complaints", _("Complaints")
    PSYCHOLOGICAL = "psychological", _("Worries and stress")
    OTHER = "other", _("Other")


class InquiryStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", pgettext_lazy("inquiry", "Answered")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", pgettext_lazy("inquiry", "Closed")


#: Statuses of an inquiry someone still has to deal with.
PENDING_STATUSES = (InquiryStatus.OPEN, InquiryStatus.FOLLOW_UP)
