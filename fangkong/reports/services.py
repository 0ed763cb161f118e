"""State changes of the reports app: every one a ``do_*`` function (views and the API call
these, never the storage functions directly)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.dates import check_date_range
from fangkong.core.querysets import require
from fangkong.reports import daily
from fangkong.reports.models import CommunityFigure

if TYPE_CHECKING:
    from fangkong.accounts.models import User


def do_store_daily_figures(community: Area, day: dt.date, *, by: User | None) -> int:
    """Count a day's figures of one community again from its rows and store them (the
    officer's "count again" button: gate scans uploaded late, a record corrected). A day
    not begun yet in the community is refused; nothing is half-stored (one transaction).
    The figures are counts of the community's own rows, no person in them: no change-log
    row, as the nightly job writes none."""
    if community.level != AreaLevel.COMMUNITY:
        raise ValidationError(_("Daily figures are kept per community: choose a community."))
    require(
        by,
        CommunityFigure,
        "change",
        community,
        reason=_("Only the community office counts a day's figures again."),
    )
    check_date_range(day)
    if day > community.local_today():
        raise ValidationError(
            {"day": [_("%(day)s has not begun yet: nothing to count.") % {"day": day}]}
        )
    return daily.store_day([community.pk], day)
