"""Supplies figures: the daily report's (donations received, units issued, open requests,
items below their minimum), counted for many communities in a few grouped queries."""

from __future__ import annotations

from django.db.models import Count, F, Sum
from django.utils.translation import gettext_lazy

from fangkong.core.daily_figures import Counts, DailyCounter, DayWindow, fill
from fangkong.supplies.choices import MovementKind, RequestStatus
from fangkong.supplies.models import Donation, Movement, Stock, SupplyRequest


def count_daily(window: DayWindow) -> Counts:
    counts = window.counts(DAILY_FIGURES[0].keys)
    ids, day = window.community_ids, window.day
    fill(
        counts,
        Donation.objects.filter(community_id__in=ids, donated_on=day)
        .order_by()
        .values("community_id")
        .annotate(n=Count("pk")),
        {"n": "supplies.donations"},
    )
    fill(
        counts,
        Movement.objects.filter(community_id__in=ids, day=day, kind=MovementKind.ISSUED)
        .order_by()
        .values("community_id")
        .annotate(n=-Sum("quantity")),
        {"n": "supplies.issued"},
    )
    # Open at the end of the day: asked by then, not decided by then.
    fill(
        counts,
        SupplyRequest.objects.filter(community_id__in=ids, requested_at__lt=window.end)
        .exclude(
            decided_at__lt=window.end, status__in=[RequestStatus.ISSUED, RequestStatus.REFUSED]
        )
        .order_by()
        .values("community_id")
        .annotate(n=Count("pk")),
        {"n": "supplies.requests_open"},
    )
    # Below the minimum as the stock stands when counted (the nightly count: the day's end).
    fill(
        counts,
        Stock.objects.filter(community_id__in=ids, minimum__gt=0, quantity__lt=F("minimum"))
        .order_by()
        .values("community_id")
        .annotate(n=Count("pk")),
        {"n": "supplies.below_minimum"},
    )
    return counts


DAILY_FIGURES = [
    DailyCounter(
        group=gettext_lazy("Supplies"),
        figures=(
            ("supplies.donations", gettext_lazy("Donations received")),
            ("supplies.issued", gettext_lazy("Units of supplies issued")),
            ("supplies.requests_open", gettext_lazy("Supply requests waiting")),
            ("supplies.below_minimum", gettext_lazy("Supplies below the minimum")),
        ),
        count=count_daily,
    )
]
