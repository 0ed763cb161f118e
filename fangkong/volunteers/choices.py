"""Stable codes of the volunteers app: who a volunteer is, what they can do, answers."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _


class VolunteerGroup(models.TextChoices):
    """Who a volunteer is. Veterans and their families come first in every list (the story:
    the district's veterans were the reserve of helpers)."""

    VETERAN = "veteran", _("Veteran")
    VETERAN_FAMILY = "veteran_family", _("Veteran's family")
    PARTY_MEMBER = "party_member", _("Party member")
    RESIDENT = "resident", _("Resident")
    OTHER = "other", _("Other")


class Skill(models.TextChoices):
    MEDICAL = "medical", _("Medical")
    DRIVING = "driving", _("Driving")
    PSYCHOLOGY = "psychology", _("Psychological support")
    LANGUAGES = "languages", _("Languages")
    HEAVY_WORK = "heavy_work", _("Heavy work")
    GATE_DUTY = "gate_duty", _("Gate duty")


class Health(models.TextChoices):
    FIT = "fit", _("Fit for duty")
    NOT_FIT = "not_fit", _("Not fit for duty")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    FILLED = "filled", _("Filled")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class Answer(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")


class Weekday(models.TextChoices):
    """ISO weekdays (Monday 1 … Sunday 7), stored as digits in ``Volunteer.weekdays``."""

    MONDAY = "1", _("Monday")
    TUESDAY = "2", _("Tuesday")
    WEDNESDAY = "3", _("Wednesday")
    THURSDAY = "4", _("Thursday")
    FRIDAY = "5", _("Friday")
    SATURDAY = "6", _("Saturday")
    SUNDAY = "7", _("Sunday")


ALL_WEEKDAYS = "1234567"


def group_rank(groups: Iterable[str]) -> int:
    """Sort rank of a volunteer: veterans 0, veterans' families 1, everyone else 2."""
    codes = set(groups)
    if VolunteerGroup.VETERAN in codes:
        return 0
    if VolunteerGroup.VETERAN_FAMILY in codes:
        return 1
    return 2


def pack_codes(codes: Iterable[str]) -> str:
    """Codes between bars (``|medical|driving|``): filterable with one LIKE on any
    database, as ``registry.Person.tags`` are."""
    unique = sorted({c for c in codes if c})
    return f"|{'|'.join(unique)}|" if unique else ""


def unpack_codes(text: str) -> list[str]:
    return [c for c in (text or "").split("|") if c]


def labels_of(text: str, choices: type[models.TextChoices]) -> str:
    names = dict(choices.choices)
    return "、".join(str(names.get(c, c)) for c in unpack_codes(text))
