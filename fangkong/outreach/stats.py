"""Outreach figures: today's coverage of a community's buildings by broadcast rounds, and the
daily report's figures (rounds done, buildings covered, notification calls reached)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy

from fangkong.areas.models import Area
from fangkong.core.daily_figures import Counts, DailyCounter, DayWindow, fill
from fangkong.outreach.models import Announcement, BroadcastRound
from fangkong.outreach.services import covered_building_ids, day_bounds
from fangkong.registry.models import Building


def today_coverage(community: Area, user: Any) -> dict[str, Any]:
    """The community's buildings, each marked covered or not by today's rounds, today's
    rounds, and the announcements in force (as ``user`` may see them)."""
    today = community.local_today()
    covered = covered_building_ids(community, today)
    buildings = list(
        Building.objects.filter(community=community).order_by("section", "sort_key", "number", "id")
    )
    for building in buildings:
        building.covered = building.pk in covered
    start, end = day_bounds(community, today)
    rounds = (
        BroadcastRound.objects.restrict(user)
        .filter(community=community, at__gte=start, at__lt=end)
        .select_related("script")
        .order_by("-at", "-id")
    )
    announcements = (
        Announcement.objects.restrict(user)
        .filter(area_id__in=community.ancestor_ids(), valid_from__lte=today, valid_until__gte=today)
        .order_by("-valid_from", "-id")[:5]
    )
    return {
        "today": today,
        "buildings": buildings,
        "covered_count": len([b for b in buildings if b.covered]),
        "rounds": list(rounds),
        "announcements": list(announcements),
    }


KEYS = ("outreach.rounds", "outreach.buildings_covered", "outreach.notified")


def count_daily(window: DayWindow) -> Counts:
    """Rounds made that day, the distinct buildings they covered (named, or in a grid a
    round covered), and the households reached that day by notification runs. A few
    grouped queries for all the communities."""
    from fangkong.screening.choices import AssignmentStatus, CampaignKind
    from fangkong.screening.models import CallAssignment

    counts = window.counts(KEYS)
    ids, start, end = window.community_ids, window.start, window.end
    rounds = BroadcastRound.objects.filter(community_id__in=ids, at__gte=start, at__lt=end)
    fill(
        counts,
        rounds.order_by().values("community_id").annotate(n=Count("pk")),
        {"n": "outreach.rounds"},
    )
    covered: dict[int, set[int]] = {}
    named = BroadcastRound.buildings.through.objects.filter(broadcastround__in=rounds).values_list(
        "broadcastround__community_id", "building_id"
    )
    for community_id, building_id in named:
        covered.setdefault(community_id, set()).add(building_id)
    grids = BroadcastRound.grids.through.objects.filter(broadcastround__in=rounds).values_list(
        "area_id", flat=True
    )
    in_grids = Building.objects.filter(community_id__in=ids, grid_id__in=grids).values_list(
        "community_id", "pk"
    )
    for community_id, building_id in in_grids:
        covered.setdefault(community_id, set()).add(building_id)
    for community_id, found in covered.items():
        if community_id in counts:
            counts[community_id]["outreach.buildings_covered"] = len(found)
    fill(
        counts,
        CallAssignment.objects.filter(
            community_id__in=ids,
            campaign__kind=CampaignKind.NOTIFICATION,
            status=AssignmentStatus.REACHED,
            reached_at__gte=start,
            reached_at__lt=end,
        )
        .order_by()
        .values("community_id")
        .annotate(n=Count("pk")),
        {"n": "outreach.notified"},
    )
    return counts


DAILY_FIGURES = [
    DailyCounter(
        group=gettext_lazy("Publicity and notification"),
        figures=(
            ("outreach.rounds", gettext_lazy("Broadcast rounds made")),
            ("outreach.buildings_covered", gettext_lazy("Buildings covered by broadcast")),
            ("outreach.notified", gettext_lazy("Households reached by notification calls")),
        ),
        count=count_daily,
    )
]
