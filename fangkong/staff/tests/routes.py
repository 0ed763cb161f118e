"""Every staff route (pages and API) for the access walk (format: fangkong/core/tests/walk.py):
``ROUTES``, ``API_WRITES`` and ``build``.

Rows are built in community A; a task lies in grid a1 (so grid a2's worker is an outsider
to it), everything else is community-wide (``grid_scoped=False``: a grid worker of the same
community may see it). Personas used as permitted: ``officer_a`` and ``checkpoint_a`` (the
person on the shift, who checks in and out and asks for swaps).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from fangkong.core.tests.walk import Route, World
from fangkong.staff import services
from fangkong.staff.models import PatrolPhoto
from fangkong.staff.tests.factories import (
    CheckpointFactory,
    OrganisationFactory,
    ShiftFactory,
    StaffMemberFactory,
    TaskFactory,
    TeamFactory,
    assign,
)

#: A 1×1 PNG: the smallest photo a patrol can carry.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)

WALK_PHOTO = "patrols/access-walk.png"


def build(world: World) -> None:
    """Rows of community A (grid a1) that the staff routes point at."""
    community, grid = world.community_a, world.grid_a1
    officer = world.users["officer_a"]
    gate_user = world.users.get("checkpoint_a")
    now = timezone.now().replace(microsecond=0)
    x = world.extra

    x["organisation"] = OrganisationFactory(community=community, name="社区居委会")
    x["guard"] = StaffMemberFactory(
        community=community, organisation=x["organisation"], user=gate_user, name="门卫甲"
    )
    x["colleague"] = StaffMemberFactory(
        community=community, organisation=x["organisation"], name="同事乙"
    )
    x["spare"] = StaffMemberFactory(
        community=community, organisation=x["organisation"], name="候补丙"
    )
    x["team"] = TeamFactory(
        community=community, name="卡点组", leader=x["colleague"], members=[x["guard"]]
    )
    x["membership"] = x["team"].memberships.get(member=x["guard"])
    x["task"] = TaskFactory(community=community, area=grid, assignee=officer, title="走访一户")
    group = services.do_save_leading_group(community=community, by=None, name="领导小组")
    x["seat"] = services.do_add_leading_group_member(
        group, member=x["colleague"], by=None, role="head", duty="全面负责"
    )
    x["responsibility"] = services.do_create_responsibility(
        community=community, by=None, duty="门岗登记", team=x["team"]
    )
    x["checkpoint"] = CheckpointFactory(community=community, name="东门")
    # The guard's shift now (check in), one that just ended (check out), one in three days
    # (a swap waits on it), and a short shift the spare can be moved to.
    x["shift_now"] = ShiftFactory(
        community=community,
        checkpoint=x["checkpoint"],
        start=now - dt.timedelta(minutes=5),
        end=now + dt.timedelta(hours=8),
    )
    x["assignment_now"] = assign(x["shift_now"], x["guard"])
    ended = ShiftFactory(
        community=community,
        checkpoint=x["checkpoint"],
        start=now - dt.timedelta(hours=9),
        end=now - dt.timedelta(minutes=10),
    )
    x["assignment_ended"] = assign(ended, x["guard"])
    services.do_check_in(x["assignment_ended"], by=None, now=ended.start)
    later = now + dt.timedelta(days=3)
    x["shift_later"] = ShiftFactory(
        community=community,
        checkpoint=x["checkpoint"],
        start=later,
        end=later + dt.timedelta(hours=8),
    )
    assign(x["shift_later"], x["guard"])
    x["swap"] = services.do_request_swap(
        shift=x["shift_later"], from_member=x["guard"], to_member=x["colleague"], by=None
    )
    swap_day = now + dt.timedelta(days=5)
    x["shift_swap"] = ShiftFactory(
        community=community,
        checkpoint=x["checkpoint"],
        start=swap_day,
        end=swap_day + dt.timedelta(hours=8),
    )
    assign(x["shift_swap"], x["guard"])
    x["spare_assignment"] = assign(
        ShiftFactory(
            community=community,
            place_name="社区办公室",
            start=later,
            end=later + dt.timedelta(hours=2),
        ),
        x["spare"],
    )
    x["patrol"] = services.do_record_patrol(
        checkpoint=x["checkpoint"],
        by=None,
        time=now - dt.timedelta(hours=1),
        findings=["crowding"],
        follow_up=True,
    )
    # One photo file under a fixed name, written once: the walk runs often, and its world
    # is flushed from the database but not from MEDIA_ROOT.
    if not default_storage.exists(WALK_PHOTO):
        default_storage.save(WALK_PHOTO, ContentFile(PNG))
    x["photo"] = PatrolPhoto.objects.create(
        community=community,
        visit=x["patrol"],
        file=WALK_PHOTO,
        content_type="image/png",
        size=len(PNG),
    )
    x["plan_version"] = services.do_save_plan(
        community=community, by=None, title="防控方案", text="# 目标\n\n- 守住门岗"
    )


def _pk(key: str) -> Any:
    return lambda w: {"pk": w.extra[key].pk}


def _community(w: World) -> dict[str, Any]:
    return {"community_pk": w.community_a.pk}


def _community_page(**kwargs: Any) -> Route:
    return Route(kwargs=_community, kind="community", **kwargs)


#: Pages that change the community (adding rows): a grid worker may see the community's
#: pages but may not add to it, so grid a2's worker is not an outsider the walk can use.
def _community_add() -> Route:
    return Route(kwargs=_community, kind="community", grid_scoped=False)


def _row(key: str, **kwargs: Any) -> Route:
    kwargs.setdefault("grid_scoped", False)
    return Route(kwargs=_pk(key), **kwargs)


ROUTES: dict[str, Route] = {
    # The hub and lists
    "staff:home": Route(kind="list", ok=302),
    "staff:community": _community_page(),
    "staff:my_tasks": Route(kind="list"),
    "staff:task_list": Route(kind="list"),
    "staff:task_export": Route(kind="list"),
    "staff:my_shifts": Route(kind="list", permitted="checkpoint_a"),
    # Tasks (the walk's task lies in grid a1)
    "staff:task_add": _community_add(),
    "staff:task_detail": Route(kwargs=_pk("task")),
    "staff:task_edit": Route(kwargs=_pk("task")),
    "staff:task_start": Route(kwargs=_pk("task"), method="post", ok=302),
    "staff:task_complete": Route(
        kwargs=_pk("task"), method="post", ok=302, data=lambda w: {"note": "已完成"}
    ),
    "staff:task_cancel": Route(
        kwargs=_pk("task"), method="post", ok=302, data=lambda w: {"reason": "重复"}
    ),
    "staff:task_comment": Route(
        kwargs=_pk("task"), method="post", ok=302, data=lambda w: {"text": "已联系"}
    ),
    "staff:task_reassign": Route(
        kwargs=_pk("task"),
        method="post",
        ok=302,
        data=lambda w: {"assignee": w.users["officer_a"].pk},
    ),
    # Organisations and staff members
    "staff:organisation_list": _community_page(),
    "staff:organisation_add": _community_add(),
    "staff:organisation_detail": _row("organisation"),
    "staff:organisation_edit": _row("organisation"),
    "staff:member_list": _community_page(),
    "staff:member_add": _community_add(),
    "staff:member_detail": _row("guard"),
    "staff:member_edit": _row("guard"),
    # Teams
    "staff:team_list": _community_page(),
    "staff:team_add": _community_add(),
    "staff:team_detail": _row("team"),
    "staff:team_edit": _row("team"),
    "staff:team_board": _row("team"),
    "staff:team_member_add": _row(
        "team", method="post", ok=302, data=lambda w: {"member": w.extra["spare"].pk}
    ),
    "staff:team_member_remove": Route(
        kwargs=lambda w: {"pk": w.extra["team"].pk, "membership_pk": w.extra["membership"].pk},
        method="post",
        ok=302,
        grid_scoped=False,
    ),
    # The leading group and the responsibility matrix
    "staff:leading_group": _community_page(),
    "staff:leading_group_edit": _community_add(),
    "staff:seat_add": _community_add(),
    "staff:seat_edit": _row("seat"),
    "staff:seat_remove": _row("seat", method="post", ok=302),
    "staff:responsibilities": _community_page(),
    "staff:responsibility_add": _community_add(),
    "staff:responsibility_edit": _row("responsibility"),
    "staff:responsibility_remove": _row("responsibility", method="post", ok=302),
    # Checkpoints, rosters, shifts, swaps, hours
    "staff:checkpoint_list": _community_page(),
    "staff:checkpoint_add": _community_add(),
    "staff:checkpoint_edit": _row("checkpoint"),
    "staff:checkpoint_roster": _row("checkpoint"),
    "staff:community_roster": _community_page(),
    "staff:roster_export": _community_add(),
    "staff:shift_add": _community_add(),
    "staff:shift_detail": _row("shift_now"),
    "staff:shift_edit": _row("shift_now"),
    "staff:shift_assign": _row(
        "shift_now", method="post", ok=302, data=lambda w: {"member": w.extra["colleague"].pk}
    ),
    "staff:shift_unassign": Route(
        kwargs=lambda w: {
            "pk": w.extra["shift_later"].pk,
            "assignment_pk": w.extra["shift_later"].assignments.get().pk,
        },
        method="post",
        ok=302,
        grid_scoped=False,
    ),
    "staff:shift_move": _row(
        "shift_later",
        method="post",
        ok=302,
        data=lambda w: {"assignment": w.extra["spare_assignment"].pk},
    ),
    "staff:check_in": _row("assignment_now", method="post", ok=302, permitted="checkpoint_a"),
    "staff:check_out": _row("assignment_ended", method="post", ok=302, permitted="checkpoint_a"),
    "staff:swap_add": _row("assignment_now", permitted="checkpoint_a"),
    "staff:swap_list": _community_page(),
    "staff:swap_decide": _row("swap", method="post", ok=302, data=lambda w: {"decision": "reject"}),
    "staff:swap_withdraw": _row("swap", method="post", ok=302, permitted="checkpoint_a"),
    "staff:hours": _community_page(),
    # Patrols
    "staff:patrol_summary": _community_page(),
    "staff:patrol_add": _community_add(),
    "staff:patrol_detail": _row("patrol"),
    "staff:patrol_photo": _row("photo"),
    # The prevention plan
    "staff:plan": _community_page(),
    "staff:plan_edit": _community_add(),
    "staff:plan_history": _community_page(),
    "staff:plan_diff": _community_page(),
    "staff:plan_version": _row("plan_version"),
    # The API (JSON bodies)
    **{
        f"api:{name}-list": Route(kind="list", api=True)
        for name in (
            "task",
            "organisation",
            "staffmember",
            "team",
            "leadinggroup",
            "responsibility",
            "checkpoint",
            "shift",
            "shiftassignment",
            "swaprequest",
            "patrol",
            "planversion",
        )
    },
    "api:task-detail": Route(kwargs=_pk("task"), api=True),
    "api:task-start": Route(kwargs=_pk("task"), api=True, method="post"),
    "api:task-complete": Route(
        kwargs=_pk("task"), api=True, method="post", data=lambda w: {"note": "已完成"}
    ),
    "api:task-cancel": Route(
        kwargs=_pk("task"), api=True, method="post", data=lambda w: {"reason": "重复"}
    ),
    "api:task-comment": Route(
        kwargs=_pk("task"), api=True, method="post", data=lambda w: {"text": "已联系"}
    ),
    "api:task-reassign": Route(
        kwargs=_pk("task"),
        api=True,
        method="post",
        data=lambda w: {"assignee": w.users["officer_a"].pk},
    ),
    "api:organisation-detail": _row("organisation", api=True),
    "api:staffmember-detail": _row("guard", api=True),
    "api:team-detail": _row("team", api=True),
    "api:team-add-member": _row(
        "team", api=True, method="post", data=lambda w: {"member": w.extra["spare"].pk}
    ),
    "api:leadinggroup-detail": Route(
        kwargs=lambda w: {"pk": w.extra["seat"].group_id}, api=True, grid_scoped=False
    ),
    "api:responsibility-detail": _row("responsibility", api=True),
    "api:checkpoint-detail": _row("checkpoint", api=True),
    "api:shift-detail": _row("shift_now", api=True),
    "api:shift-assign": _row(
        "shift_now", api=True, method="post", data=lambda w: {"member": w.extra["colleague"].pk}
    ),
    "api:shift-unassign": _row(
        "shift_later",
        api=True,
        method="post",
        data=lambda w: {"assignment": w.extra["shift_later"].assignments.get().pk},
    ),
    "api:shift-move-here": _row(
        "shift_later",
        api=True,
        method="post",
        data=lambda w: {"assignment": w.extra["spare_assignment"].pk},
    ),
    "api:shiftassignment-detail": _row("assignment_now", api=True, permitted="checkpoint_a"),
    "api:shiftassignment-check-in": _row(
        "assignment_now", api=True, method="post", permitted="checkpoint_a"
    ),
    "api:shiftassignment-check-out": _row(
        "assignment_ended", api=True, method="post", permitted="checkpoint_a"
    ),
    "api:swaprequest-detail": _row("swap", api=True),
    "api:swaprequest-decide": _row(
        "swap", api=True, method="post", data=lambda w: {"approve": False}
    ),
    "api:swaprequest-withdraw": _row("swap", api=True, method="post", permitted="checkpoint_a"),
    "api:patrol-detail": _row("patrol", api=True),
    "api:planversion-detail": _row("plan_version", api=True),
}


def _in_two_days(hours: int) -> str:
    return (timezone.now() + dt.timedelta(days=2, hours=hours)).isoformat()


#: Writes through the API at the names of list and detail routes (JSON bodies).
API_WRITES: list[tuple[str, Route]] = [
    (
        "api:task-list",
        Route(
            kind="create",
            method="post",
            ok=201,
            api=True,
            data=lambda w: {
                "community": w.community_a.pk,
                "area": w.grid_a1.pk,
                "title": "走访",
                "kind": "staff.general",
                "assignee": w.users["grid_worker_a1"].pk,
            },
        ),
    ),
    (
        "api:task-detail",
        Route(kwargs=_pk("task"), method="patch", api=True, data=lambda w: {"priority": "high"}),
    ),
    (
        "api:organisation-list",
        Route(
            kind="create",
            method="post",
            ok=201,
            api=True,
            grid_scoped=False,
            data=lambda w: {"community": w.community_a.pk, "kind": "other", "name": "志愿服务队"},
        ),
    ),
    (
        "api:organisation-detail",
        _row("organisation", method="patch", api=True, data=lambda w: {"notes": "已核对"}),
    ),
    (
        "api:staffmember-list",
        Route(
            kind="create",
            method="post",
            ok=201,
            api=True,
            grid_scoped=False,
            data=lambda w: {
                "community": w.community_a.pk,
                "name": "新同事",
                "organisation": w.extra["organisation"].pk,
                "phone": "13800001234",
            },
        ),
    ),
    (
        "api:staffmember-detail",
        _row("guard", method="patch", api=True, data=lambda w: {"position": "班长"}),
    ),
    (
        "api:team-list",
        Route(
            kind="create",
            method="post",
            ok=201,
            api=True,
            grid_scoped=False,
            data=lambda w: {
                "community": w.community_a.pk,
                "name": "消杀组",
                "leader": w.extra["spare"].pk,
            },
        ),
    ),
    (
        "api:team-detail",
        _row("team", method="patch", api=True, data=lambda w: {"purpose": "门岗登记"}),
    ),
    (
        "api:responsibility-list",
        Route(
            kind="create",
            method="post",
            ok=201,
            api=True,
            grid_scoped=False,
            data=lambda w: {
                "community": w.community_a.pk,
                "duty": "物资发放",
                "team": w.extra["team"].pk,
            },
        ),
    ),
    (
        "api:responsibility-detail",
        _row("responsibility", method="patch", api=True, data=lambda w: {"notes": "每日"}),
    ),
    (
        "api:checkpoint-list",
        Route(
            kind="create",
            method="post",
            ok=201,
            api=True,
            grid_scoped=False,
            data=lambda w: {
                "community": w.community_a.pk,
                "name": "西门",
                "opens": "06:00",
                "closes": "22:00",
            },
        ),
    ),
    (
        "api:checkpoint-detail",
        _row("checkpoint", method="patch", api=True, data=lambda w: {"location": "东侧"}),
    ),
    (
        "api:shift-list",
        Route(
            kind="create",
            method="post",
            ok=201,
            api=True,
            grid_scoped=False,
            data=lambda w: {
                "community": w.community_a.pk,
                "checkpoint": w.extra["checkpoint"].pk,
                "start": _in_two_days(0),
                "end": _in_two_days(8),
                "people_needed": 2,
            },
        ),
    ),
    (
        "api:shift-detail",
        _row("shift_now", method="patch", api=True, data=lambda w: {"people_needed": 3}),
    ),
    (
        "api:swaprequest-list",
        Route(
            kind="create",
            method="post",
            ok=201,
            api=True,
            grid_scoped=False,
            permitted="checkpoint_a",
            data=lambda w: {
                "shift": w.extra["shift_swap"].pk,
                "from_member": w.extra["guard"].pk,
                "to_member": w.extra["colleague"].pk,
            },
        ),
    ),
    (
        "api:patrol-list",
        Route(
            kind="create",
            method="post",
            ok=201,
            api=True,
            grid_scoped=False,
            data=lambda w: {
                "checkpoint": w.extra["checkpoint"].pk,
                "time": timezone.now().isoformat(),
                "findings": ["crowding"],
            },
        ),
    ),
    (
        "api:planversion-list",
        Route(
            kind="create",
            method="post",
            ok=201,
            api=True,
            grid_scoped=False,
            data=lambda w: {
                "community": w.community_a.pk,
                "title": "防控方案",
                "text": "# 目标\n\n- 守住门岗\n- 测温",
                "expected_number": 1,
            },
        ),
    ),
]
