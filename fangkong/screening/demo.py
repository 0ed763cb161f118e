"""Demo screening: a campaign over 在水一方社区 under way since yesterday morning.

Most households are reached, some are pending (a few already offered again later today),
a few are unreachable and wait for a door visit, two moved away, and a handful of answers
raised alerts with tasks for the officer. ``demo-grid1`` has households due now.

Which household ends how, and every answer, comes from ``ctx.random("screening")``, so each
run builds the same campaign. Its dates and call times follow the day the demo is built —
a campaign "under way" must be under way when someone opens it — and calls that would lie
in the future are moved to yesterday. The few calls that raise alerts, move-outs and door
visits go through ``services.do_record_call`` (tasks, proposals, audit); the rest are
inserted in bulk with their audit rows, as an import would, through the demo's bulk path
(``insert_rows``, ``update_rows`` and ``record_changes_in_bulk`` of fangkong.core.demo).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone

from fangkong.accounts.models import User
from fangkong.core.choices import ChangeAction
from fangkong.core.demo import (
    DemoContext,
    delete_rows,
    insert_rows,
    record_changes_in_bulk,
    update_rows,
)
from fangkong.outreach.services import do_create_script
from fangkong.registry.models import Person
from fangkong.screening.choices import AssignmentStatus, Outcome, RecordSource
from fangkong.screening.models import (
    Alert,
    CallAssignment,
    CallAttempt,
    Campaign,
    MoveOutProposal,
    Questionnaire,
    ScreeningRecord,
)
from fangkong.screening.services import (
    default_questionnaire,
    do_create_campaign,
    do_record_call,
    do_start_campaign,
)

ORDER = 50

NAME = "在水一方社区第一轮电话排查"
SCRIPT_TITLE = "第一轮电话排查开场白"
SCRIPT = """您好！我是在水一方社区的网格员，打扰您一两分钟。

社区正在给每一户居民打电话做健康登记，每家都打，不是因为您家有什么情况，请您放心。

小区里的确诊病人已经在定点医院治疗，疾控中心也已经把楼道和公共区域消过毒了。社区二十四小时有人值班，有事随时找我们。

我问您几个简单的问题，一会儿就好。（按登记表逐项询问，记下回答。）

这些天请您和家人尽量少出门，出门戴好口罩，回家先洗手，屋里常开窗通风。家里谁要是发烧、咳嗽，先给社区打电话，我们帮您联系医院，别自己去挤门诊。

买菜、买药有困难的，家里有独居老人需要照应的，也都告诉我，社区来想办法。

网上的消息别急着转，以社区和政府发布的通知为准。谢谢您的配合，祝您全家平安！"""

#: Shares of households by how their screening ends (of 1,901: ~1,640 reached).
PENDING_SHARE = 0.10
UNREACHABLE = 24
MOVED = 2
#: Answers that raise alerts, one household each: (answers over the calm default).
ALERTS: tuple[dict[str, Any], ...] = (
    {"contact": "yes"},
    {"fever": "yes", "temperature": "38.2", "symptoms": ["cough", "fatigue"]},
    {"temperature": "37.6"},
    {
        "travelled": "yes",
        "high_risk_area": "yes",
        "origin": "湖北省武汉市",
        "transport": "train",
        "trip_number": "G1234",
        "return_date": -9,
    },
    {
        "travelled": "yes",
        "high_risk_area": "yes",
        "origin": "浙江省温州市",
        "transport": "car",
        "return_date": -6,
    },
    {"special_needs": ["elderly_alone", "medicine"]},
)
ORIGINS = ("辽宁省大连市", "北京市", "吉林省长春市", "黑龙江省哈尔滨市", "山东省青岛市")
FIRST_HOUR, LAST_HOUR = 8, 20


def _calm_answers(rng: random.Random, today: dt.date) -> dict[str, Any]:
    answers: dict[str, Any] = {
        "travelled": "no",
        "contact": "no",
        "fever": "no",
        "symptoms": ["none"],
        "temperature": f"{rng.uniform(36.0, 37.1):.1f}",
        "quarantine": "none",
        "special_needs": ["none"],
    }
    if rng.random() < 0.06:
        transport = rng.choice(("car", "train", "plane", "coach"))
        answers.update(
            travelled="yes",
            high_risk_area="no",
            origin=rng.choice(ORIGINS),
            transport=transport,
            return_date=(today - dt.timedelta(days=rng.randint(15, 30))).isoformat(),
        )
        if transport in ("train", "plane"):
            answers["trip_number"] = (
                f"G{rng.randint(100, 9999)}"
                if transport == "train"
                else f"CZ{rng.randint(1000, 6999)}"
            )
        if rng.random() < 0.3:
            answers["quarantine"] = "released"
    if rng.random() < 0.05:
        answers["special_needs"] = ["elderly_alone"]
    if rng.random() < 0.03:
        answers["special_needs"] = ["chronic"]
    return answers


def _call_time(
    rng: random.Random, start: dt.datetime, now: dt.datetime, tz: ZoneInfo
) -> dt.datetime:
    """A daytime moment yesterday or today before now (else yesterday's)."""
    day = start.date() + dt.timedelta(days=rng.randint(0, 1))
    moment = dt.datetime.combine(
        day, dt.time(rng.randint(FIRST_HOUR, LAST_HOUR - 1), rng.randint(0, 59)), tzinfo=tz
    )
    if moment >= now:
        moment -= dt.timedelta(days=1)
    return max(moment, start + dt.timedelta(minutes=30))


def seed(ctx: DemoContext) -> None:
    rng = ctx.random("screening")
    community = ctx.areas["community"]
    tz = ZoneInfo(community.time_zone)
    now = timezone.now()
    today = timezone.localtime(now, tz).date()
    start = dt.datetime.combine(today - dt.timedelta(days=1), dt.time(FIRST_HOUR), tzinfo=tz)

    questionnaire = default_questionnaire(community)
    # The campaign's call script comes from the community's script library (outreach).
    script = do_create_script(area=community, by=None, title=SCRIPT_TITLE, text=SCRIPT)
    campaign = do_create_campaign(
        area=community,
        by=None,
        name=NAME,
        questionnaire=questionnaire,
        script_version=script.current,
        starts_on=start.date(),
        ends_on=today + dt.timedelta(days=13),
        retry_delay_minutes=60,
    )
    do_start_campaign(campaign, by=None, now=start)
    # Everything the calls and their audit rows read, in one query (not one per household).
    assignments = list(
        CallAssignment.objects.filter(campaign=campaign)
        .select_related("campaign", "assignee", "grid", "community", "household__building")
        .order_by(
            "household__building__sort_key",
            "household__unit",
            "household__floor",
            "household__room",
        )
    )
    workers: dict[int | None, User] = {
        u.area_id: u for u in ctx.users.values() if u.role == "grid_worker"
    }

    # Who ends how: a fixed draw over the households in building order.
    order = list(range(len(assignments)))
    rng.shuffle(order)
    alerted = order[: len(ALERTS)]
    moved = order[len(ALERTS) : len(ALERTS) + MOVED]
    unreachable = order[len(ALERTS) + MOVED : len(ALERTS) + MOVED + UNREACHABLE]
    rest = order[len(ALERTS) + MOVED + UNREACHABLE :]
    pending = set(rest[: round(len(assignments) * PENDING_SHARE)])
    reached = [i for i in rest if i not in pending]

    _bulk_reached(
        ctx, rng, campaign, [assignments[i] for i in reached], workers, start, now, tz, today
    )
    _pending(rng, [assignments[i] for i in sorted(pending)], workers, start, now, tz)
    for i, extra in zip(alerted, ALERTS, strict=True):
        answers = _calm_answers(rng, today) | extra
        if "return_date" in extra:
            answers["return_date"] = (today + dt.timedelta(days=extra["return_date"])).isoformat()
        assignment = assignments[i]
        do_record_call(
            assignment,
            by=workers.get(assignment.grid_id),
            outcome=Outcome.ANSWERED,
            answers=answers,
            now=_call_time(rng, start, now, tz),
        )
    for i in moved:
        assignment = assignments[i]
        leavers = list(
            Person.objects.filter(
                household_id=assignment.household_id, status="active"
            ).values_list("pk", flat=True)
        )
        do_record_call(
            assignment,
            by=workers.get(assignment.grid_id),
            outcome=Outcome.MOVED,
            moved_people=leavers,
            moved_date=today - dt.timedelta(days=40),
            note=rng.choice(("房子已出售，全家搬到大连", "随子女去外地居住")),
            now=_call_time(rng, start, now, tz),
        )
    _unreachable(rng, [assignments[i] for i in unreachable], workers, start, now)

    ctx.extra["campaign"] = campaign
    _count(ctx, campaign)


def _unreachable(
    rng: random.Random,
    assignments: list[CallAssignment],
    workers: dict[int | None, User],
    start: dt.datetime,
    now: dt.datetime,
) -> None:
    """Households nobody reaches: every fourth a dead number, the rest failed calls."""
    for n, assignment in enumerate(assignments):
        worker = workers.get(assignment.grid_id)
        outcomes = (
            (Outcome.NUMBER_INVALID,)
            if n % 4 == 0
            else (Outcome.NO_ANSWER, Outcome.NO_ANSWER, Outcome.REFUSED)
        )
        moment = start + dt.timedelta(hours=1, minutes=rng.randint(0, 90))
        for outcome in outcomes:
            do_record_call(assignment, by=worker, outcome=outcome, now=moment)
            moment += dt.timedelta(hours=rng.randint(2, 5))
            moment = min(moment, now - dt.timedelta(minutes=5))


def _count(ctx: DemoContext, campaign: Campaign) -> None:
    counts = CallAssignment.objects.filter(campaign=campaign)
    ctx.count("screening households", counts.count())
    ctx.count("screening reached", counts.filter(status=AssignmentStatus.REACHED).count())
    ctx.count("screening pending", counts.filter(status=AssignmentStatus.PENDING).count())
    ctx.count("screening unreachable", counts.filter(status=AssignmentStatus.UNREACHABLE).count())
    ctx.count("screening alerts", campaign.alerts.count())


def _bulk_reached(
    ctx: DemoContext,
    rng: random.Random,
    campaign: Campaign,
    assignments: list[CallAssignment],
    workers: dict[int | None, User],
    start: dt.datetime,
    now: dt.datetime,
    tz: ZoneInfo,
    today: dt.date,
) -> None:
    """Reached households, in bulk: a failed call first for some, then the answered one."""
    version = campaign.questionnaire.current
    befores = {a.pk: a.audit_snapshot() for a in assignments}
    attempts: list[CallAttempt] = []
    records: list[ScreeningRecord] = []
    for assignment in assignments:
        caller = workers.get(assignment.grid_id)
        at = _call_time(rng, start, now, tz)
        if rng.random() < 0.15:  # nobody answered the first time
            first = max(start, at - dt.timedelta(hours=rng.randint(1, 3)))
            attempts.append(_attempt(assignment, caller, Outcome.NO_ANSWER, first))
            assignment.attempts = 1
        visited = rng.random() < 0.03
        attempt = _attempt(assignment, caller, Outcome.VISITED if visited else Outcome.ANSWERED, at)
        attempts.append(attempt)
        records.append(
            ScreeningRecord(
                community=assignment.community,
                grid=assignment.grid,
                campaign=campaign,
                assignment=assignment,
                household=assignment.household,
                questionnaire_version=version,
                answers=_calm_answers(rng, today),
                attempt=attempt,
                source=RecordSource.VISIT if visited else RecordSource.CALL,
                recorded_by=caller,
                recorded_at=at,
            )
        )
        assignment.status, assignment.reached_at = AssignmentStatus.REACHED, at
        assignment.last_outcome, assignment.last_attempt_at = attempt.outcome, at
        assignment.version += 1 + assignment.attempts
    insert_rows(CallAttempt, attempts)
    for record in records:
        if record.attempt is None:  # every record above is made with its attempt
            raise ValueError("a demo record without its attempt")
        record.attempt_id = record.attempt.pk
    insert_rows(ScreeningRecord, records)
    update_rows(
        CallAssignment,
        assignments,
        ["status", "reached_at", "last_outcome", "last_attempt_at", "attempts", "version"],
    )
    record_changes_in_bulk(ChangeAction.CREATE, attempts)
    record_changes_in_bulk(ChangeAction.CREATE, records)
    record_changes_in_bulk(ChangeAction.UPDATE, assignments, befores=befores)


def _attempt(assignment: CallAssignment, caller: Any, outcome: str, at: dt.datetime) -> CallAttempt:
    return CallAttempt(
        community=assignment.community,
        grid=assignment.grid,
        campaign=assignment.campaign,
        assignment=assignment,
        caller=caller,
        outcome=outcome,
        at=at,
    )


def _pending(
    rng: random.Random,
    assignments: list[CallAssignment],
    workers: dict[int | None, User],
    start: dt.datetime,
    now: dt.datetime,
    tz: ZoneInfo,
) -> None:
    """Not reached yet: most never called, some tried once or twice (a few due again later)."""
    attempts: list[CallAttempt] = []
    changed: list[CallAssignment] = []
    befores = {a.pk: a.audit_snapshot() for a in assignments}
    for assignment in assignments:
        if rng.random() >= 0.35:
            continue
        tries = rng.choice((1, 1, 2))
        at = _call_time(rng, start, now, tz)
        for n in range(tries):
            moment = max(start, at - dt.timedelta(hours=2 * (tries - 1 - n)))
            attempts.append(
                _attempt(
                    assignment,
                    workers.get(assignment.grid_id),
                    rng.choice((Outcome.NO_ANSWER, Outcome.REFUSED)),
                    moment,
                )
            )
        assignment.attempts = tries
        assignment.last_outcome, assignment.last_attempt_at = attempts[-1].outcome, at
        # Called within the last hour: offered again later today; otherwise due now.
        assignment.next_call_at = at + dt.timedelta(minutes=assignment.campaign.retry_delay_minutes)
        assignment.version += tries
        changed.append(assignment)
    insert_rows(CallAttempt, attempts)
    update_rows(
        CallAssignment,
        changed,
        ["attempts", "last_outcome", "last_attempt_at", "next_call_at", "version"],
    )
    record_changes_in_bulk(ChangeAction.CREATE, attempts)
    record_changes_in_bulk(ChangeAction.UPDATE, changed, befores=befores)


def find(ctx: DemoContext) -> bool:
    community = ctx.areas.get("community")
    if community is not None:
        campaign = Campaign.objects.filter(area=community, name=NAME).first()
        if campaign is not None:
            ctx.extra["campaign"] = campaign
            ctx.count("screening households", campaign.households_total)
    return False  # the areas decide whether the demo exists


def unseed(ctx: DemoContext) -> None:
    communities = [ctx.areas[k] for k in ("community", "community2") if k in ctx.areas]
    street = ctx.areas.get("street")
    if street is not None:
        below = street.descendants(include_self=True)
        campaigns = Campaign.objects.filter(area__in=below)
        questionnaires = Questionnaire.objects.filter(area__in=below)
    else:
        campaigns = Campaign.objects.filter(area__in=communities)
        questionnaires = Questionnaire.objects.filter(area__in=communities)
    # Campaigns take their assignments, calls, records, alerts and move-outs with them; the
    # big tables go first, each in one statement when nothing else points at their rows.
    in_campaigns = Q(campaign__in=campaigns.values("pk"))
    delete_rows(Alert.objects.filter(in_campaigns))
    delete_rows(MoveOutProposal.objects.filter(assignment__campaign__in=campaigns.values("pk")))
    delete_rows(ScreeningRecord.objects.filter(in_campaigns))
    delete_rows(CallAttempt.objects.filter(in_campaigns))
    delete_rows(CallAssignment.objects.filter(in_campaigns))
    campaigns.delete()
    Questionnaire.objects.filter(pk__in=questionnaires.values("pk")).update(current=None)
    questionnaires.delete()
    ctx.extra.pop("campaign", None)
