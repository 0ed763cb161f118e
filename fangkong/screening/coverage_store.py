"""Stored coverage counts: a campaign's households per (community, grid, caller) and status,
kept per community so the coverage page of a district campaign reads a few hundred stored
rows instead of grouping 285,000 assignments on every visit.

Exact as the home page's stored figures are (``fangkong.reports.figures``): a community's
counts carry the place of its audit chain and the campaign's version they were counted at.
Every change to an assignment (a call, a reassignment, an alert, a move-out) is written by
a service with its change-log row in the community's chain, in one transaction; the start of
a campaign, which adds the assignments, bumps the campaign's version. Counts behind either
are counted again before they are read; the chain's place is read before counting, so a
change committed meanwhile leaves them stale rather than wrong.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, Subquery, Sum

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area, communities_covered
from fangkong.core.models import AuditChain
from fangkong.screening.choices import AssignmentStatus
from fangkong.screening.models import CallAssignment, Campaign, CoverageCount, CoverageState

if TYPE_CHECKING:
    from fangkong.accounts.models import User

COUNTS = {
    "total": Count("pk"),
    "reached": Count("pk", filter=Q(status=AssignmentStatus.REACHED)),
    "pending": Count("pk", filter=Q(status=AssignmentStatus.PENDING)),
    "unreachable": Count("pk", filter=Q(status=AssignmentStatus.UNREACHABLE)),
    "moved": Count("pk", filter=Q(status=AssignmentStatus.MOVED)),
    "alerts": Count("pk", filter=~Q(alert_level="")),
}


def whole_communities(user: User) -> list[int] | None:
    """The communities ``user`` sees whole, or ``None`` for a grid worker (whose part of a
    campaign is counted live: a grid is small)."""
    return communities_covered(user)


def _campaign_communities(campaign: Campaign, community_ids: list[int]) -> Any:
    return Area.objects.filter(
        pk__in=community_ids,
        level=AreaLevel.COMMUNITY,
    ).filter(pk__in=campaign.area.descendants(include_self=True).values("pk"))


def refresh_coverage(campaign: Campaign, community_ids: list[int]) -> None:
    """Count this campaign's assignments in these communities again and store them."""
    if not community_ids:
        return
    places = dict(
        AuditChain.objects.filter(community_id__in=community_ids).values_list("community_id", "seq")
    )
    version = Campaign.objects.filter(pk=campaign.pk).values_list("version", flat=True).get()
    rows = list(
        CallAssignment.objects.filter(
            campaign=campaign,
            community_id__in=community_ids,
        )
        .order_by()
        .values("community_id", "grid_id", "assignee_id")
        .annotate(**COUNTS)
    )
    try:
        with transaction.atomic():
            CoverageCount.objects.filter(campaign=campaign, community_id__in=community_ids).delete()
            CoverageCount.objects.bulk_create(
                [CoverageCount(campaign=campaign, **row) for row in rows]
            )
            CoverageState.objects.filter(campaign=campaign, community_id__in=community_ids).delete()
            CoverageState.objects.bulk_create(
                [
                    CoverageState(
                        campaign=campaign,
                        community_id=cid,
                        audit_seq=places.get(cid, 0),
                        campaign_version=version,
                    )
                    for cid in community_ids
                ]
            )
    except IntegrityError:
        pass  # stored at the same moment by another request: as fresh as ours


def stored_coverage(campaign: Campaign, community_ids: list[int]) -> list[dict[str, Any]]:
    """The campaign's counts per (community, grid, caller) in these communities, with the
    names the coverage page shows — as ``campaign_coverage``'s first query gives them.
    Two queries when nothing changed: which communities are stale, the stored rows."""
    states = (
        _campaign_communities(campaign, community_ids)
        .order_by("pk")
        .annotate(
            stored=Subquery(
                CoverageState.objects.filter(campaign=campaign, community_id=OuterRef("pk")).values(
                    "audit_seq"
                )[:1]
            ),
            stored_version=Subquery(
                CoverageState.objects.filter(campaign=campaign, community_id=OuterRef("pk")).values(
                    "campaign_version"
                )[:1]
            ),
            place=Subquery(
                AuditChain.objects.filter(community_id=OuterRef("pk")).values("seq")[:1]
            ),
        )
        .values_list("pk", "stored", "stored_version", "place")
    )
    mine, stale = [], []
    for pk, stored, stored_version, place in states:
        mine.append(pk)
        if stored is None or stored != (place or 0) or stored_version != campaign.version:
            stale.append(pk)
    if stale:
        refresh_coverage(campaign, stale)
    return list(
        CoverageCount.objects.filter(campaign=campaign, community_id__in=mine)
        .order_by()
        .values(
            "community_id",
            "community__name",
            "grid_id",
            "grid__name",
            "assignee_id",
            "assignee__full_name",
            "assignee__username",
            *COUNTS,
        )
    )


def stored_totals(campaigns: list[Campaign], community_ids: list[int]) -> dict[str, int]:
    """These campaigns' households in these communities by where they stand, summed from
    the stored counts (stale ones counted first). Five queries however many campaigns and
    communities, when nothing changed."""
    totals = dict.fromkeys(COUNTS, 0)
    if not campaigns or not community_ids:
        return totals
    areas = list(Area.objects.filter(pk__in=community_ids).only("pk", "path"))
    campaign_ids = [c.pk for c in campaigns]
    states = {
        (campaign_id, community_id): (seq, version)
        for campaign_id, community_id, seq, version in CoverageState.objects.filter(
            campaign_id__in=campaign_ids,
            community_id__in=community_ids,
        ).values_list("campaign_id", "community_id", "audit_seq", "campaign_version")
    }
    places = dict(
        AuditChain.objects.filter(community_id__in=community_ids).values_list("community_id", "seq")
    )
    for campaign in campaigns:
        stale = [
            area.pk
            for area in areas
            if campaign.area_id in area.ancestor_ids()
            and states.get((campaign.pk, area.pk)) != (places.get(area.pk, 0), campaign.version)
        ]
        refresh_coverage(campaign, stale)
    sums = CoverageCount.objects.filter(
        campaign_id__in=campaign_ids,
        community_id__in=community_ids,
    ).aggregate(**{name: Sum(name) for name in COUNTS})
    return {name: sums[name] or 0 for name in COUNTS}
