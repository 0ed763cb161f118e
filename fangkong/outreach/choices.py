from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class AudioStatus(models.TextChoices):
    """Where a broadcast script's audio stands."""

    NONE = "none", _("Not made")
    PENDING = "pending", _("Being made")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class ScriptStatus(models.TextChoices):
    """How far a notification script has travelled up the tree."""

    OWN = "own", _("Used by its own area")
    PROPOSED = "proposed", _("Proposed to the street")
    RECOMMENDED = "recommended", _("Recommended by the street")


StrOrPromise = str | Promise

#: The fields a notification script may hold, each filled from the household called.
SCRIPT_FIELDS: dict[str, StrOrPromise] = {
    "姓名": _("the head of household's surname"),
    "楼栋": _("the building"),
    "房号": _("the room"),
    "社区": _("the community"),
    "日期": _("today's date"),
    "电话": _("the community office's phone"),
}
