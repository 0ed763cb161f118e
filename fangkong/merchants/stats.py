"""Merchants' figures: the daily report's (``DAILY_FIGURES``) and the overview's
(``fangkong.merchants.overview``)."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy

from fangkong.core.daily_figures import Counts, DailyCounter, DayWindow, fill
from fangkong.merchants.choices import OPEN_STATUSES, CheckResult
from fangkong.merchants.models import Inspection, InspectionCheck, Merchant, RegisterEntry
from fangkong.staff.choices import OPEN_STATUSES as TASK_OPEN


def count_daily(window: DayWindow) -> Counts:
    """Shops visited so far (by the end of the day) and open now; failed checks open at the
    end of the day; register sign-ins during the day. A few grouped queries."""
    counts = window.counts(DAILY_FIGURES[0].keys)
    ids, start, end = window.community_ids, window.start, window.end
    visited = Exists(Inspection.objects.filter(merchant=OuterRef("pk"), created__lt=end))
    fill(
        counts,
        Merchant.objects.filter(community_id__in=ids, created__lt=end)
        .annotate(seen=visited)
        .order_by()
        .values("community_id")
        .annotate(
            visited=Count("pk", filter=Q(seen=True)),
            open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        ),
        {"visited": "merchants.visited", "open": "merchants.open"},
    )
    still_open = Q(resolved_at__isnull=True) | Q(resolved_at__gte=end)
    task_open = (
        Q(follow_up__isnull=True)
        | Q(follow_up__status__in=TASK_OPEN)
        | Q(follow_up__finished_at__gte=end)
    )
    fill(
        counts,
        InspectionCheck.objects.filter(
            still_open, task_open, community_id__in=ids, result=CheckResult.FAIL, created__lt=end
        )
        .order_by()
        .values("community_id")
        .annotate(n=Count("pk")),
        {"n": "merchants.failed_checks_open"},
    )
    fill(
        counts,
        RegisterEntry.objects.filter(community_id__in=ids, at__gte=start, at__lt=end)
        .order_by()
        .values("community_id")
        .annotate(n=Count("pk")),
        {"n": "merchants.sign_ins"},
    )
    return counts


DAILY_FIGURES = [
    DailyCounter(
        group=gettext_lazy("Shops"),
        figures=(
            ("merchants.visited", gettext_lazy("Shops visited")),
            ("merchants.open", gettext_lazy("Shops open")),
            ("merchants.failed_checks_open", gettext_lazy("Failed shop checks still open")),
            ("merchants.sign_ins", gettext_lazy("Shop register sign-ins")),
        ),
        count=count_daily,
    )
]
