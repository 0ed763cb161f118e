"""Retention of residents' inquiries (docs/data-dictionary.md, inquiries.*).

An inquiry names who asked and what worried them: it is deleted 1 year after it was closed,
or 2 years after it was received when nobody closed it. The day's counts are in the stored
daily figures by then; an FAQ entry made from it stays (it holds no personal data) and
loses only its link. FAQ entries hold no personal data: no rule.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from fangkong.core.retention import Rule, cutoff, register
from fangkong.inquiries.models import Inquiry


def expired_inquiries(now: dt.datetime) -> QuerySet[Any]:
    return Inquiry.objects.filter(
        Q(closed_at__lt=cutoff(now, years=1))
        | Q(closed_at__isnull=True, received_at__lt=cutoff(now, years=2))
    )


register(
    Rule(
        name="inquiries.inquiry",
        model=Inquiry,
        period="1 year after it was closed; 2 years after it was received if never closed",
        expired=expired_inquiries,
    )
)
