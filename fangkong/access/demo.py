"""Demo access: 在水一方社区's gates, its pass policy, a pass for every household, a week of
gate events, some visitors, a suspended household and an overdue one.

The gates are the staff module's demo checkpoints; if it made none, two are added here (an
east gate open round the clock, a south gate 06:00–22:00). Passes are issued in bulk through
the service. The week of events ends at the moment of seeding (so "out now" and the reports
show something), and is otherwise drawn from a seeded generator: the same households go out
at the same times of day on every run. Events are inserted in bulk, as offline uploads would
be (through the demo's bulk path, ``insert_values`` of fangkong.core.demo); the rules are
respected (one outing in two days), plus a few refusals of each kind.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone

from fangkong.access import services
from fangkong.access.choices import Decision, Direction, ReasonCode, VisitorStatus
from fangkong.access.models import (
    Exemption,
    GateEvent,
    Pass,
    PassPolicy,
    Suspension,
    Visitor,
)
from fangkong.access.pass_policy import day_start, local_day
from fangkong.areas.models import Area
from fangkong.core.bulk import insert_values
from fangkong.core.bulk import update_objects as update_rows
from fangkong.core.demo import (
    DemoContext,
    delete_rows,
    fake_mobile,
    fake_name,
)
from fangkong.staff.models import Checkpoint

ORDER = 60
DEMO_GATE_NOTE = "fangkong access demo"
DAYS = 7
#: Share of households going out on a day when the rule allows them.
GOING_OUT = 0.55


def _gates(ctx: DemoContext, community: Area) -> list[Checkpoint]:
    gates = list(Checkpoint.objects.filter(community=community).order_by("name", "pk"))
    if gates:
        return gates
    from fangkong.staff.services.rosters import do_create_checkpoint

    return [
        do_create_checkpoint(
            community=community,
            by=None,
            name="东门",
            location="东园1号楼东侧",
            notes=DEMO_GATE_NOTE,
        ),
        do_create_checkpoint(
            community=community,
            by=None,
            name="南门",
            location="南园南侧",
            opens=dt.time(6),
            closes=dt.time(22),
            notes=DEMO_GATE_NOTE,
        ),
    ]


@dataclass
class _Week:
    """The week of gate events before ``now`` at the community's gates, as columns (inserted
    in bulk: no instance is needed), and the passes still out at its end."""

    rng: Any
    community: Any
    gates: list[Checkpoint]
    staff_user: Any
    now: dt.datetime
    events: list[dict[str, Any]] = field(default_factory=list)
    last_out: dict[int, dt.date] = field(default_factory=dict)
    open_outings: dict[int, dt.datetime] = field(default_factory=dict)

    def event(
        self,
        item: Pass | None,
        direction: str,
        at: dt.datetime,
        *,
        decision: str = "allow",
        code: str = ReasonCode.OK,
        temperature: str | None = None,
    ) -> dict[str, Any]:
        """A GateEvent's columns."""
        rng = self.rng
        gate = self.gates[0] if rng.random() < 0.6 else self.gates[-1]
        return {
            "community_id": self.community.pk,
            "checkpoint_id": gate.pk,
            "pass_obj_id": item.pk if item else None,
            "household_id": item.household_id if item else None,
            "direction": direction,
            "decision": decision,
            "reason_code": code,
            "passed": decision == Decision.ALLOW,
            "temperature": Decimal(temperature or f"36.{rng.randint(1, 8)}"),
            "client_event_id": uuid.UUID(int=rng.getrandbits(128), version=4),
            "time": at,
            "device_time": at,
            "received_at": at,
            "recorded_by_id": self.staff_user.pk if self.staff_user else None,
        }

    def day(self, day: dt.date, passes: list[Pass], overdue: Pass) -> None:
        """One day: the households that go out (the rules respected, a few refusals), and a
        few unknown cards."""
        rng = self.rng
        midnight = day_start(day, self.community.time_zone)
        for item in passes:
            if item is not overdue:
                self.outing(item, day, midnight)
        for _ in range(rng.randint(1, 4)):
            at = midnight + dt.timedelta(hours=rng.randint(8, 20), minutes=rng.randint(0, 59))
            if at < self.now:
                self.events.append(
                    self.event(
                        None,
                        Direction.OUT,
                        at,
                        decision=Decision.DENY,
                        code=ReasonCode.UNKNOWN_PASS,
                    )
                )

    def outing(self, item: Pass, day: dt.date, midnight: dt.datetime) -> None:
        rng, tz, events = self.rng, self.community.time_zone, self.events
        previous = self.last_out.get(item.pk)
        if rng.random() > GOING_OUT:
            return
        hour, minute = rng.randint(7, 18), rng.randint(0, 59)
        out_at = midnight + dt.timedelta(hours=hour, minutes=minute)
        if out_at >= self.now:
            return
        if previous is not None and (day - previous).days < 2:
            if rng.random() < 0.02:  # tried too early, refused with the next allowed time
                refused = self.event(
                    item, Direction.OUT, out_at, decision=Decision.DENY, code=ReasonCode.QUOTA_USED
                )
                refused["next_allowed_at"] = day_start(previous + dt.timedelta(days=2), tz)
                refused["quota_left"] = 0
                events.append(refused)
            return
        if rng.random() < 0.004:
            events.append(
                self.event(
                    item,
                    Direction.OUT,
                    out_at,
                    decision=Decision.DENY,
                    code=ReasonCode.FEVER,
                    temperature="37.6",
                )
            )
            return
        exit_event = self.event(item, Direction.OUT, out_at)
        exit_event["quota_left"] = 0
        exit_event["next_allowed_at"] = day_start(day + dt.timedelta(days=2), tz)
        events.append(exit_event)
        self.last_out[item.pk] = day
        back_at = out_at + dt.timedelta(minutes=rng.randint(25, 200))
        if back_at < self.now:
            events.append(self.event(item, Direction.IN, back_at))
        else:
            self.open_outings[item.pk] = out_at


def seed(ctx: DemoContext) -> None:
    rng = ctx.random("access")
    community = ctx.areas["community"]
    gates = _gates(ctx, community)
    services.do_update_policy(community, by=None)
    passes = services.do_issue_passes(community=community, by=None).passes
    services.do_issue_passes(community=ctx.areas["community2"], by=None)
    ctx.extra["access_gates"] = gates

    now = timezone.now()
    today = local_day(now, community.time_zone)
    week = _Week(rng, community, gates, ctx.users.get("demo-gate"), now)
    overdue = passes[7]  # out since this morning, long past the four hours allowed
    for offset in range(DAYS - 1, -1, -1):
        week.day(today - dt.timedelta(days=offset), passes, overdue)
    overdue_since = now - dt.timedelta(hours=6, minutes=10)
    late = week.event(overdue, Direction.OUT, overdue_since)
    late["quota_left"] = 0
    week.events.append(late)
    week.open_outings[overdue.pk] = overdue_since

    insert_values(GateEvent, week.events)
    out_now = [item for item in passes if item.pk in week.open_outings]
    for item in out_now:
        item.out_since = week.open_outings[item.pk]
    update_rows(Pass, out_now, ["out_since"])
    _stops(passes, now, today)
    visitors = _visitors(rng, gates, passes, now)

    ctx.count(f"{community.name} gates", len(gates))
    ctx.count(f"{community.name} passes", len(passes))
    ctx.count(f"{community.name} gate events", len(week.events))
    ctx.count(f"{community.name} visitors", visitors)


def _stops(passes: list[Pass], now: dt.datetime, today: dt.date) -> None:
    """A household quarantined by the health module, one the office is checking, and one
    exempted (a commuter)."""
    services.do_suspend_household_passes(
        passes[3].household,
        source="health",
        reason="居家隔离观察",
        by=None,
        until=now + dt.timedelta(days=14),
    )
    services.do_suspend_household_passes(
        passes[21].household,
        source="office",
        reason="出入证信息待核实",
        until=None,
        by=None,
    )
    services.do_create_exemption(
        household=passes[12].household,
        by=None,
        kind="commuter",
        document="单位复工证明",
        starts_on=today - dt.timedelta(days=3),
        ends_on=today + dt.timedelta(days=25),
    )


def _visitors(rng: Any, gates: list[Checkpoint], passes: list[Pass], now: dt.datetime) -> int:
    """Twelve visitors of the past week: two still inside, one refused, the rest gone."""
    visitors = 0
    taken: set[str] = set()
    for i in range(12):
        household = passes[rng.randrange(len(passes))].household
        visitor = services.do_register_visitor(
            checkpoint=gates[0],
            household=household,
            by=None,
            name=fake_name(rng, rng.choice("MF"), rng.randint(1960, 2000)),
            purpose=rng.choice(("探望父母", "送生活物资", "维修水管", "送药")),
            temperature=f"36.{rng.randint(1, 7)}",
            phone=fake_mobile(rng, taken),
            plate=rng.choice(("", "", "辽A" + f"{rng.randint(10000, 99999)}")),
        )
        time_in = now - dt.timedelta(hours=rng.randint(1, 6 * 24))
        time_out: dt.datetime | None
        status, time_out, confirmed = VisitorStatus.LEFT, time_in + dt.timedelta(minutes=50), "户主"
        if i < 2:  # still inside
            time_in = now - dt.timedelta(hours=i + 1)
            status, time_out = VisitorStatus.CONFIRMED, None
        elif i == 2:
            status, confirmed = VisitorStatus.REFUSED, ""
        Visitor.objects.filter(pk=visitor.pk).update(
            time_in=time_in,
            time_out=time_out,
            status=status,
            confirmed_by=confirmed,
            refusal_reason="户主不同意来访" if status == VisitorStatus.REFUSED else "",
        )
        visitors += 1
    return visitors


def find(ctx: DemoContext) -> bool:
    community = ctx.areas.get("community")
    if community is not None:
        ctx.count(f"{community.name} passes", Pass.objects.filter(community=community).count())
        ctx.count(
            f"{community.name} gate events", GateEvent.objects.filter(community=community).count()
        )
    return False  # the areas decide whether the demo exists


def unseed(ctx: DemoContext) -> None:
    communities = [ctx.areas[k] for k in ("community", "community2") if k in ctx.areas]
    if not communities:
        return
    in_demo = Q(community__in=communities)
    GateEvent.objects.filter(in_demo).delete()
    Visitor.objects.filter(in_demo).delete()
    Exemption.objects.filter(in_demo).delete()
    Suspension.objects.filter(in_demo).delete()
    Pass.objects.filter(in_demo).update(replaced_by=None)
    delete_rows(Pass.objects.filter(in_demo))
    PassPolicy.objects.filter(in_demo).delete()
    Checkpoint.objects.filter(in_demo, notes=DEMO_GATE_NOTE).delete()
