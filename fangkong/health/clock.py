"""The community's clock: its local time, its days and the report slots of a day.

A community's day runs midnight to midnight in its own zone (``Area.time_zone``), not the
server's; ``Area.local_today()`` is today there.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fangkong.areas.models import Area


def local_now(community: Area, now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()).astimezone(community.zone)


def day_start(day: dt.date, community: Area) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=community.zone)


def end_of_day(day: dt.date, community: Area) -> dt.datetime:
    """Midnight after ``day``: a quarantine's last day is a whole day."""
    return day_start(day + dt.timedelta(days=1), community)


def slot_of(local: dt.datetime, reports_per_day: int) -> int:
    """The part of the day (0-based) a local time falls in: with two reports a day, 00:00–
    11:59 is the morning report's and 12:00–23:59 the afternoon's."""
    return min(reports_per_day - 1, local.hour * reports_per_day // 24)


def slot_start(day: dt.date, slot: int, reports_per_day: int, community: Area) -> dt.datetime:
    return day_start(day, community) + dt.timedelta(hours=24 * slot / reports_per_day)
