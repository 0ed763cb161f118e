"""Daily figures, stored: each community's numbers of one local day, the rows of the daily
report (日报), and the sums above a community.

Every module declares its figures in its ``stats.py`` (``DAILY_FIGURES``: see
``fangkong.core.daily_figures``); this module collects them in the order of
``INSTALLED_APPS`` (a module that lands later adds its own the same way), counts them for
many communities at once and stores them in ``CommunityFigure`` under the day (community,
day, key, value). Storing is idempotent: the day's rows of those communities are replaced.

A street's or a district's figures are SUMS OF STORED COMMUNITY ROWS, never a recount of
raw rows: storing a day also stores the sums of every area above the communities stored
(``roll_up``, summed from all the stored community rows below each), so ``figures_for`` of
a district reads its own ~50 rows, as a community's does (bench/reports.py measures it).

Days are the community's own (``Area.time_zone``): communities are counted in groups of one
time zone, each group over its local day's bounds.

The nightly job (``fangkong.reports.periodic.store_yesterdays_figures``) stores yesterday's
figures of each community once its local midnight has passed; a community officer's button
and ``manage.py store_daily_figures`` count a past day again.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
from collections import defaultdict
from collections.abc import Iterable

from django.apps import apps
from django.db import IntegrityError, transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.functional import Promise

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area, under_paths
from fangkong.core.daily_figures import Counts, DailyCounter, DayWindow
from fangkong.core.dates import zone
from fangkong.reports.models import CommunityFigure

#: Communities counted and stored in one go (bounds the ``IN`` lists and rows in memory).
CHUNK = 200
#: The longest range of days one request reads (the API refuses more, with the reason).
MAX_RANGE_DAYS = 366


def _collect() -> list[DailyCounter]:
    """Every module's ``DAILY_FIGURES``, in the order of ``INSTALLED_APPS``."""
    found: list[DailyCounter] = []
    for config in apps.get_app_configs():
        name = f"{config.name}.stats"
        if not config.name.startswith("fangkong.") or importlib.util.find_spec(name) is None:
            continue
        found.extend(getattr(importlib.import_module(name), "DAILY_FIGURES", []))
    return found


COUNTERS: list[DailyCounter] = _collect()
#: The figures grouped as the report shows them: (group title, keys).
DAILY_GROUPS: list[tuple[str, tuple[str, ...]]] = [
    (counter.group, counter.keys)  # type: ignore[misc]  # a lazy title, str when shown
    for counter in COUNTERS
]
DAILY_KEYS: tuple[str, ...] = tuple(key for counter in COUNTERS for key in counter.keys)
DAILY_LABELS: dict[str, str] = {
    key: label  # type: ignore[misc]  # lazy translations, str when shown
    for counter in COUNTERS
    for key, label in counter.figures
}

if len(set(DAILY_KEYS)) != len(DAILY_KEYS):  # two modules claiming a key would add up wrong
    raise RuntimeError(f"daily figure keys declared twice: {sorted(DAILY_KEYS)}")


def label_of(key: str) -> str | Promise:
    return DAILY_LABELS.get(key, key)


# --- Counting and storing ---------------------------------------------------------------------


def _windows(community_ids: list[int], day: dt.date) -> list[DayWindow]:
    """The communities grouped by time zone, each group with its local day's bounds."""
    by_zone: dict[str, list[int]] = defaultdict(list)
    for pk, name in (
        Area.objects.filter(pk__in=community_ids, level=AreaLevel.COMMUNITY)
        .order_by("pk")
        .values_list("pk", "time_zone")
    ):
        by_zone[name].append(pk)
    windows = []
    for name, ids in sorted(by_zone.items()):
        tz = zone(name)
        start = dt.datetime.combine(day, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        windows.append(DayWindow(community_ids=ids, day=day, start=start, end=end))
    return windows


def count_day(community_ids: list[int], day: dt.date) -> Counts:
    """Every daily figure of these communities for their local ``day``, counted now from
    the modules' tables (nothing stored). A fixed number of queries per time zone."""
    counts: Counts = {}
    for window in _windows(community_ids, day):
        part = {cid: dict.fromkeys(DAILY_KEYS, 0) for cid in window.community_ids}
        for counter in COUNTERS:
            for cid, row in counter.count(window).items():
                part[cid].update({key: row.get(key, 0) for key in counter.keys})
        counts.update(part)
    return counts


def all_communities() -> list[int]:
    return list(
        Area.objects.filter(level=AreaLevel.COMMUNITY).order_by("pk").values_list("pk", flat=True)
    )


class FutureDayError(ValueError):
    """A day that has not begun yet in a community's time zone: nothing to count."""


def check_not_future(community_ids: list[int], day: dt.date) -> None:
    """Raise ``FutureDayError`` when ``day`` has not begun in one of these communities."""
    zones = set(
        Area.objects.filter(pk__in=community_ids).values_list("time_zone", flat=True).distinct()
    )
    now = timezone.now()
    if any(day > timezone.localtime(now, zone(name)).date() for name in zones):
        raise FutureDayError(day)


def store_day(community_ids: list[int] | None, day: dt.date) -> int:
    """Count and store the daily figures of these communities (all when ``None``) for
    ``day``; returns how many communities were stored. Counting again replaces the day's
    rows (idempotent); each chunk of communities is stored in one transaction, so a reader
    sees a community's day whole or not at all. Today may be stored (as far as it has
    gone: the nightly job counts it again once it is over); a day not begun yet raises
    ``FutureDayError`` and stores nothing."""
    ids = sorted(set(community_ids)) if community_ids is not None else all_communities()
    check_not_future(ids, day)
    stored = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for attempt in range(2):
            counts = count_day(chunk, day)
            now = timezone.now()
            try:
                with transaction.atomic():
                    CommunityFigure.objects.filter(
                        community_id__in=chunk, day=day, key__in=DAILY_KEYS
                    ).delete()
                    CommunityFigure.objects.bulk_create(
                        [
                            CommunityFigure(
                                community_id=cid, day=day, key=key, value=value, updated=now
                            )
                            for cid, row in counts.items()
                            for key, value in row.items()
                        ]
                    )
                break
            except IntegrityError:
                # Another tick or officer stored the same day at the same moment: count
                # again once (the later count wins), then leave theirs.
                if attempt:
                    raise
        stored += len(counts)
    roll_up(ids, day)
    return stored


def _ancestors(path: str) -> list[int]:
    """The ids of the areas above the one at ``path`` (the path's parts but the last)."""
    return [int(part) for part in path.strip("/").split("/")[:-1] if part]


def roll_up(community_ids: list[int], day: dt.date) -> int:
    """Store the sums of ``day`` for every area above these communities (street, district,
    city), each summed from the stored rows of ALL the communities below it — never from
    raw rows. Kept as rows of the area itself (``CommunityFigure.community`` is then that
    area), so a district's day is read as cheaply as a community's: one indexed query on
    (area, day, key), whatever the number of communities below (bench/reports.py). Three
    queries; returns how many areas were stored."""
    paths = list(
        Area.objects.filter(pk__in=community_ids, level=AreaLevel.COMMUNITY).values_list(
            "path", flat=True
        )
    )
    above = {pk for path in paths for pk in _ancestors(path)}
    if not above:
        return 0
    under_roots = under_paths(sorted({f"/{path.strip('/').split('/')[0]}/" for path in paths}))
    below: dict[int, list[int]] = {}  # community -> its ancestors
    for pk, path in Area.objects.filter(under_roots, level=AreaLevel.COMMUNITY).values_list(
        "pk", "path"
    ):
        below[pk] = [a for a in _ancestors(path) if a in above]
    sums = {pk: dict.fromkeys(DAILY_KEYS, 0) for pk in above}
    for cid, key, value in CommunityFigure.objects.filter(
        community_id__in=list(below), day=day, key__in=DAILY_KEYS
    ).values_list("community_id", "key", "value"):
        for pk in below[cid]:
            sums[pk][key] += value
    now = timezone.now()
    with transaction.atomic():
        CommunityFigure.objects.filter(
            community_id__in=list(above), day=day, key__in=DAILY_KEYS
        ).delete()
        CommunityFigure.objects.bulk_create(
            CommunityFigure(community_id=pk, day=day, key=key, value=value, updated=now)
            for pk, row in sums.items()
            for key, value in row.items()
        )
    return len(above)


def stale_for(day_of: dict[str, dt.date], now: dt.datetime) -> dict[dt.date, list[int]]:
    """Per day, the communities whose figures of that day (``day_of``: time zone → the
    day) were not yet stored after the day had ended — never stored, or stored during it."""
    wanted: dict[dt.date, list[int]] = defaultdict(list)
    for name, day in day_of.items():
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min, tzinfo=zone(name))
        if end > now:
            continue
        ids = list(
            Area.objects.filter(level=AreaLevel.COMMUNITY, time_zone=name)
            .exclude(
                pk__in=CommunityFigure.objects.filter(
                    day=day, key=DAILY_KEYS[0], updated__gte=end
                ).values("community_id")
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        wanted[day].extend(ids)
    return wanted


def store_yesterday(now: dt.datetime | None = None) -> int:
    """Store yesterday's figures of every community whose local midnight has passed and
    whose yesterday is not stored whole yet (the nightly job); returns how many."""
    now = now or timezone.now()
    zones = Area.objects.filter(level=AreaLevel.COMMUNITY).values_list("time_zone", flat=True)
    day_of = {
        name: timezone.localtime(now, zone(name)).date() - dt.timedelta(days=1)
        for name in set(zones)
    }
    return sum(store_day(ids, day) for day, ids in stale_for(day_of, now).items() if ids)


# --- Reading: a community's stored day, or the sum below an area ----------------------------


def communities_below(area: Area) -> QuerySet[Area]:
    """The communities an area covers (itself, for a community): a subquery."""
    if area.level == AreaLevel.COMMUNITY:
        return Area.objects.filter(pk=area.pk)
    if area.level == AreaLevel.GRID:
        raise ValueError("daily figures are kept per community, not per grid")
    return area.descendants(include_self=True).filter(level=AreaLevel.COMMUNITY)


def _rows(area: Area, days: Iterable[dt.date] | None = None) -> QuerySet[CommunityFigure]:
    rows = CommunityFigure.objects.filter(key__in=DAILY_KEYS)
    if area.level == AreaLevel.COMMUNITY:
        return rows.filter(community_id=area.pk)
    return rows.filter(community_id__in=communities_below(area).values("pk"))


def _own_rows(area: Area) -> QuerySet[CommunityFigure]:
    """The rows stored under the area itself: a community's counts, or the sums
    ``roll_up`` stored for an area above."""
    return CommunityFigure.objects.filter(community_id=area.pk, key__in=DAILY_KEYS)


def figures_for(area: Area, day: dt.date) -> dict[str, int]:
    """The stored figures of ``day``: a community's own, or the sums over the communities
    below a street, district or city (stored by ``roll_up``; summed from the communities'
    rows when the area has none for that day). One query; keys not stored are 0."""
    figures = dict.fromkeys(DAILY_KEYS, 0)
    own = list(_own_rows(area).filter(day=day).values_list("key", "value"))
    if own or area.level == AreaLevel.COMMUNITY:
        figures.update(own)
        return figures
    rows = _rows(area).filter(day=day).order_by().values("key").annotate(total=Sum("value"))
    for row in rows:
        figures[row["key"]] = int(row["total"] or 0)
    return figures


def figures_by_community(area: Area, day: dt.date) -> dict[int, dict[str, int]]:
    """The stored figures of ``day`` of each community below ``area`` (a community: its
    own), every community present (all 0 where nothing is stored). Two queries."""
    found: dict[int, dict[str, int]] = {
        pk: dict.fromkeys(DAILY_KEYS, 0)
        for pk in communities_below(area).order_by("path").values_list("pk", flat=True)
    }
    for cid, key, value in _rows(area).filter(day=day).values_list("community_id", "key", "value"):
        if cid in found:
            found[cid][key] = value
    return found


def stored_communities(area: Area, day: dt.date) -> set[int]:
    """The communities below ``area`` whose figures of ``day`` are stored. One query."""
    return set(
        _rows(area).filter(day=day, key=DAILY_KEYS[0]).values_list("community_id", flat=True)
    )


def series(area: Area, since: dt.date, until: dt.date) -> dict[dt.date, dict[str, int]]:
    """The stored figures of each day from ``since`` to ``until`` (both included) that has
    any: a community's, or the sums below the area (stored by ``roll_up``; summed from the
    communities' rows when none is). One query (two for a range never rolled up)."""
    if (until - since).days >= MAX_RANGE_DAYS:
        raise ValueError(f"at most {MAX_RANGE_DAYS} days")
    found: dict[dt.date, dict[str, int]] = {}
    for day, key, value in (
        _own_rows(area).filter(day__gte=since, day__lte=until).values_list("day", "key", "value")
    ):
        if day is not None:  # never: dated rows only; for the type checker
            found.setdefault(day, dict.fromkeys(DAILY_KEYS, 0))[key] = value
    if found or area.level == AreaLevel.COMMUNITY:
        return dict(sorted(found.items()))
    rows = (
        _rows(area)
        .filter(day__gte=since, day__lte=until)
        .order_by()
        .values("day", "key")
        .annotate(total=Sum("value"))
    )
    for row in rows:
        if row["day"] is None:  # never: dated rows only (day__gte); for the type checker
            continue
        found.setdefault(row["day"], dict.fromkeys(DAILY_KEYS, 0))[row["key"]] = int(
            row["total"] or 0
        )
    return dict(sorted(found.items()))
