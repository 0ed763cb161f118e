"""How a module declares its daily figures (the numbers of the daily report, 日报).

Each module's ``stats.py`` declares ``DAILY_FIGURES``: a list of ``DailyCounter``, each a
group of figures (their keys and Chinese labels) and one function that counts them for MANY
communities at once over one local day. ``fangkong.reports.daily`` collects every module's
list, stores the counts per community and day, and sums stored rows for streets and
districts. The declaration lives in core, not in reports, because the modules sit below
reports (dependencies point one way: a module must not import the app that reads it).

A counter gets a ``DayWindow``: the community ids (all in one time zone), the local day, and
that day's start and end as aware datetimes. It answers ``{community_id: {key: value}}``
with one grouped query per figure (or a few) on the indexed ``community_id`` columns, never
one query per community. Keys it leaves out are stored as 0.

Figures are of two kinds: what happened during the day (exits, new cases, patrols: a range
of the day's times or dates) and how things stood at its end (households, people under
quarantine: rows that began before the end and had not ended by then). A state the tables
keep no history of (a pass's status) is as it stands when counted; the nightly job counts
yesterday's figures a few minutes after the community's midnight, so it is the end of day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class DayWindow:
    """One local day of some communities that share a time zone."""

    community_ids: list[int]
    day: dt.date
    start: dt.datetime  # local midnight starting the day (aware)
    end: dt.datetime  # the next local midnight (aware)

    def counts(self, keys: tuple[str, ...]) -> dict[int, dict[str, int]]:
        """An empty count (every key 0) for each community: counters fill it in."""
        return {cid: dict.fromkeys(keys, 0) for cid in self.community_ids}


Counts = dict[int, dict[str, int]]


@dataclass(frozen=True)
class DailyCounter:
    """A group of daily figures of one module and the function that counts them."""

    group: str | Promise  # the group's title in the report (a lazy translation)
    figures: tuple[tuple[str, str | Promise], ...]  # (key, label) in report order
    count: Callable[[DayWindow], Counts]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(key for key, _label in self.figures)


def fill(
    counts: Counts, rows: Iterable[Mapping[str, Any]], key_of: dict[str, str] | None = None
) -> None:
    """Copy grouped rows (dicts with ``community_id`` and counts) into ``counts``; where
    ``key_of`` is given, a row's field ``name`` goes to the figure ``key_of[name]``."""
    for row in rows:
        target = counts.get(row["community_id"])
        if target is None:
            continue
        for name, value in row.items():
            if name == "community_id":
                continue
            target[key_of.get(name, name) if key_of else name] = int(value or 0)
