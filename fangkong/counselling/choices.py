"""Stable codes of counselling cases (心理疏导)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low risk")
    MEDIUM = "medium", _("Medium risk")
    HIGH = "high", _("High risk")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Under way")
    REFERRED = "referred", _("Referred to a professional")
    CLOSED = "closed", _("Closed")


class SessionMode(models.TextChoices):
    PHONE = "phone", _("By phone")
    IN_PERSON = "in_person", _("In person")
    HOME_VISIT = "home_visit", _("Home visit")
