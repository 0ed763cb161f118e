"""Deciding and recording a scan at a gate: the busiest request there is.

Gate events are their own log: a scan writes one row and touches the pass's ``out_since``,
nothing else, so a gate stays fast. The SQL of its one read and one write is in
``gate_sql``; the rules themselves are the pure ``access.pass_policy``."""

from __future__ import annotations

import datetime as dt
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.access import pass_policy
from fangkong.access.choices import Decision, Direction, FlagReason, PassScope, PassStatus
from fangkong.access.models import Exemption, GateEvent, Pass, PassPolicy, Suspension
from fangkong.access.services.gate_sql import EXITS_REACH, lock_household, read_gate, write_scan
from fangkong.access.services.gates import (
    ScanAnswer,
    ScanRequest,
    find_pass,
    gate_is_open,
    may_scan_at,
    reason_text,
)
from fangkong.access.services.policy import rules_for, scan_policy
from fangkong.access.services.suspensions import suspension_state
from fangkong.areas.models import Area
from fangkong.core.exceptions import ConflictError
from fangkong.core.querysets import require
from fangkong.staff.models import Checkpoint

#: An event whose device time is this much older than its arrival was queued offline.
OFFLINE_AFTER = dt.timedelta(seconds=90)
#: A device clock this far ahead of the server's is wrong; the arrival time is used instead.
CLOCK_SKEW = dt.timedelta(minutes=5)


def _exempt(item: Pass, day: dt.date) -> bool:
    """Whether an exemption covers the pass's holder today. Asked only of passes flagged as
    having one, so an ordinary scan costs no query here."""
    if not item.has_exemption:
        return False
    return (
        Exemption.objects.filter(
            household_id=item.household_id,
            revoked_at__isnull=True,
            starts_on__lte=day,
            ends_on__gte=day,
        )
        .filter(Q(person__isnull=True) | Q(person_id=item.person_id))
        .exists()
    )


def _first_out(item: Pass, policy: PassPolicy) -> dt.datetime | None:
    """When the household's longest outing in progress began. With one pass per household
    that is this pass's own; with passes per person, any member's."""
    if policy.pass_scope != PassScope.PERSON:
        return item.out_since
    return (
        Pass.objects.filter(household_id=item.household_id, out_since__isnull=False)
        .order_by("out_since")
        .values_list("out_since", flat=True)
        .first()
    )


def _exit_times(
    item: Pass, policy: PassPolicy, rules: pass_policy.Rules, at: dt.datetime
) -> tuple[dt.datetime, ...]:
    first_day = pass_policy.local_day(at, rules.time_zone) - dt.timedelta(
        days=rules.window_days - 1
    )
    since = pass_policy.day_start(first_day, rules.time_zone)
    person = policy.pass_scope == PassScope.PERSON and item.person_id
    # The household's exits, read with the pass for this very scan (``read_gate``).
    read_at, recent = getattr(item, "recent_exits", (None, ()))
    if read_at == at and not person and since >= at - EXITS_REACH:
        return tuple(t for t in recent if since <= t <= at)
    events = GateEvent.objects.filter(
        direction=Direction.OUT, passed=True, time__gte=since, time__lte=at
    )
    if person:
        events = events.filter(pass_obj__person_id=item.person_id, household=item.household_id)
    else:
        events = events.filter(household=item.household_id)
    return tuple(events.values_list("time", flat=True))


def _status_at(item: Pass, at: dt.datetime, offline: bool) -> tuple[str, dt.datetime | None]:
    """The pass's status for the rules. For an event that happened offline a while ago, a
    suspension counts only if it was in force then (a later one was unknowable, and no rule
    was broken)."""
    if not offline or item.status not in (PassStatus.ACTIVE, PassStatus.SUSPENDED):
        return item.status, item.suspended_until
    in_force = (
        Suspension.objects.filter(household=item.household_id, created__lte=at)
        .filter(Q(lifted_at__isnull=True) | Q(lifted_at__gt=at))
        .filter(Q(until__isnull=True) | Q(until__gt=at))
        .values_list("until", flat=True)
    )
    return suspension_state(list(in_force))


def evaluate(
    checkpoint: Checkpoint,
    code: str,
    direction: str,
    temperature: Decimal | None,
    at: dt.datetime,
    *,
    offline: bool = False,
    policy: PassPolicy | None = None,
    with_household: bool = False,
) -> tuple[Pass | None, pass_policy.Outcome]:
    """The decision for a scan, without recording anything (the scanner's preview)."""
    item = find_pass(checkpoint.community, code, with_household=with_household)
    return item, _outcome(
        checkpoint, item, direction, temperature, at, offline=offline, policy=policy
    )


def _outcome(
    checkpoint: Checkpoint,
    item: Pass | None,
    direction: str,
    temperature: Decimal | None,
    at: dt.datetime,
    *,
    offline: bool = False,
    policy: PassPolicy | None = None,
) -> pass_policy.Outcome:
    """The decision for the pass ``item`` (None: no such pass here) at this gate."""
    community = checkpoint.community
    policy = policy or getattr(checkpoint, "scan_policy", None) or scan_policy(community)
    rules = rules_for(policy, community)
    gate_open = gate_is_open(checkpoint, at)
    if item is None:
        return pass_policy.decide(
            pass_policy.Facts(
                direction=direction,
                at=at,
                rules=rules,
                pass_status=None,
                gate_open=gate_open,
            )
        )
    return pass_policy.decide(
        _facts(
            item, policy, rules, direction, temperature, at, offline=offline, gate_open=gate_open
        )
    )


def _facts(
    item: Pass,
    policy: PassPolicy,
    rules: pass_policy.Rules,
    direction: str,
    temperature: Decimal | None,
    at: dt.datetime,
    *,
    offline: bool,
    gate_open: bool,
) -> pass_policy.Facts:
    """What the decision for the pass ``item`` depends on, read from the database."""
    status, until = _status_at(item, at, offline)
    working = status not in (PassStatus.VOID, PassStatus.REPLACED)
    exempt = working and _exempt(item, pass_policy.local_day(at, rules.time_zone))
    first_out = _first_out(item, policy) if working and direction == Direction.OUT else None
    return pass_policy.Facts(
        direction=direction,
        at=at,
        rules=rules,
        pass_status=status,
        suspended_until=until,
        gate_open=gate_open,
        temperature=temperature,
        exits=_exit_times(item, policy, rules, at) if working else (),
        out_since=item.out_since,
        household_overdue=(not exempt and pass_policy.is_overdue(first_out, at, rules.max_minutes)),
        exempt=exempt,
    )


@dataclass(frozen=True)
class Standing:
    """Where a pass stands now: the gate's decision for an exit now (``outcome``), and the
    outings left before that exit (None: exempt) with when the next is allowed if none is."""

    outcome: pass_policy.Outcome
    left: int | None
    next_allowed_at: dt.datetime | None


def standing(item: Pass, at: dt.datetime | None = None) -> Standing:
    """What a gate would decide if the pass's holder went out at ``at`` (now) through an open
    gate without a temperature: the same facts and the same ``decide`` as a scan, for the
    household's own page (outings left, when the next is allowed, suspended)."""
    at = at or timezone.now()
    community = item.community
    policy = scan_policy(community)
    rules = rules_for(policy, community)
    facts = _facts(item, policy, rules, Direction.OUT, None, at, offline=False, gate_open=True)
    outcome = pass_policy.decide(facts)
    if facts.exempt:
        return Standing(outcome, None, None)
    # The quota the decision was taken on (an allowed exit's outcome counts the exit itself).
    now = pass_policy.quota(facts.exits, at, rules)
    return Standing(outcome, now.left, now.next_allowed_at)


def _answer(
    event: GateEvent, community: Area, *, created: bool, item: Pass | None = None
) -> ScanAnswer:
    return ScanAnswer(
        event=event,
        decision=event.decision,
        reason_code=event.reason_code,
        reason=reason_text(event.reason_code, event.next_allowed_at, community),
        quota_left=event.quota_left,
        next_allowed_at=event.next_allowed_at,
        created=created,
        pass_obj=item,
        time_zone=community.time_zone,
    )


def _event_time(device_time: dt.datetime | None, received: dt.datetime) -> tuple[dt.datetime, bool]:
    """When the event happened, and whether it was queued offline."""
    if device_time is None or device_time > received + CLOCK_SKEW:
        return received, False
    if received - device_time > OFFLINE_AFTER:
        return device_time, True
    return received, False


def _in_transaction(direction: str) -> bool:
    """Whether a scan decides and records in a transaction of its own: the decision and its
    event are one step per household, so two gates can never both spend a household's last
    outing.

    On SQLite, one IMMEDIATE transaction from the first read to the insert: scans are
    serialised, and it costs no round trip. On PostgreSQL an exit runs in a transaction that
    first takes the household's lock (``lock_household``), then reads and writes: another
    gate's exit of the same household waits for this one's commit, and its read (a new
    statement, so a new snapshot under READ COMMITTED) sees the outing just spent. BEGIN, the
    lock and COMMIT cost three short round trips (about 0.1 ms). An entry spends nothing, so
    it takes no lock and no transaction: its read runs on its own, its write is one statement.
    """
    return connection.vendor == "sqlite" or direction == Direction.OUT


def record_scan(request: ScanRequest, *, by: Any) -> ScanAnswer:
    """Decide and record one scan. The same ``client_event_id`` again at the same gate
    returns the first answer and records nothing (a unique constraint settles concurrent
    replays); at another gate it is a ``ConflictError``.

    One read (``read_gate``) and one write (``write_scan``): the event, and the pass's
    ``out_since`` when the movement changes it. On PostgreSQL an exit first locks its
    household (``_in_transaction``).
    """
    # No look-up first: a replay is rare (an offline queue sent again), and the unique
    # constraint on client_event_id recognises it at the insert, concurrent replays included.
    caller_transaction = connection.in_atomic_block
    try:
        atomic = _in_transaction(request.direction)
        with transaction.atomic() if atomic else nullcontext():
            if atomic:
                lock_household(request.checkpoint, request.code)  # PostgreSQL's exits
            # The time is taken once the household is this scan's (SQLite's transaction, or
            # the lock): a scan that waited for another gate's exit comes after it, so the
            # exits it counts (up to its own time) include that one.
            received = timezone.now()
            at, offline = _event_time(request.device_time, received)
            checkpoint, item = read_gate(request.checkpoint, request.code, at)
            if checkpoint is None or (
                isinstance(request.checkpoint, int) and not may_scan_at(by, checkpoint)
            ):
                raise Http404  # a gate out of the caller's scope is not found either
            community = checkpoint.community
            require(by, GateEvent, "add", community)
            outcome = _outcome(
                checkpoint, item, request.direction, request.temperature, at, offline=offline
            )
            event = _new_event(
                request, checkpoint, item, outcome, at=at, received=received, offline=offline, by=by
            )
            value = at if request.direction == Direction.OUT else None
            moves = event.passed and item is not None and _moves(item, value, at, offline)
            # In a caller's transaction, a savepoint: a replay's unique violation then
            # rolls back the scan only (the scan's own transaction, if any, rolls back whole:
            # in a caller's transaction it is that savepoint).
            with transaction.atomic() if caller_transaction and not atomic else nullcontext():
                write_scan(event, item if moves else None, value, may_relax=not caller_transaction)
    except IntegrityError as error:
        # Sent before: the unique constraint refused the copy (and everything it would
        # have changed with it). Answer as the first time.
        try:
            existing = GateEvent.objects.get(client_event_id=request.client_event_id)
        except GateEvent.DoesNotExist:
            raise error from None  # another constraint: not a replay
        if checkpoint is None:  # the insert that failed came after the gate was found
            raise error
        if existing.checkpoint_id != checkpoint.pk:
            # Not a replay: the id is taken at another gate, perhaps another community's.
            # Say only that (409), never that event's id, decision or community.
            raise ConflictError(
                _(
                    "This event id was already used at another gate: the "
                    "scanner must make a new one."
                )
            ) from None
        return _replayed(existing, community)
    return _answer(event, community, created=True, item=item)


def _new_event(
    request: ScanRequest,
    checkpoint: Checkpoint,
    item: Pass | None,
    outcome: pass_policy.Outcome,
    *,
    at: dt.datetime,
    received: dt.datetime,
    offline: bool,
    by: Any,
) -> GateEvent:
    """The gate event of a decided scan (not saved: ``write_scan`` inserts it)."""
    passed = outcome.allowed
    flag = outcome.flags[0] if outcome.flags else ""
    if offline and request.device_decision == Decision.ALLOW and not outcome.allowed:
        # The phone let them through on what it knew; the office reviews it.
        passed, flag = True, FlagReason.OFFLINE_RULE
    return GateEvent(
        community=checkpoint.community,
        checkpoint=checkpoint,
        pass_obj=item,
        household_id=item.household_id if item else None,
        # The pass's copy of its household's grid (core.placement): no extra read.
        grid_id=item.grid_id if item else None,
        direction=request.direction,
        decision=outcome.decision,
        reason_code=outcome.reason_code,
        passed=passed,
        temperature=request.temperature,
        quota_left=outcome.quota_left,
        next_allowed_at=outcome.next_allowed_at,
        client_event_id=request.client_event_id,
        time=at,
        device_time=request.device_time,
        received_at=received,
        offline=offline,
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
        flag=flag,
    )


def _replayed(event: GateEvent, community: Area) -> ScanAnswer:
    return _answer(event, community, created=False)


def _moves(item: Pass, value: dt.datetime | None, at: dt.datetime, offline: bool) -> bool:
    """Whether a movement sets the pass's ``out_since`` (who is out now) to ``value``: not
    when it says so already, and a late offline event never overrides a newer movement
    already recorded."""
    if value == item.out_since:
        return False
    return not (
        offline and GateEvent.objects.filter(pass_obj=item, passed=True, time__gt=at).exists()
    )
