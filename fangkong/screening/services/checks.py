"""Checks every screening service makes, and what a user may see of campaigns.

The scope and right check itself is ``fangkong.core.querysets.require``. ``by=None`` is
system work (the demo, management commands) and skips the actor checks.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.exceptions import ConflictError, PermissionDeniedError

# --- Checks shared by every service ---------------------------------------------------------


def is_office(user: Any) -> bool:
    """Whether the user works for an office (a community or above), not a single grid.

    Campaigns and questionnaires are run by the office: the grid worker's role may add and
    change screening rows (their calls), but not plan the work of the whole community.
    """
    if user is None or getattr(user, "is_superuser", False):
        return True
    area = user.area if getattr(user, "area_id", None) else None
    return area is not None and area.level != AreaLevel.GRID


def require_office(user: Any) -> None:
    if not is_office(user):
        raise PermissionDeniedError(
            _("Campaigns and questionnaires are run by the community office.")
        )


def check_version(obj: Any, expected: int | None, message: str | None = None) -> None:
    if expected is not None and obj.version != expected:
        raise ConflictError(
            message or _("Someone else changed this record while you were editing it. Your "
                         "input is shown again below; check the current values and save "
                         "again."),
            current_version=obj.version,
        )


def locked(model: type, pk: int, *related: str) -> Any:
    """The row, locked for this transaction: ``SELECT … FOR UPDATE OF`` the row alone on
    PostgreSQL (joined rows may be NULL); SQLite's IMMEDIATE transaction already holds the
    write lock."""
    return model.objects.select_for_update(of=("self",)).select_related(*related).get(pk=pk)


def actor_or_none(by: Any) -> User | None:
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def local_today(area: Area, now: dt.datetime | None = None) -> dt.date:
    """Today in the area's time zone (a community's, or a district's for its campaigns)."""
    return timezone.localtime(now or timezone.now(), ZoneInfo(area.time_zone)).date()
