"""Self-service figures: households' own health reports and corrections waiting."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy

from fangkong.core.daily_figures import Counts, DailyCounter, DayWindow, fill
from fangkong.selfservice.choices import ActivityKind, CorrectionStatus
from fangkong.selfservice.models import Correction


def pending_corrections(user: Any) -> int:
    """Corrections waiting for a decision in the user's scope."""
    return Correction.objects.restrict(user).filter(status=CorrectionStatus.PENDING).count()


def count_daily(window: DayWindow) -> Counts:
    """Health reports households sent themselves that day; corrections pending at its end
    (proposed by then, not decided by then). Two grouped queries."""
    from fangkong.selfservice.models import Activity

    counts = window.counts(DAILY_FIGURES[0].keys)
    ids, start, end = window.community_ids, window.start, window.end
    fill(
        counts,
        Activity.objects.filter(
            community_id__in=ids, kind=ActivityKind.REPORT, time__gte=start, time__lt=end
        )
        .order_by()
        .values("community_id")
        .annotate(reports=Count("pk")),
        {"reports": "selfservice.health_reports"},
    )
    fill(
        counts,
        Correction.objects.filter(community_id__in=ids, created__lt=end)
        .filter(Q(status=CorrectionStatus.PENDING) | Q(decided_at__gte=end))
        .order_by()
        .values("community_id")
        .annotate(pending=Count("pk")),
        {"pending": "selfservice.corrections_pending"},
    )
    return counts


DAILY_FIGURES = [
    DailyCounter(
        group=gettext_lazy("Household self-service"),
        figures=(
            ("selfservice.health_reports", gettext_lazy("Health reports sent by households")),
            ("selfservice.corrections_pending", gettext_lazy("Corrections waiting for approval")),
        ),
        count=count_daily,
    )
]
