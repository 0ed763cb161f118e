"""Time arithmetic of duty rosters: community time zones, weeks, and hours per week.

Times are stored in UTC and shown in the community's time zone (``Area.time_zone``). A week
is Monday 00:00 to the next Monday 00:00 *in the community's zone*, so a shift from Sunday
22:00 to Monday 06:00 counts two hours in one week and six in the next. Durations are
subtracted as aware datetimes, i.e. in real elapsed time: a night shift across a
daylight-saving change lasts what it lasted, not what the wall clock says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings

from fangkong.core.dates import parse_query_date, today_in, zone


def zone_of(community: object) -> ZoneInfo:
    """The time zone of a community (any object with ``time_zone``)."""
    return zone(getattr(community, "time_zone", "") or settings.TIME_ZONE)


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def local_midnight(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    """00:00 of ``day`` in ``tz``, as an aware datetime."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=tz)


def day_bounds(day: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """Start and end of one local day (aware; the end is the next day's midnight)."""
    return local_midnight(day, tz), local_midnight(day + dt.timedelta(days=1), tz)


def week_bounds(monday: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    """Start and end of the local week beginning on ``monday`` (aware datetimes)."""
    return local_midnight(monday, tz), local_midnight(monday + dt.timedelta(days=7), tz)


def overlap(
    start: dt.datetime, end: dt.datetime, window_start: dt.datetime, window_end: dt.datetime
) -> dt.timedelta:
    """How much of [start, end) lies inside [window_start, window_end)."""
    later_start = max(start, window_start)
    earlier_end = min(end, window_end)
    return max(earlier_end - later_start, dt.timedelta(0))


def hours(duration: dt.timedelta) -> Decimal:
    """A duration in hours with two decimals (what pages and exports show)."""
    value = Decimal(duration.total_seconds()) / Decimal(3600)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def hours_in_window(
    intervals: Iterable[tuple[dt.datetime, dt.datetime]],
    window_start: dt.datetime,
    window_end: dt.datetime,
) -> dt.timedelta:
    """Total time of ``intervals`` falling inside the window (each interval clipped)."""
    total = dt.timedelta(0)
    for start, end in intervals:
        total += overlap(start, end, window_start, window_end)
    return total


def parse_week(value: str | None, tz: ZoneInfo) -> dt.date:
    """The Monday of the week a ``?week=`` names (any day of it, ``YYYY-MM-DD``, or an ISO
    week, ``2024-W10``); this week if absent. Raises ValidationError (see core.dates) when it
    is unreadable or out of range."""
    return monday_of(parse_day(value, tz))


def parse_day(value: str | None, tz: ZoneInfo) -> dt.date:
    """The day a ``?date=`` names; today if absent. Raises ValidationError like parse_week."""
    return parse_query_date(value) or today_in(tz)
