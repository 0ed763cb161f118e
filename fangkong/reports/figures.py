"""Stored figures: counted per community, read as sums over the user's communities.

The home page of a district official used to recount every person, household and pass of a
hundred communities on every visit. Now each community's counts are stored
(``CommunityFigure``, one row per key) with the place of the community's audit chain they
were counted at (``FiguresState``). Reading is:

1. the user's communities (``Area.objects.restrict(user)`` at community level);
2. which of them are stale — never counted, or their audit chain moved on since — one query
   (and two for the access figures' gate events: see below);
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

The access figures (passes out now, overdue, visitors inside; a day's exits, refusals and
events for review) are stored the same way, but a gate scan writes no change-log row: it
writes one gate event and the pass's ``out_since``, and the gate must stay fast. So a
community's figures also carry the newest gate event id when they were counted
(``FiguresState.event_mark``; read before counting, as the chain's place) and a moment they
hold until (``valid_until``: the first pass out now becomes overdue, or the day ends). They
are stale when the community has an event past the mark (one query over the events since
the oldest mark: a range of the primary key, a minute's worth once ``tick`` runs, because
``tick`` moves the marks of unchanged communities on) or when the moment has passed.
(On PostgreSQL an event whose transaction commits after a recount began, with an id below
that recount's mark, is missed until the community's next change or the daily recount: a
window of the scan's own few milliseconds.)

The day's gate figures are stored under their day (``CommunityFigure.day``; the local day
of the site's time zone, as the live count takes it) — the rows a daily report reads.

The officials' status cards (``fangkong.reports.homes``) read more stored keys: households
under home quarantine, the day's new cases (stored under the day) and overdue tasks. A task
falls due with the clock, not with a change: the next due moment joins ``valid_until`` and the
access recount counts overdue tasks too. Some current figures are also kept under the day
they were counted on (``SNAPSHOT_KEYS``; the last count of a day wins, and the daily recount
writes every community's), so a card says how a figure changed since yesterday by reading
one stored row, never yesterday's raw rows.

Grid workers see only their grids, not whole communities: their figures are counted live
(a grid is small). Figures that depend on the user (my tasks, my calls due) are counted
live too — each on an index.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Case, DateTimeField, F, Max, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from fangkong.access.models import GateEvent
from fangkong.access.stats import DAY_KEYS, PASS_COUNT_KEYS, access_counts_by_community
from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area, communities_covered
from fangkong.core.models import AuditChain
from fangkong.health.stats import HEALTH_COUNT_KEYS, HEALTH_DAY_KEYS, health_counts_by_community
from fangkong.registry.stats import COUNT_KEYS as REGISTRY_KEYS
from fangkong.registry.stats import counts_by_community as registry_counts
from fangkong.reports.models import CommunityFigure, FiguresState
from fangkong.staff.stats import TASK_COUNT_KEYS, overdue_tasks_by_community

if TYPE_CHECKING:
    from fangkong.accounts.models import User

#: Every key a community's current figures hold.
KEYS = (*REGISTRY_KEYS, *PASS_COUNT_KEYS, *HEALTH_COUNT_KEYS, *TASK_COUNT_KEYS)
#: The keys stored under the day they count (today's are summed with the current ones).
DAY_FIGURE_KEYS = (*DAY_KEYS, *HEALTH_DAY_KEYS)
#: Current figures also kept under the day they were last counted on, so tomorrow's status
#: cards can say how each changed since yesterday (the daily recount writes one every day).
SNAPSHOT_KEYS = ("households", "passes_suspended", "quarantined_households", "overdue_tasks")
#: The figures a clock makes stale without any change (read again by the access recount).
CLOCK_KEYS = (*PASS_COUNT_KEYS, *TASK_COUNT_KEYS)
#: Communities counted in one go (bounds the ``IN`` lists and the rows held in memory).
CHUNK = 200


@dataclass
class StoredFigures:
    """The sums over some communities, and each community's own (for the tiles)."""

    totals: dict[str, int] = field(default_factory=dict)
    per_community: dict[int, dict[str, int]] = field(default_factory=dict)
    counted_at: dt.datetime | None = None  # the oldest community's count
    recounted: list[int] = field(default_factory=list)  # communities counted for this read


@dataclass
class Counted:
    """What ``count_figures`` found: per community, the current figures, the day's, and
    until when they hold."""

    at: dt.datetime
    day: dt.date
    current: dict[int, dict[str, int]]
    of_day: dict[int, dict[str, int]]
    valid_until: dict[int, dt.datetime]


def count_figures(community_ids: list[int], at: dt.datetime | None = None) -> Counted:
    """Every stored figure of these communities, counted now from the domain tables."""
    counts = registry_counts(community_ids)
    access = access_counts_by_community(community_ids, at)
    health, health_of_day = health_counts_by_community(community_ids, access.day)
    tasks, next_due = overdue_tasks_by_community(community_ids, access.at)
    for community_id, row in access.current.items():
        counts[community_id].update(row)
    for part in (health, tasks):
        for community_id, row in part.items():
            counts[community_id].update(row)
    for community_id, row in health_of_day.items():
        access.of_day.setdefault(community_id, {}).update(row)
    return Counted(
        at=access.at,
        day=access.day,
        current=counts,
        of_day=access.of_day,
        valid_until=_sooner(access.valid_until, next_due),
    )


def _sooner(until: dict[int, dt.datetime], other: dict[int, dt.datetime]) -> dict[int, dt.datetime]:
    """Per community, the earlier of two moments figures hold until."""
    merged = dict(until)
    for community_id, moment in other.items():
        merged[community_id] = min(merged.get(community_id, moment), moment)
    return merged


def _dated_rows(counted: Any, keys: tuple[str, ...]) -> list[CommunityFigure]:
    """The day's figures, and the snapshot of the current ones under the day."""
    return [
        *(
            CommunityFigure(
                community_id=cid, day=counted.day, key=key, value=value, updated=counted.at
            )
            for cid, row in counted.of_day.items()
            for key, value in row.items()
        ),
        *(
            CommunityFigure(
                community_id=cid, day=counted.day, key=key, value=row[key], updated=counted.at
            )
            for cid, row in counted.current.items()
            for key in keys
            if key in row
        ),
    ]


def newest_event() -> int:
    """The newest gate event's id (0 when there is none): the primary key's last entry."""
    return GateEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def refresh_figures(community_ids: Iterable[int] | None = None) -> int:
    """Count again and store the current figures of these communities (all when ``None``);
    returns how many communities were counted."""
    ids = (
        sorted(set(community_ids))
        if community_ids is not None
        else list(
            Area.objects.filter(level=AreaLevel.COMMUNITY)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
    )
    for chunk in _chunks(ids):
        # The chain's place and the newest event first, then the counts: see the module's
        # docstring.
        places = dict(
            AuditChain.objects.filter(community_id__in=chunk).values_list("community_id", "seq")
        )
        mark = newest_event()
        counted = count_figures(chunk)
        now = counted.at
        try:
            with transaction.atomic():
                CommunityFigure.objects.filter(
                    Q(day__isnull=True)
                    | Q(day=counted.day, key__in=(*DAY_FIGURE_KEYS, *SNAPSHOT_KEYS)),
                    community_id__in=chunk,
                ).delete()
                CommunityFigure.objects.bulk_create(
                    [
                        *(
                            CommunityFigure(community_id=cid, key=key, value=value, updated=now)
                            for cid, row in counted.current.items()
                            for key, value in row.items()
                        ),
                        *_dated_rows(counted, SNAPSHOT_KEYS),
                    ]
                )
                FiguresState.objects.filter(community_id__in=chunk).delete()
                FiguresState.objects.bulk_create(
                    [
                        FiguresState(
                            community_id=cid,
                            audit_seq=places.get(cid, 0),
                            event_mark=mark,
                            valid_until=counted.valid_until.get(cid),
                            updated=now,
                        )
                        for cid in chunk
                    ]
                )
        except IntegrityError:
            # Another request or tick stored these communities at the same moment: its
            # figures are as fresh as ours would have been.
            continue
    return len(ids)


def refresh_access_figures(community_ids: Iterable[int]) -> None:
    """Count again and store only the access figures of these communities: a scan or the
    clock made them stale, while nothing audited changed (the registry's figures hold, and
    a busy gate does not make the home recount a community's people)."""
    for chunk in _chunks(sorted(set(community_ids))):
        mark = newest_event()  # before counting, as in refresh_figures
        counted = access_counts_by_community(chunk)
        # Overdue tasks go stale with the clock too (a task falls due): counted with them.
        tasks, next_due = overdue_tasks_by_community(chunk, counted.at)
        for cid, row in tasks.items():
            counted.current.setdefault(cid, {}).update(row)
        counted.valid_until = _sooner(counted.valid_until, next_due)
        clock_snapshots = tuple(key for key in SNAPSHOT_KEYS if key in CLOCK_KEYS)
        now = counted.at
        try:
            with transaction.atomic():
                CommunityFigure.objects.filter(
                    Q(day__isnull=True, key__in=CLOCK_KEYS)
                    | Q(day=counted.day, key__in=(*DAY_KEYS, *clock_snapshots)),
                    community_id__in=chunk,
                ).delete()
                CommunityFigure.objects.bulk_create(
                    [
                        *(
                            CommunityFigure(community_id=cid, key=key, value=value, updated=now)
                            for cid, row in counted.current.items()
                            for key, value in row.items()
                        ),
                        *_dated_rows(counted, clock_snapshots),
                    ]
                )
                FiguresState.objects.filter(community_id__in=chunk).update(
                    event_mark=mark,
                    updated=now,
                    valid_until=Case(
                        *(
                            When(community_id=cid, then=Value(until))
                            for cid, until in counted.valid_until.items()
                        ),
                        output_field=DateTimeField(),
                    ),
                )
        except IntegrityError:
            continue  # stored at the same moment by another reader or tick


@dataclass
class Checked:
    """Which communities' figures are stale: all of them (an audited change, or never
    counted), or only the access figures (a scan, or the clock)."""

    stale: list[int]
    access_stale: list[int]
    fresh: list[int]
    newest_event: int


def _checked(community_ids: Iterable[int] | None, now: dt.datetime) -> Checked:
    """What is stale among these communities (or all). Three queries: the newest event, the
    states against the audit chains and the clock, and the gate events since the oldest
    mark, per community."""
    newest = newest_event()
    areas = Area.objects.filter(level=AreaLevel.COMMUNITY)
    if community_ids is not None:
        areas = areas.filter(pk__in=list(community_ids))
    state = FiguresState.objects.filter(community_id=OuterRef("pk"))
    rows = list(
        areas.order_by("pk")
        .annotate(
            stored=Subquery(state.values("audit_seq")[:1]),
            mark=Subquery(state.values("event_mark")[:1]),
            until=Subquery(state.values("valid_until")[:1]),
            place=Subquery(
                AuditChain.objects.filter(community_id=OuterRef("pk")).values("seq")[:1]
            ),
        )
        .values_list("pk", "stored", "mark", "until", "place")
    )
    stale = {
        pk for pk, stored, _mark, _until, place in rows if stored is None or stored != (place or 0)
    }
    access = {
        pk
        for pk, _stored, _mark, until, _place in rows
        if pk not in stale and (until is None or until <= now)
    }
    marks = {
        pk: mark
        for pk, _stored, mark, _until, _place in rows
        if pk not in stale and pk not in access
    }
    if marks:  # even when no mark is behind: the same queries whatever happened
        # The primary key's range must drive the query: "community_id + 0" keeps the
        # planners (SQLite's above all) from walking every event of the communities through
        # the (community, time) index instead — the range is a minute's events, that index
        # holds the district's history.
        scanned = (
            GateEvent.objects.filter(pk__gt=min(marks.values()), pk__lte=newest)
            .annotate(place=F("community_id") + 0)
            .filter(place__in=list(marks))
            .order_by()
            .values("community_id")
            .annotate(last=Max("pk"))
        )
        access |= {
            row["community_id"] for row in scanned if row["last"] > marks[row["community_id"]]
        }
    ids = [pk for pk, *_rest in rows]
    return Checked(
        stale=[pk for pk in ids if pk in stale],
        access_stale=[pk for pk in ids if pk in access],
        fresh=[pk for pk in ids if pk not in stale and pk not in access],
        newest_event=newest,
    )


def stale_communities(community_ids: Iterable[int] | None = None) -> list[int]:
    """Communities (of these, or all) whose stored figures are missing or behind their
    audit chain, their gate events or the clock."""
    checked = _checked(community_ids, timezone.now())
    return sorted({*checked.stale, *checked.access_stale})


def refresh_stale(
    community_ids: Iterable[int] | None = None, *, move_marks: bool = False
) -> list[int]:
    """Count again what is stale: every figure of a community with an audited change, only
    the access figures of one that was scanned or whose figures the clock overtook.
    Returns those communities. ``move_marks`` (``tick``): the unchanged communities' event
    marks move on to the newest event, so the next checks read only the events since — a
    page never writes."""
    checked = _checked(community_ids, timezone.now())
    if move_marks and checked.fresh:
        FiguresState.objects.filter(
            community_id__in=checked.fresh, event_mark__lt=checked.newest_event
        ).update(event_mark=checked.newest_event)
    if checked.stale:
        refresh_figures(checked.stale)
    if checked.access_stale:
        refresh_access_figures(checked.access_stale)
    return sorted({*checked.stale, *checked.access_stale})


def stored_figures(community_ids: list[int]) -> StoredFigures:
    """The current figures of these communities and today's gate figures, summed, exact as
    of the newest committed change (stale communities are counted first). Four queries
    when nothing changed."""
    result = StoredFigures(totals=dict.fromkeys((*KEYS, *DAY_FIGURE_KEYS), 0))
    if not community_ids:
        return result
    result.recounted = refresh_stale(community_ids)
    today = timezone.localdate()
    rows = (
        CommunityFigure.objects.filter(
            Q(day__isnull=True) | Q(day=today, key__in=DAY_FIGURE_KEYS),
            community_id__in=community_ids,
        )
        .order_by()
        .values_list("community_id", "key", "value", "updated")
    )
    for community_id, key, value, updated in rows:
        result.per_community.setdefault(community_id, {})[key] = value
        result.totals[key] = result.totals.get(key, 0) + value
        if result.counted_at is None or updated < result.counted_at:
            result.counted_at = updated
    return result


def communities_of(user: User) -> list[int] | None:
    """The ids of the communities whose figures ``user`` sees whole, or ``None`` when the
    user's scope is narrower than a community (a grid worker: count live)."""
    return communities_covered(user)


# --- The status cards: one per community --------------------------------------------------


@dataclass
class Figure:
    """One figure of a status card: its value, how it changed since yesterday (``None``
    when yesterday's was not stored), and the list it links to."""

    key: str
    value: int | None
    change: int | None = None
    url: str = ""
    alert: bool = False
    label: Any = ""  # what it counts, said precisely (a lazy translation)


@dataclass
class CommunityStatus:
    pk: int
    name: str
    figures: dict[str, Figure]
    screening_percent: int | None  # None: no screening campaign under way
    #: Where today's daily report stands (daily.choices.ReportState), None when not asked.
    report_state: Any = None


def yesterdays_figures(community_ids: list[int], today: dt.date) -> dict[int, dict[str, int]]:
    """The snapshots stored under yesterday (the last count of that day) and yesterday's
    day figures, per community. One indexed query on (community, day, key)."""
    rows = CommunityFigure.objects.filter(
        community_id__in=community_ids,
        day=today - dt.timedelta(days=1),
        key__in=(*SNAPSHOT_KEYS, *DAY_FIGURE_KEYS),
    ).values_list("community_id", "key", "value")
    found: dict[int, dict[str, int]] = {}
    for community_id, key, value in rows:
        found.setdefault(community_id, {})[key] = value
    return found


def screening_percent_by_community(community_ids: list[int]) -> dict[int, int]:
    """The share of households reached in the screening campaigns under way, per community,
    from the stored coverage counts (those of stale communities counted first)."""
    from django.db.models import Sum

    from fangkong.screening.choices import CampaignStatus
    from fangkong.screening.coverage_store import stored_totals
    from fangkong.screening.models import Campaign, CoverageCount

    campaigns = list(Campaign.objects.filter(status=CampaignStatus.RUNNING).order_by("pk"))
    if not campaigns or not community_ids:
        return {}
    stored_totals(campaigns, community_ids)  # counts the stale communities again
    rows = (
        CoverageCount.objects.filter(
            campaign_id__in=[c.pk for c in campaigns], community_id__in=community_ids
        )
        .order_by()
        .values("community_id")
        .annotate(total=Sum("total"), reached=Sum("reached"))
    )
    return {
        row["community_id"]: round((row["reached"] or 0) * 100 / row["total"])
        for row in rows
        if row["total"]
    }
