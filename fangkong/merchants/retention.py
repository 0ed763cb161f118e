"""Retention of merchants' data (docs/data-dictionary.md, merchants.*).

A shop's register entries (who came in: name, phone, temperature) are kept for
``settings.MERCHANT_REGISTER_DAYS`` days (28 by default: two incubation periods, what contact
tracing needs) and then deleted. Shops, inspections, notices and complaints hold no private
person but the shop's contact, which stays while the shop is listed.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import QuerySet

from fangkong.core.retention import Rule, cutoff, register
from fangkong.merchants.models import RegisterEntry


def _expired_entries(now: dt.datetime) -> QuerySet[RegisterEntry]:
    return RegisterEntry.objects.filter(at__lt=cutoff(now, days=settings.MERCHANT_REGISTER_DAYS))


register(
    Rule(
        name="merchants.register_entry",
        model=RegisterEntry,
        period="28 days (FANGKONG_MERCHANT_REGISTER_DAYS)",
        expired=_expired_entries,
    ),
)
