"""The outing rule and the gate's decision, as pure arithmetic (no database).

A community allows ``outings`` exits per household (or per person) in any ``window_days``
consecutive calendar days of its own time zone. The default, one in two days, means: out on
Monday, next allowed from Wednesday 00:00 — an exit on Monday 23:59 and one on Tuesday 00:01
are in the same window, whatever the hour. The scan service gathers the facts (recent exits,
the open outing, exemptions, the gate's hours) in a few queries and asks ``decide``; the
offline scanner repeats the same rules in ``static/access/scanner.js``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

from fangkong.access.choices import Decision, Direction, FlagReason, PassStatus, ReasonCode


@cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_day(at: dt.datetime, time_zone: str) -> dt.date:
    """The calendar day of ``at`` in the community's time zone."""
    return at.astimezone(zone(time_zone)).date()


def day_start(day: dt.date, time_zone: str) -> dt.datetime:
    """00:00 of ``day`` in the community's time zone, as an aware datetime."""
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone(time_zone))


@dataclass(frozen=True)
class Rules:
    """What a community's pass policy says, plus its fever threshold and time zone."""

    outings: int = 1
    window_days: int = 2
    max_minutes: int | None = 240
    fever_threshold: Decimal = Decimal("37.3")
    time_zone: str = "Asia/Shanghai"


@dataclass(frozen=True)
class Quota:
    """Exits left in the current window, and when the next is allowed if none is left."""

    left: int
    next_allowed_at: dt.datetime | None


def quota(exits: Iterable[dt.datetime], at: dt.datetime, rules: Rules) -> Quota:
    """Exits left at ``at`` given the earlier allowed exits (any order, older ones ignored).

    The window of ``at`` is its calendar day and the ``window_days - 1`` days before. When
    none is left, the next exit is allowed at 00:00 of the day the oldest exit that must drop
    out of the window leaves it.
    """
    today = local_day(at, rules.time_zone)
    first = today - dt.timedelta(days=rules.window_days - 1)
    days = sorted(
        d for d in (local_day(t, rules.time_zone) for t in exits if t <= at) if first <= d <= today
    )
    left = max(rules.outings - len(days), 0)
    if left > 0:
        return Quota(left, None)
    # len(days) - outings + 1 exits must leave the window; the last of them decides when.
    leaving = days[len(days) - rules.outings]
    return Quota(0, day_start(leaving + dt.timedelta(days=rules.window_days), rules.time_zone))


def is_overdue(out_since: dt.datetime | None, at: dt.datetime, max_minutes: int | None) -> bool:
    """Whether an outing that began at ``out_since`` has lasted longer than allowed."""
    if out_since is None or not max_minutes:
        return False
    return at - out_since > dt.timedelta(minutes=max_minutes)


def is_open(
    *,
    is_open_flag: bool,
    opens: dt.time | None,
    closes: dt.time | None,
    at: dt.datetime,
    time_zone: str,
) -> bool:
    """Whether a gate is open at ``at``: its switch is on and the local time is within hours.

    No closing time means open around the clock; a closing time before the opening time
    means the gate is open overnight (20:00–06:00).
    """
    if not is_open_flag:
        return False
    if closes is None or opens is None:
        return True
    now = at.astimezone(zone(time_zone)).time()
    if opens <= closes:
        return opens <= now < closes
    return now >= opens or now < closes


@dataclass(frozen=True)
class Facts:
    """Everything the gate's decision depends on, gathered by the scan service."""

    direction: str
    at: dt.datetime
    rules: Rules
    pass_status: str | None  # None: no such pass here
    gate_open: bool = True
    temperature: Decimal | None = None
    #: Allowed exits of the household (or person) that count against the quota.
    exits: tuple[dt.datetime, ...] = ()
    #: When this pass went out, if it is out now.
    out_since: dt.datetime | None = None
    #: The household has someone out longer than the maximum time (another pass included).
    household_overdue: bool = False
    exempt: bool = False
    #: A suspension whose end has passed is no suspension (the periodic lift may lag).
    suspended_until: dt.datetime | None = None


@dataclass(frozen=True)
class Outcome:
    decision: str
    reason_code: str
    quota_left: int | None = None
    next_allowed_at: dt.datetime | None = None
    flags: tuple[str, ...] = field(default_factory=tuple)

    @property
    def allowed(self) -> bool:
        return self.decision == Decision.ALLOW


def _deny(code: str, **kwargs: object) -> Outcome:
    return Outcome(Decision.DENY, code, **kwargs)  # type: ignore[arg-type]


def effective_status(
    status: str | None, suspended_until: dt.datetime | None, at: dt.datetime
) -> str | None:
    if status == PassStatus.SUSPENDED and suspended_until is not None and suspended_until <= at:
        return PassStatus.ACTIVE
    return status


def decide(facts: Facts) -> Outcome:
    """The gate's decision. Order matters: the first rule that refuses names the reason.

    1. an unknown pass; 2. a closed gate; 3. a void, replaced or suspended pass; 4. a
    temperature at or above the threshold; then for an exit 5. someone of the household out
    beyond the maximum time and 6. the outing quota. An entry is always let in otherwise
    (people go home), flagged when it has no exit or returns late.
    """
    rules = facts.rules
    status = effective_status(facts.pass_status, facts.suspended_until, facts.at)
    if status is None:
        return _deny(ReasonCode.UNKNOWN_PASS)
    if not facts.gate_open:
        return _deny(ReasonCode.GATE_CLOSED)
    if status == PassStatus.VOID:
        return _deny(ReasonCode.VOID)
    if status == PassStatus.REPLACED:
        return _deny(ReasonCode.REPLACED)
    if status == PassStatus.SUSPENDED:
        return _deny(ReasonCode.SUSPENDED)
    if facts.temperature is not None and facts.temperature >= rules.fever_threshold:
        return _deny(ReasonCode.FEVER)

    current = quota(facts.exits, facts.at, rules)
    if facts.direction == Direction.IN:
        left = None if facts.exempt else current.left
        next_at = None if facts.exempt else current.next_allowed_at
        if facts.out_since is None:
            return Outcome(
                Decision.ALLOW, ReasonCode.OK, left, next_at, (FlagReason.ENTRY_WITHOUT_EXIT,)
            )
        if not facts.exempt and is_overdue(facts.out_since, facts.at, rules.max_minutes):
            return Outcome(Decision.ALLOW, ReasonCode.OVERDUE, left, next_at, (FlagReason.OVERDUE,))
        return Outcome(Decision.ALLOW, ReasonCode.OK, left, next_at)

    flags: tuple[str, ...] = ()
    if facts.out_since is not None:
        flags = (FlagReason.EXIT_WITHOUT_ENTRY,)
    if facts.exempt:
        return Outcome(Decision.ALLOW, ReasonCode.OK, None, None, flags)
    if facts.household_overdue:
        return _deny(ReasonCode.OVERDUE, quota_left=current.left)
    if current.left <= 0:
        return _deny(ReasonCode.QUOTA_USED, quota_left=0, next_allowed_at=current.next_allowed_at)
    after = quota((*facts.exits, facts.at), facts.at, rules)
    return Outcome(Decision.ALLOW, ReasonCode.OK, after.left, after.next_allowed_at, flags)
