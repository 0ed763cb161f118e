"""Stored figures: counted per community, read as sums over the user's communities.

The home page of a district official used to recount every person, household and pass of a
hundred communities on every visit. Now each community's counts are stored
(``CommunityFigure``, one row per key) with the place of the community's audit chain they
were counted at (``FiguresState``). Reading is:

1. the user's communities (``Area.objects.restrict(user)`` at community level);
2. which of them are stale — never counted, or their audit chain moved on since — one query;
3. those few counted again (grouped queries on the indexed ``community_id``);
4. every stored row of the user's communities — one indexed query — summed.

Why the audit chain says exactly when figures are stale: every change to a community's rows
is made by a service that writes its change-log row in the same transaction, and that row
takes the next place (``AuditChain.seq``) of the community's chain under the chain's lock.
A recount reads the chain's place *before* counting, so a change committed meanwhile is
either counted (and the place is behind: counted again next time, harmlessly) or not yet
visible (and its place is ahead: stale next time). Figures are never older than the newest
committed change. ``tick`` recounts stale communities every minute so pages rarely have to,
and recounts everything once a day, a net for rows changed outside the services (raw SQL,
a restore).

Grid workers see only their grids, not whole communities: their figures are counted live
(a grid is small). Figures that depend on the clock or on the user (who is out now, exits
today, my calls due) are counted live too — each on an index, bounded by today's rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from fangkong.access.stats import PASS_COUNT_KEYS, pass_counts_by_community
from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area, communities_covered
from fangkong.core.models import AuditChain
from fangkong.registry.stats import COUNT_KEYS as REGISTRY_KEYS
from fangkong.registry.stats import counts_by_community as registry_counts
from fangkong.reports.models import CommunityFigure, FiguresState

#: Every key a community's current figures hold.
KEYS = (*REGISTRY_KEYS, *PASS_COUNT_KEYS)
#: Communities counted in one go (bounds the ``IN`` lists and the rows held in memory).
CHUNK = 200


@dataclass
class StoredFigures:
    """The sums over some communities, and each community's own (for the tiles)."""

    totals: dict[str, int] = field(default_factory=dict)
    per_community: dict[int, dict[str, int]] = field(default_factory=dict)
    counted_at: dt.datetime | None = None  # the oldest community's count
    recounted: list[int] = field(default_factory=list)  # communities counted for this read


def count_figures(community_ids: list[int]) -> dict[int, dict[str, int]]:
    """Every stored figure of these communities, counted now from the domain tables."""
    counts = registry_counts(community_ids)
    for community_id, row in pass_counts_by_community(community_ids).items():
        counts[community_id].update(row)
    return counts


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def refresh_figures(community_ids: Iterable[int] | None = None) -> int:
    """Count again and store the current figures of these communities (all when ``None``);
    returns how many communities were counted."""
    ids = sorted(set(community_ids)) if community_ids is not None else list(
        Area.objects.filter(level=AreaLevel.COMMUNITY).order_by("pk")
        .values_list("pk", flat=True))
    for chunk in _chunks(ids):
        # The chain's place first, then the counts: see the module's docstring.
        places = dict(AuditChain.objects.filter(community_id__in=chunk)
                      .values_list("community_id", "seq"))
        counts = count_figures(chunk)
        now = timezone.now()
        try:
            with transaction.atomic():
                CommunityFigure.objects.filter(community_id__in=chunk, day__isnull=True).delete()
                CommunityFigure.objects.bulk_create([
                    CommunityFigure(community_id=cid, key=key, value=value, updated=now)
                    for cid, row in counts.items() for key, value in row.items()
                ])
                FiguresState.objects.filter(community_id__in=chunk).delete()
                FiguresState.objects.bulk_create([
                    FiguresState(community_id=cid, audit_seq=places.get(cid, 0), updated=now)
                    for cid in chunk
                ])
        except IntegrityError:
            # Another request or tick stored these communities at the same moment: its
            # figures are as fresh as ours would have been.
            continue
    return len(ids)


def stale_communities(community_ids: Iterable[int] | None = None) -> list[int]:
    """Communities (of these, or all) whose stored figures are missing or behind their
    audit chain. One query."""
    areas = Area.objects.filter(level=AreaLevel.COMMUNITY)
    if community_ids is not None:
        areas = areas.filter(pk__in=list(community_ids))
    rows = areas.order_by("pk").annotate(
        stored=Subquery(FiguresState.objects.filter(community_id=OuterRef("pk"))
                        .values("audit_seq")[:1]),
        place=Subquery(AuditChain.objects.filter(community_id=OuterRef("pk"))
                       .values("seq")[:1]),
    ).values_list("pk", "stored", "place")
    return [pk for pk, stored, place in rows if stored is None or stored != (place or 0)]


def refresh_stale(community_ids: Iterable[int] | None = None) -> list[int]:
    """Count again the communities whose figures are stale; returns them."""
    stale = stale_communities(community_ids)
    if stale:
        refresh_figures(stale)
    return stale


def stored_figures(community_ids: list[int]) -> StoredFigures:
    """The current figures of these communities, summed, exact as of the newest committed
    change (stale communities are counted first). Two queries when nothing changed."""
    result = StoredFigures(totals=dict.fromkeys(KEYS, 0))
    if not community_ids:
        return result
    result.recounted = refresh_stale(community_ids)
    rows = CommunityFigure.objects.filter(
        community_id__in=community_ids, day__isnull=True
    ).order_by().values_list("community_id", "key", "value", "updated")
    for community_id, key, value, updated in rows:
        result.per_community.setdefault(community_id, {})[key] = value
        result.totals[key] = result.totals.get(key, 0) + value
        if result.counted_at is None or updated < result.counted_at:
            result.counted_at = updated
    return result


def communities_of(user: Any) -> list[int] | None:
    """The ids of the communities whose figures ``user`` sees whole, or ``None`` when the
    user's scope is narrower than a community (a grid worker: count live)."""
    return communities_covered(user)
