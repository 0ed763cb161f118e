"""Demo daily figures: four more communities in 五三街道 and 30 days of stored history.

The street gets four small communities (``add_street_communities``; the daily report's demo
adds their reports) so a street official has communities to compare. Their history, and
the demo community's before today, is a plausible generated series (the demo's raw rows
are all made today, so a recount of last month would be empty); today's figures of the two
communities with raw rows are counted from those rows by ``reports.daily.store_day``, and
their series is drawn towards them so the curve meets the counted day. Deterministic: the
series draw from the app's own generator.
"""

from __future__ import annotations

import datetime as dt
import math
import random

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.areas.services import do_create_area
from fangkong.core.demo import DemoContext, insert_rows
from fangkong.reports import daily
from fangkong.reports.models import CommunityFigure

ORDER = 90

#: Generated names and the demo's own codes (not official statistical codes).
STREET_COMMUNITIES = (
    ("春晖社区", "210112D53003", 1450),
    ("丽景社区", "210112D53004", 980),
    ("锦绣社区", "210112D53005", 2100),
    ("和顺社区", "210112D53006", 1620),
)
HISTORY_DAYS = 30


def add_street_communities(ctx: DemoContext) -> list[Area]:
    """The four more communities of 五三街道 (each with one grid), made once; kept in
    ``ctx.extra["street_communities"]``."""
    found = ctx.extra.get("street_communities")
    if found:
        return list(found)
    street = ctx.areas["street"]
    communities = []
    for name, code, _households in STREET_COMMUNITIES:
        community = Area.objects.filter(code=code).first() or do_create_area(
            level=AreaLevel.COMMUNITY, name=name, code=code, parent=street, by=None
        )
        if not Area.objects.filter(parent=community).exists():
            do_create_area(
                level=AreaLevel.GRID,
                name="第一网格",
                code=f"{code}-G01",
                parent=community,
                by=None,
            )
        communities.append(community)
    ctx.extra["street_communities"] = communities
    return communities


def _series(
    rng: random.Random, households: int, i: int, days: int, per_household: float = 2.6
) -> dict[str, int]:
    """One day's figures of a community of ``households`` households, ``i`` days into a
    month whose outbreak peaks in its middle."""
    wave = math.exp(-(((i - days * 0.45) / (days * 0.2)) ** 2))  # 0..1, peak mid-month
    progress = (i + 1) / days

    def noisy(value: float, spread: float = 0.15) -> int:
        return max(0, round(value * (1 + rng.uniform(-spread, spread))))

    people = round(households * per_household)
    reached = round(households * (0.35 + 0.6 * progress))
    unreachable = noisy(households * 0.02)
    refusals = {code: noisy(households * 0.002 * weight) for code, weight in _REFUSAL_WEIGHTS}
    home = noisy(households * 0.03 * wave + 2)
    exits = noisy(households * 0.3 * (1 - 0.5 * wave))
    figures = {
        "households.total": households,
        "households.added": rng.randint(0, 2),
        "people.total": people,
        "people.added": rng.randint(0, 6),
        "people.left": rng.randint(0, 3),
        "screening.reached": reached,
        "screening.reached_today": noisy(households * 0.6 / days),
        "screening.pending": max(households - reached - unreachable, 0),
        "screening.unreachable": unreachable,
        "screening.alerts": noisy(3 * wave, 0.5),
        "passes.active": round(households * 0.92),
        "passes.suspended": noisy(home * 0.6 + 1),
        "gate.exits": exits,
        "gate.entries": max(exits - rng.randint(0, 5), 0),
        "gate.refusals": sum(refusals.values()),
        **{f"gate.refusals.{code}": n for code, n in refusals.items()},
        "gate.overdue": rng.randint(0, 4),
        "visitors": noisy(households * 0.01 * (1 - wave) + 1),
        "cases.confirmed": round(3 * wave),
        "cases.suspected": round(2 * wave * rng.random()),
        "cases.asymptomatic": round(1.5 * wave * rng.random()),
        "cases.new": 1 if rng.random() < 0.3 * wave else 0,
        "contacts.new": noisy(4 * wave, 0.5),
        "quarantine.home": home,
        "quarantine.centralised": noisy(households * 0.004 * wave + 1),
        "quarantine.monitoring": noisy(households * 0.01 * wave + 3),
        "reports.missing": rng.randint(0, max(home // 10, 1)),
        "fevers": 1 if rng.random() < 0.2 else 0,
        "disinfections": noisy(6 + 6 * wave),
        "tasks.open": noisy(8 + 10 * wave),
        "tasks.overdue": rng.randint(0, 3),
        "patrols": noisy(8),
        # Publicity follows the wave; no draw of rng, so the figures above stay as they were.
        "outreach.rounds": round(2 + 2 * wave),
        "outreach.buildings_covered": round(10 + 15 * wave),
        "outreach.notified": round(households * 0.05 * wave),
    }
    return {key: figures.get(key, 0) for key in daily.DAILY_KEYS}


_REFUSAL_WEIGHTS = (
    ("quota_used", 3.0),
    ("suspended", 1.0),
    ("overdue", 0.5),
    ("fever", 0.2),
    ("gate_closed", 0.8),
    ("unknown_pass", 0.5),
)


def _drawn_towards(
    figures: dict[str, int], counted: dict[str, int], weight: float
) -> dict[str, int]:
    """Figures moved towards a counted day's (weight 1: equal to them): the generated
    curve meets the real counts of yesterday. Figures counted as 0 keep their own value
    (a demo with no gate events yet still shows a month of exits)."""
    return {
        key: round(value + (counted[key] - value) * weight) if counted.get(key) else value
        for key, value in figures.items()
    }


def seed(ctx: DemoContext) -> None:
    rng = ctx.random("reports")
    extra = add_street_communities(ctx)
    counted_ones = [ctx.areas[key] for key in ("community", "community2") if key in ctx.areas]
    today = (counted_ones or extra)[0].local_today()
    # The communities with raw rows: today counted from them (their rows were all made
    # today, so a recount of yesterday would find no household); the month before is
    # generated, drawn towards today's counts.
    daily.store_day([c.pk for c in counted_ones], today)
    counted = {c.pk: daily.figures_for(c, today) for c in counted_ones}
    rows: list[CommunityFigure] = []
    sizes = [(c, counted[c.pk]["households.total"] or 1200) for c in counted_ones]
    sizes += [
        (c, households)
        for c, (_name, _code, households) in zip(extra, STREET_COMMUNITIES, strict=True)
    ]
    for community, households in sizes:
        # The counted communities: the 30 days before today; the four others: those and
        # today (their reports are the daily report's demo).
        days = HISTORY_DAYS + (0 if community.pk in counted else 1)
        first = today - dt.timedelta(days=HISTORY_DAYS)
        for i in range(days):
            own = counted.get(community.pk, {})
            per_household = (own.get("people.total") or 2.6 * households) / households
            figures = _series(rng, households, i, days, per_household)
            if community.pk in counted:
                figures = _drawn_towards(figures, counted[community.pk], (i + 1) / days)
            rows.extend(
                CommunityFigure(
                    community_id=community.pk,
                    day=first + dt.timedelta(days=i),
                    key=key,
                    value=value,
                )
                for key, value in figures.items()
            )
    CommunityFigure.objects.filter(
        community_id__in=[c.pk for c, _households in sizes],
        day__lt=today,
        key__in=daily.DAILY_KEYS,
    ).delete()
    CommunityFigure.objects.filter(
        community_id__in=[c.pk for c in extra], key__in=daily.DAILY_KEYS
    ).delete()
    insert_rows(CommunityFigure, rows)
    # The street's, district's and city's sums of each generated day.
    everyone = [c.pk for c, _households in sizes]
    for back in range(1, HISTORY_DAYS + 1):
        daily.roll_up(everyone, today - dt.timedelta(days=back))
    daily.roll_up(everyone, today)
    ctx.count("daily figures", len(rows) + len(counted_ones) * len(daily.DAILY_KEYS))


def find(ctx: DemoContext) -> bool:
    found = list(
        Area.objects.filter(code__in=[code for _n, code, _h in STREET_COMMUNITIES]).order_by("code")
    )
    if found:
        ctx.extra["street_communities"] = found
    return False  # the areas' demo says whether the demo exists


def unseed(ctx: DemoContext) -> None:
    # The four communities lie in the demo street: the areas' unseed deletes them (and
    # their stored figures with them, CASCADE) after this.
    ctx.extra.pop("street_communities", None)
