"""Stable codes of the access module: pass states, scan decisions and reasons, visitors."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PassScope(models.TextChoices):
    HOUSEHOLD = "household", _("One pass per household")
    PERSON = "person", _("One pass per named member")


class PassStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended")
    VOID = "void", _("Void")
    REPLACED = "replaced", _("Replaced")


class Direction(models.TextChoices):
    OUT = "out", _("Exit")
    IN = "in", _("Entry")


class Decision(models.TextChoices):
    ALLOW = "allow", _("Allowed")
    DENY = "deny", _("Refused")


class ReasonCode(models.TextChoices):
    """Why a gate decided as it did. Neutral words only: never a health status (DESIGN.md)."""

    OK = "ok", _("Valid")
    QUOTA_USED = "quota_used", _("Outings of this period used")
    SUSPENDED = "suspended", _("Suspended")
    VOID = "void", _("Void pass")
    REPLACED = "replaced", _("Replaced pass")
    OVERDUE = "overdue", _("Overdue return")
    FEVER = "fever", _("Temperature above the threshold")
    GATE_CLOSED = "gate_closed", _("Gate closed")
    UNKNOWN_PASS = "unknown_pass", _("Unknown pass")


class ExemptionKind(models.TextChoices):
    COMMUTER = "commuter", _("Commuter (employer's letter)")
    MEDICAL = "medical", _("Medical care")
    ESSENTIAL = "essential", _("Essential worker")
    OTHER = "other", _("Other")


class SuspensionSource(models.TextChoices):
    """Who suspended a household's passes. Services accept any short code; these are known."""

    OFFICE = "office", _("Community office")
    HEALTH = "health", _("Health module")


class VisitorStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for the household")
    CONFIRMED = "confirmed", _("Confirmed by the household")
    REFUSED = "refused", _("Refused")
    LEFT = "left", _("Left")


class FlagReason(models.TextChoices):
    """Why a gate event waits for the office's review."""

    OFFLINE_RULE = "offline_rule", _("Allowed offline against a rule the gate could not know")
    ENTRY_WITHOUT_EXIT = "entry_without_exit", _("Entry without a recorded exit")
    EXIT_WITHOUT_ENTRY = "exit_without_entry", _("Exit while already out")
    OVERDUE = "overdue", _("Returned after the maximum time out")
