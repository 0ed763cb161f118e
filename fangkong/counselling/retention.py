"""Retention of counselling (docs/data-dictionary.md, counselling.*).

A case and its sessions' notes are kept while the case is under way and 2 years after it
was closed, then deleted, sessions first. A case never closed is kept (the office closes it).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from fangkong.core.retention import Rule, cutoff_date, register
from fangkong.counselling.models import CounsellingCase, CounsellingSession


def expired_sessions(now: dt.datetime) -> QuerySet[Any]:
    return CounsellingSession.objects.filter(case__closed_on__lt=cutoff_date(now, years=2))


def expired_cases(now: dt.datetime) -> QuerySet[Any]:
    return CounsellingCase.objects.filter(closed_on__lt=cutoff_date(now, years=2))


register(
    Rule(
        name="counselling.session",
        model=CounsellingSession,
        period="2 years after the case was closed",
        expired=expired_sessions,
    ),
    Rule(
        name="counselling.case",
        model=CounsellingCase,
        period="2 years after it was closed",
        expired=expired_cases,
    ),
)
