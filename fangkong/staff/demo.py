"""Demo staff work for 在水一方社区: the origin story's bureau and its 14 people in four
groups, the leading group, the gates as checkpoints with a week of shifts around today (some
short of people), open and overdue tasks, a few patrols with findings, and a prevention plan.

People are generated (``fake_name``), never the story's. Unlike the registry, shifts, tasks
and patrols are placed around *today* (the day ``seed_demo`` runs), so "my shifts", the
roster and the day's figures show something; which people go where is drawn from
``random.Random("2020:staff")`` and is the same on every run. Shifts and assignments are
inserted in bulk with one audit row each, valid by construction (nobody on two overlapping
shifts, eight hours' rest between them).
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Q
from django.utils import timezone

from fangkong.areas.models import Area
from fangkong.core.audit import record_changes
from fangkong.core.choices import ChangeAction
from fangkong.core.demo import DemoContext, fake_mobile, fake_name
from fangkong.staff import services
from fangkong.staff.choices import (
    LeadingGroupRole,
    OrganisationKind,
    PatrolFinding,
    TaskKind,
    TaskPriority,
)
from fangkong.staff.duty_hours import local_midnight, zone_of
from fangkong.staff.models import (
    Checkpoint,
    LeadingGroup,
    LeadingGroupMember,
    Organisation,
    PatrolPhoto,
    PatrolVisit,
    PlanVersion,
    PreventionPlan,
    Responsibility,
    Shift,
    ShiftAssignment,
    StaffMember,
    SwapRequest,
    Task,
    TaskComment,
    Team,
    TeamMembership,
)

if TYPE_CHECKING:
    from fangkong.accounts.models import User

ORDER = 40

BUREAU = "浑南区某局"
STREET_OFFICE = "五三街道办事处"
COMMITTEE = "在水一方社区居委会"
PROPERTY = "在水一方物业服务中心"

#: The four groups of the story: (name, purpose, how many of the bureau's 13 besides the
#: chief). The chief leads the screening group, as in the story.
TEAMS = (
    ("宣传组", "利用广播在小区流动宣传防控知识和疾控中心倡议。", 3),
    ("排查组", "协助社区网格员对全部住户进行电话排查，未接通的上门走访。", 3),
    ("卡点组", "在社区门岗卡点登记、测温，办理业主出入证。", 4),
    ("疏导组", "对居民进行心理疏导，解答居民对防控工作提出的各类问题。", 3),
)
BUREAU_POSITIONS = (
    "局长",
    "副局长",
    "副局长",
    "办公室主任",
    "科长",
    "科长",
    "科长",
    "副科长",
    "科员",
    "科员",
    "科员",
    "科员",
    "中心主任",
    "科员",
)

#: Gates: (name, location, opens, closes, is_open, shifts as (start hour, hours, needed)).
GATES = (
    ("东门", "东园1号楼东侧", None, None, True, ((6, 8, 2), (14, 8, 2), (22, 8, 2))),
    ("西门", "西园10号楼西侧", dt.time(6), dt.time(22), True, ((6, 8, 2), (14, 8, 2))),
    ("南门", "南园南侧", dt.time(7), dt.time(19), True, ((7, 12, 1),)),
    ("北门", "北园北侧", None, None, False, ()),
)
#: Days of shifts around today: three before, today, three after.
DAYS_BEFORE, DAYS_AFTER = 3, 3
#: Share of seats left empty, so the roster shows gaps.
EMPTY_SEAT = 0.15
REST = dt.timedelta(hours=8)

PLAN_V1 = """# 在水一方社区疫情防控工作方案

## 一、工作目标
坚决防止疫情扩散蔓延，做到守土有责、守土尽责。

## 二、组织领导
成立疫情防控工作领导小组，局长任组长，明确各科室、中心、社区服务站的防控职责。

## 三、工作分组
1. 宣传组：利用广播流动宣传。
2. 排查组：协助网格员电话排查全部住户。
3. 卡点组：门岗登记、测温，办理出入证。
4. 疏导组：心理疏导，解答居民问题。

## 四、工作要求
- 勤洗手、戴口罩、常通风、勤锻炼、不扎堆
- 不信谣、不传谣
"""

PLAN_V2 = PLAN_V1.replace(
    "## 四、工作要求",
    """## 四、商户督导
- 走访周边商户，对已开业商户送达**疫情防控告知函**和人员登记手册
- 每日巡查，发现问题当场整改

## 五、工作要求""",
)


@dataclass
class _Pool:
    """Who may stand at the gates, and when each is busy (to keep the roster valid)."""

    members: list[StaffMember]
    busy: dict[int, list[tuple[dt.datetime, dt.datetime]]] = field(default_factory=dict)

    def free(self, member: StaffMember, start: dt.datetime, end: dt.datetime) -> bool:
        return all(end + REST <= s or e + REST <= start for s, e in self.busy.get(member.pk, []))

    def take(self, member: StaffMember, start: dt.datetime, end: dt.datetime) -> None:
        self.busy.setdefault(member.pk, []).append((start, end))


def _member(
    community: Area,
    organisation: Organisation,
    rng: random.Random,
    taken: set[str],
    *,
    position: str,
    user: User | None = None,
    area: Area | None = None,
    name: str | None = None,
) -> StaffMember:
    sex = rng.choice("MF")
    return services.do_create_staff_member(
        community=community,
        by=None,
        organisation=organisation,
        position=position,
        name=name or fake_name(rng, sex, rng.randint(1962, 1996)),
        phone=fake_mobile(rng, taken),
        user=user,
        area=area,
    )


def _people(ctx: DemoContext, rng: random.Random) -> dict[str, object]:
    community = ctx.areas["community"]
    taken: set[str] = set()
    org = {
        "bureau": services.do_create_organisation(
            community=community,
            by=None,
            kind=OrganisationKind.DISTRICT_BUREAU,
            name=BUREAU,
            notes="第二梯队全体人员下沉社区，协助疫情防控。",
        ),
        "street": services.do_create_organisation(
            community=community, by=None, kind=OrganisationKind.STREET_OFFICE, name=STREET_OFFICE
        ),
        "committee": services.do_create_organisation(
            community=community, by=None, kind=OrganisationKind.COMMUNITY_COMMITTEE, name=COMMITTEE
        ),
        "property": services.do_create_organisation(
            community=community, by=None, kind=OrganisationKind.PROPERTY_COMPANY, name=PROPERTY
        ),
    }
    bureau = [
        _member(community, org["bureau"], rng, taken, position=position)
        for position in BUREAU_POSITIONS
    ]
    users = ctx.users
    officer = _member(
        community,
        org["committee"],
        rng,
        taken,
        position="社区书记",
        user=users.get("demo-community"),
        name=getattr(users.get("demo-community"), "full_name", None) or None,
    )
    health = _member(
        community,
        org["committee"],
        rng,
        taken,
        position="卫生专干",
        user=users.get("demo-health"),
        name=getattr(users.get("demo-health"), "full_name", None) or None,
    )
    gate_user = users.get("demo-gate")
    gatekeeper = _member(
        community,
        org["property"],
        rng,
        taken,
        position="门岗保安",
        user=gate_user,
        name=getattr(gate_user, "full_name", None) or None,
    )
    guards = [
        _member(community, org["property"], rng, taken, position="门岗保安") for _ in range(4)
    ]
    grid_workers = []
    for n, grid in enumerate(ctx.grids["community"], start=1):
        user = users.get(f"demo-grid{n}")
        grid_workers.append(
            _member(
                community,
                org["committee"],
                rng,
                taken,
                position="网格员",
                area=grid,
                user=user,
                name=getattr(user, "full_name", None) or None,
            )
        )
    liaison = _member(community, org["street"], rng, taken, position="街道联络员")
    return {
        "org": org,
        "bureau": bureau,
        "officer": officer,
        "health": health,
        "gatekeeper": gatekeeper,
        "guards": guards,
        "grid_workers": grid_workers,
        "liaison": liaison,
    }


def _teams(community: Area, people: dict[str, Any], rng: random.Random) -> dict[str, Team]:
    chief, *others = people["bureau"]
    rng.shuffle(others)
    teams: dict[str, Team] = {}
    start = 0
    for name, purpose, size in TEAMS:
        members = others[start : start + size]
        start += size
        leader = chief if name == "排查组" else members[0]
        team = services.do_create_team(
            community=community, by=None, name=name, purpose=purpose, leader=leader
        )
        extra = list(members)
        if name == "排查组":
            extra += people["grid_workers"]
        if name == "卡点组":
            extra += [people["gatekeeper"], *people["guards"]]
        if name == "疏导组":
            extra.append(people["health"])
        for member in extra:
            if member.pk != leader.pk:
                services.do_add_team_member(team, member=member, by=None)
        teams[name] = team
    return teams


def _leading_group(community: Area, people: dict[str, Any], teams: dict[str, Team]) -> None:
    group = services.do_save_leading_group(
        community=community,
        by=None,
        name="在水一方社区疫情防控工作领导小组",
        notes="形成高效有序、信息畅通、联防联控工作机制。",
    )
    chief, deputy = people["bureau"][0], people["bureau"][1]
    seats = [
        (chief, LeadingGroupRole.HEAD, "全面负责，协调全局人员工作，每日巡查各门岗卡点。"),
        (people["officer"], LeadingGroupRole.DEPUTY, "统筹社区网格化防控管理。"),
        (deputy, LeadingGroupRole.DEPUTY, "协助组长工作，负责防护物资筹集。"),
        (teams["宣传组"].leader, LeadingGroupRole.MEMBER, "负责流动宣传。"),
        (teams["卡点组"].leader, LeadingGroupRole.MEMBER, "负责门岗登记和出入证办理。"),
        (teams["疏导组"].leader, LeadingGroupRole.MEMBER, "负责心理疏导和居民咨询。"),
        (people["health"], LeadingGroupRole.MEMBER, "负责健康监测和消杀。"),
        (people["liaison"], LeadingGroupRole.MEMBER, "负责与街道的信息报送。"),
    ]
    for order, (member, role, duty) in enumerate(seats, start=1):
        services.do_add_leading_group_member(
            group, member=member, role=role, duty=duty, sort_order=order, by=None
        )
    lines = [
        ("流动宣传", teams["宣传组"], None),
        ("全部住户电话排查", teams["排查组"], people["org"]["committee"]),
        ("门岗登记、测温、出入证", teams["卡点组"], people["org"]["property"]),
        ("心理疏导和居民咨询", teams["疏导组"], None),
        ("商户督导、告知函送达", None, people["org"]["bureau"]),
        ("防护物资筹集", None, people["org"]["bureau"]),
        ("公共区域消杀", None, people["org"]["property"]),
        ("疫情信息报送街道", None, people["org"]["street"]),
    ]
    for order, (duty, team, organisation) in enumerate(lines, start=1):
        services.do_create_responsibility(
            community=community,
            by=None,
            duty=duty,
            team=team,
            organisation=organisation,
            sort_order=order,
        )


def _shifts(
    community: Area, checkpoints: list[Checkpoint], team: Team, today: dt.date
) -> list[Shift]:
    """Each gate's shifts of its pattern, from DAYS_BEFORE days ago to DAYS_AFTER ahead."""
    tz = zone_of(community)
    shifts: list[Shift] = []
    for offset in range(-DAYS_BEFORE, DAYS_AFTER + 1):
        day = today + dt.timedelta(days=offset)
        for checkpoint, (*_gate, pattern) in zip(checkpoints, GATES, strict=True):
            for hour, length, needed in pattern:
                start = local_midnight(day, tz) + dt.timedelta(hours=hour)
                shifts.append(
                    Shift(
                        community=community,
                        checkpoint=checkpoint,
                        start=start,
                        end=start + dt.timedelta(hours=length),
                        people_needed=needed,
                        team=team,
                    )
                )
    return shifts


def _roster(
    ctx: DemoContext,
    community: Area,
    people: dict[str, Any],
    teams: dict[str, Team],
    rng: random.Random,
) -> tuple[list[Checkpoint], int]:
    now = timezone.now()
    today = community.local_today(now)
    checkpoints = [
        services.do_create_checkpoint(
            community=community,
            by=None,
            name=name,
            location=location,
            opens=opens,
            closes=closes,
            is_open=is_open,
        )
        for name, location, opens, closes, is_open, _shifts in GATES
    ]
    gate_team = teams["卡点组"]
    shifts = Shift.objects.bulk_create(_shifts(community, checkpoints, gate_team, today))
    record_changes(ChangeAction.CREATE, shifts, actor=None)

    pool = _Pool(
        [
            m.member
            for m in gate_team.memberships.select_related("member")
            if m.member_id != people["gatekeeper"].pk
        ]
    )
    gatekeeper = people["gatekeeper"]
    rows: list[ShiftAssignment] = []
    # demo-gate's own shifts first: the East Gate shift running now, and the same one
    # tomorrow, so that "my shifts" offers a check-in.
    east = [s for s in shifts if s.checkpoint_id == checkpoints[0].pk]
    current = next((s for s in east if s.start <= now < s.end), None)
    if current is not None:
        by_start = {s.start: s for s in east}
        for shift in (current, by_start.get(current.start + dt.timedelta(days=1))):
            if shift is not None:
                rows.append(ShiftAssignment(community=community, shift=shift, member=gatekeeper))
    taken_seats = {r.shift_id: 1 for r in rows}
    for shift in shifts:
        for _seat in range(shift.people_needed - taken_seats.get(shift.pk, 0)):
            if rng.random() < EMPTY_SEAT:
                continue
            candidates = [
                m
                for m in pool.members
                if pool.free(m, shift.start, shift.end)
                and not any(r.shift_id == shift.pk and r.member_id == m.pk for r in rows)
            ]
            if not candidates:
                continue
            member = rng.choice(candidates)
            pool.take(member, shift.start, shift.end)
            checked_in = checked_out = None
            if shift.end <= now:  # past shifts were served, with a few minutes either side
                checked_in = shift.start - dt.timedelta(minutes=rng.randint(0, 15))
                checked_out = shift.end + dt.timedelta(minutes=rng.randint(0, 15))
            rows.append(
                ShiftAssignment(
                    community=community,
                    shift=shift,
                    member=member,
                    checked_in_at=checked_in,
                    checked_out_at=checked_out,
                )
            )
    rows = ShiftAssignment.objects.bulk_create(rows)
    record_changes(ChangeAction.CREATE, rows, actor=None)
    ctx.count("staff shifts", len(shifts))
    short = sum(1 for s in shifts if sum(1 for r in rows if r.shift_id == s.pk) < s.people_needed)
    return checkpoints, short


def _tasks(
    ctx: DemoContext,
    community: Area,
    people: dict[str, Any],
    teams: dict[str, Team],
    rng: random.Random,
) -> int:
    now = timezone.now()
    users = ctx.users
    households = ctx.households.get("community", [])
    made = 0
    for n, household in enumerate(rng.sample(households, min(6, len(households)))):
        grid = household.building.grid if household.building.grid_id else community
        worker = next(
            (u for u in users.values() if getattr(u, "area_id", None) == getattr(grid, "pk", None)),
            None,
        )
        services.do_create_task(
            community=community,
            kind=TaskKind.SCREENING_DOOR_VISIT,
            by=None,
            title=f"上门走访：{household.label}",
            area=grid,
            assignee=worker,
            link=household,
            reason="电话三次未接通",
            due=now + dt.timedelta(hours=(n - 2) * 10),
            priority=TaskPriority.HIGH if n < 2 else TaskPriority.NORMAL,
        )
        made += 1
    general = [
        ("东园、西园流动广播宣传", teams["宣传组"], -5, TaskPriority.NORMAL),
        ("整理排查登记表，报街道", teams["排查组"], 20, TaskPriority.HIGH),
        ("补充卡点体温计和登记本", teams["卡点组"], -2, TaskPriority.URGENT),
        ("回访东园一楼栋焦虑居民", teams["疏导组"], 6, TaskPriority.NORMAL),
        ("整理已开业商户名单，准备告知函", None, 30, TaskPriority.NORMAL),
    ]
    officer_user = users.get("demo-community")
    for title, team, hours, priority in general:
        services.do_create_task(
            community=community,
            kind=TaskKind.GENERAL,
            by=None,
            title=title,
            team=team,
            assignee=None if team else officer_user,
            due=now + dt.timedelta(hours=hours),
            priority=priority,
        )
        made += 1
    gate_user = users.get("demo-gate")
    if gate_user is not None:
        services.do_create_task(
            community=community,
            kind=TaskKind.GENERAL,
            by=None,
            title="核对东门访客登记本",
            assignee=gate_user,
            due=now + dt.timedelta(hours=3),
        )
        done = services.do_create_task(
            community=community,
            kind=TaskKind.GENERAL,
            by=None,
            title="领取防护服和消毒液",
            assignee=gate_user,
            due=now - dt.timedelta(days=1),
        )
        services.do_complete_task(done, by=None, note="已领取消毒液两箱、防护服十件。")
        made += 2
    health_user = users.get("demo-health")
    people_rows = ctx.people.get("community", [])
    if health_user is not None and people_rows:
        person = people_rows[rng.randrange(len(people_rows))]
        services.do_create_task(
            community=community,
            kind=TaskKind.HEALTH_FEVER,
            by=None,
            title="体温异常回访",
            assignee=health_user,
            link=person,
            reason="卡点测温 37.6",
            due=now - dt.timedelta(hours=1),
            priority=TaskPriority.URGENT,
        )
        made += 1
    return made


def _patrols(
    community: Area, people: dict[str, Any], checkpoints: list[Checkpoint], rng: random.Random
) -> int:
    now = timezone.now()
    chief = people["bureau"][0]
    findings_by_day = [
        [PatrolFinding.NO_REGISTRATION_BOOK],
        [],
        [PatrolFinding.CROWDING, PatrolFinding.SUPPLIES_SHORT],
        [PatrolFinding.NO_TEMPERATURE_CHECKS],
    ]
    made = 0
    for days_ago in (2, 1, 0):
        for n, checkpoint in enumerate(c for c in checkpoints if c.is_open):
            time = now - dt.timedelta(days=days_ago, hours=2 + n, minutes=rng.randint(0, 40))
            findings = findings_by_day[(days_ago + n) % len(findings_by_day)]
            on_duty = [
                a.member
                for a in ShiftAssignment.objects.filter(
                    shift__checkpoint=checkpoint,
                    shift__start__lte=time,
                    shift__end__gt=time,
                ).select_related("member")
            ]
            if PatrolFinding.STAFF_ABSENT not in findings and not on_duty:
                findings = [*findings, PatrolFinding.STAFF_ABSENT]
            services.do_record_patrol(
                checkpoint=checkpoint,
                by=None,
                time=time,
                by_member=chief,
                on_duty=on_duty,
                findings=findings,
                notes="已当场提醒整改。" if findings else "",
                follow_up=bool(findings) and days_ago == 0,
            )
            made += 1
    return made


def seed(ctx: DemoContext) -> None:
    rng = ctx.random("staff")
    community = ctx.areas["community"]
    people = _people(ctx, rng)
    teams = _teams(community, people, rng)
    _leading_group(community, people, teams)
    checkpoints, short = _roster(ctx, community, people, teams, rng)
    tasks = _tasks(ctx, community, people, teams, rng)
    patrols = _patrols(community, people, checkpoints, rng)
    officer = ctx.users.get("demo-community")
    services.do_save_plan(
        community=community,
        by=officer,
        title="在水一方社区疫情防控工作方案",
        text=PLAN_V1,
        summary="初稿",
    )
    services.do_save_plan(
        community=community,
        by=officer,
        title="在水一方社区疫情防控工作方案",
        text=PLAN_V2,
        summary="增加商户督导",
    )
    ctx.extra["staff_checkpoints"] = checkpoints
    ctx.count("staff members", StaffMember.objects.filter(community=community).count())
    ctx.count("staff shifts short of people", short)
    ctx.count("staff tasks", tasks)
    ctx.count("staff patrols", patrols)


def find(ctx: DemoContext) -> bool:
    community = ctx.areas.get("community")
    if community is not None:
        ctx.count("staff members", StaffMember.objects.filter(community=community).count())
        ctx.count("staff tasks", Task.objects.filter(community=community).count())
    return False  # the areas decide whether the demo exists


def unseed(ctx: DemoContext) -> None:
    communities = [ctx.areas[k] for k in ("community", "community2") if k in ctx.areas]
    if not communities:
        return
    in_demo = Q(community__in=communities)
    for photo in PatrolPhoto.objects.filter(in_demo):
        photo.file.delete(save=False)
    # Children before the rows they PROTECT.
    for model in (
        SwapRequest,
        ShiftAssignment,
        Shift,
        PatrolPhoto,
        PatrolVisit,
        TaskComment,
        Task,
        PlanVersion,
        PreventionPlan,
        Responsibility,
        LeadingGroupMember,
        LeadingGroup,
        TeamMembership,
        Team,
        StaffMember,
        Organisation,
        Checkpoint,
    ):
        model.objects.filter(in_demo).delete()
    ctx.extra.pop("staff_checkpoints", None)
