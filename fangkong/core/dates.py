"""Dates typed into a URL (``?week=``, ``?date=``, a list's ``?after=``): one parser, with
bounds.

Python reads ``0001-W01`` or ``9999-12-31`` without complaint; one step of arithmetic later
(the week before, local midnight converted to UTC) the year leaves 1–9999 and the page was a
500. Every date a user can put in a query string goes through here: an ISO date
(``2024-03-04``, or an ISO week ``2024-W10``) between ``EARLIEST`` and ``LATEST``. Anything
else is refused with a Chinese message: a 400 with the field's error on the API; on pages,
the current day or week with the message on top.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters import fields as filter_fields
from django_filters import rest_framework as filters

#: Far enough for any birth, roster or report a community keeps; close enough that a week or
#: a time zone either side stays inside what ``datetime`` can hold.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2100, 12, 31)


@cache
def zone(name: str) -> ZoneInfo:
    """The ZoneInfo called ``name`` (an ``Area.time_zone``); the site's zone if the name is
    blank or unknown."""
    try:
        return ZoneInfo(name or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def today_in(tz: ZoneInfo, now: dt.datetime | None = None) -> dt.date:
    """Today (or ``now``'s day) in ``tz``; ``Area.local_today()`` when the area is at hand."""
    return timezone.localtime(now or timezone.now(), tz).date()


def check_date_range[D: dt.date](value: D) -> D:
    """``value`` if it lies within EARLIEST–LATEST; else a ValidationError saying the range."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if not EARLIEST <= day <= LATEST:
        raise ValidationError(
            _("Give a date between %(earliest)s and %(latest)s.")
            % {"earliest": EARLIEST.isoformat(), "latest": LATEST.isoformat()},
            code="date_out_of_range",
        )
    return value


def validate_date_range(value: dt.date) -> None:
    """``check_date_range`` as a form field's validator (which returns nothing)."""
    check_date_range(value)


def parse_query_date(value: str | None) -> dt.date | None:
    """The date a query-string value names: None when blank; a ValidationError when it is not
    an ISO date or week, or lies outside EARLIEST–LATEST."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(_("Give a date as YYYY-MM-DD."), code="date_invalid") from None
    return check_date_range(day)


class BoundedIsoDateTimeField(filter_fields.IsoDateTimeField):  # type: ignore[misc]  # django-filter has no types
    """An ISO date-time of a list filter, refused outside EARLIEST–LATEST (django-filter turns
    the error into a 400 on the API and a form error on pages)."""

    def to_python(self, value: Any) -> dt.datetime | None:
        parsed = super().to_python(value)
        return check_date_range(parsed) if parsed is not None else None


class BoundedIsoDateTimeFilter(filters.IsoDateTimeFilter):  # type: ignore[misc]  # django-filter has no types
    """``IsoDateTimeFilter`` with the bounds above."""

    field_class = BoundedIsoDateTimeField
