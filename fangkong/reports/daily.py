"""The figures of a day, per community, as the daily report reads them (issue 16).

A minimal version of the contract between the "figures" and "daily" helpers: the daily report
reads its figures only through these names. Street and district figures are sums of the
stored community rows (``CommunityFigure`` with a day), never a recount of raw rows.
"""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.reports.figures import DAY_FIGURE_KEYS, refresh_figures
from fangkong.reports.models import CommunityFigure


def _(text: str) -> str:
    """A lazily translated label, typed as the ``str`` the contract names (it renders as
    one wherever a string is expected)."""
    return cast(str, gettext_lazy(text))


DAILY_GROUPS: list[tuple[str, tuple[str, ...]]] = [
    (_("Households and people"), ("households", "people")),
    (_("Passes and gates"), ("passes_active", "passes_suspended", "exits", "refusals")),
    (_("Health"), ("new_cases", "quarantined_households")),
    (_("Tasks"), ("overdue_tasks",)),
]
DAILY_KEYS: tuple[str, ...] = tuple(key for _title, keys in DAILY_GROUPS for key in keys)
DAILY_LABELS: dict[str, str] = {
    "households": _("Households"),
    "people": _("People"),
    "passes_active": _("Passes active"),
    "passes_suspended": _("Passes suspended"),
    "exits": _("Exits"),
    "refusals": _("Refusals at the gate"),
    "new_cases": _("New cases"),
    "quarantined_households": _("Households in home quarantine"),
    "overdue_tasks": _("Overdue tasks"),
}


def _community_ids(area: Area) -> list[int]:
    if area.level == AreaLevel.COMMUNITY:
        return [area.pk]
    return list(
        Area.objects.filter(path__startswith=area.path, level=AreaLevel.COMMUNITY).values_list(
            "pk", flat=True
        )
    )


def store_day(community_ids: list[int] | None, day: dt.date) -> int:
    """Store the day's figures of these communities (all: None) under ``day``: the current
    figures are counted again and copied; the day's own figures are already stored under
    it. Idempotent (a second run overwrites with the same values). Returns rows written."""
    refresh_figures(community_ids)
    current = CommunityFigure.objects.filter(day__isnull=True, key__in=DAILY_KEYS).exclude(
        key__in=DAY_FIGURE_KEYS
    )
    if community_ids is not None:
        current = current.filter(community_id__in=community_ids)
    written = 0
    now = timezone.now()
    for row in current:
        CommunityFigure.objects.update_or_create(
            community_id=row.community_id,
            day=day,
            key=row.key,
            defaults={"value": row.value, "updated": now},
        )
        written += 1
    return written


def figures_for(area: Area, day: dt.date) -> dict[str, int]:
    """A community's stored figures of ``day``, or their sum over the communities below a
    street or a district (one query). Keys never stored read 0."""
    figures = dict.fromkeys(DAILY_KEYS, 0)
    rows = CommunityFigure.objects.filter(day=day, key__in=DAILY_KEYS)
    if area.level == AreaLevel.COMMUNITY:
        rows = rows.filter(community_id=area.pk)
    else:
        rows = rows.filter(community__path__startswith=area.path)
    for key, value in rows.values("key").annotate(total=Sum("value")).values_list("key", "total"):
        figures[key] = int(value or 0)
    return figures


def figures_by_community(area: Area, day: dt.date) -> dict[int, dict[str, int]]:
    """Each community's stored figures of ``day`` below (or at) ``area``."""
    ids = _community_ids(area)
    found: dict[int, dict[str, int]] = {cid: dict.fromkeys(DAILY_KEYS, 0) for cid in ids}
    rows = CommunityFigure.objects.filter(
        community_id__in=ids, day=day, key__in=DAILY_KEYS
    ).values_list("community_id", "key", "value")
    for community_id, key, value in rows:
        found[community_id][key] = value
    return found
