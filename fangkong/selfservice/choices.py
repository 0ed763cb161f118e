"""Stable codes of the self-service module."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CorrectionKind(models.TextChoices):
    PHONE = "phone", _("New phone number")
    MOVED_OUT = "moved_out", _("A member moved out")
    NEWBORN = "newborn", _("A newborn")
    MOVED = "moved", _("A member moved to another room here")


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the grid worker")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class ActivityKind(models.TextChoices):
    OPENED = "opened", _("Opened the link")
    REPORT = "report", _("Health report")
    REPORT_REFUSED = "report_refused", _("Health report refused")
    CORRECTION = "correction", _("Proposed a correction")
    QUESTION = "question", _("Asked a question")
    QUESTION_REFUSED = "question_refused", _("Question refused")
    CODE_SENT = "code_sent", _("Sign-in code sent")
    CODE_WRONG = "code_wrong", _("Wrong sign-in code")
    CODE_LOCKED = "code_locked", _("Locked after wrong codes")
    CODE_OK = "code_ok", _("Signed in with a code")
