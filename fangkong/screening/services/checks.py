"""Checks every screening service makes, and what a user may see of campaigns.

The scope and right check itself is ``fangkong.core.querysets.require``. ``by=None`` is
system work (the demo, management commands) and skips the actor checks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from fangkong.areas.choices import AreaLevel
from fangkong.core.exceptions import PermissionDeniedError

if TYPE_CHECKING:
    from fangkong.accounts.models import User

# --- Checks shared by every service ---------------------------------------------------------


def is_office(user: User | None) -> bool:
    """Whether the user works for an office (a community or above), not a single grid.

    Campaigns and questionnaires are run by the office: the grid worker's role may add and
    change screening rows (their calls), but not plan the work of the whole community.
    """
    if user is None or getattr(user, "is_superuser", False):
        return True
    area = user.area if getattr(user, "area_id", None) else None
    return area is not None and area.level != AreaLevel.GRID


def require_office(user: User | None) -> None:
    if not is_office(user):
        raise PermissionDeniedError(
            "change", _("Campaigns and questionnaires are run by the community office.")
        )
