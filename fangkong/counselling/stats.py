"""Counselling figures: the daily report's count of sessions held (a number, no person)."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext_lazy

from fangkong.core.daily_figures import Counts, DailyCounter, DayWindow, fill
from fangkong.counselling.models import CounsellingSession


def count_daily(window: DayWindow) -> Counts:
    counts = window.counts(DAILY_FIGURES[0].keys)
    fill(
        counts,
        CounsellingSession.objects.filter(
            community_id__in=window.community_ids,
            held_at__gte=window.start,
            held_at__lt=window.end,
        )
        .order_by()
        .values("community_id")
        .annotate(sessions=Count("pk")),
        {"sessions": "counselling.sessions"},
    )
    return counts


DAILY_FIGURES = [
    DailyCounter(
        group=gettext_lazy("Counselling"),
        figures=(("counselling.sessions", gettext_lazy("Counselling sessions held")),),
        count=count_daily,
    )
]
