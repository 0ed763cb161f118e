"""Outreach's routes for the access walk (see fangkong/core/tests/walk.py).

The first community has an announcement for the walk's building, a broadcast script with a
round over that building today, a notification script of its own and a guidance block. Rows
placed on the community reach its grid workers (they read them); the other community's officer
finds none of them. Writes are the office's (``officer_a``).
"""

from __future__ import annotations

from typing import Any

from fangkong.core.tests.walk import CANARY_NAME, Route, World
from fangkong.outreach.tests.factories import (
    announcement,
    broadcast_round,
    broadcast_script,
    guidance,
    notification_script,
)


def build(world: World) -> None:
    community = world.community_a
    notice = announcement(community, title="停水通知", buildings=[world.building])
    script = broadcast_script(community, title="防疫宣传词")
    round_ = broadcast_round(script, buildings=[world.building])
    library = notification_script(community, title="居家隔离通知话术")
    advice = guidance(community, title="出行提示")
    world.extra.update(
        announcement=notice,
        broadcast_script=script,
        broadcast_round=round_,
        notification_script=library,
        guidance=advice,
    )


def _pk(key: str) -> Any:
    return lambda w: {"pk": w.extra[key].pk}


def _version(key: str) -> Any:
    return lambda w: {"version": w.extra[key].version}


def _today(w: World) -> str:
    return w.community_a.local_today().isoformat()


# Lists of rows placed on the community (announcements, guidance, scripts) are read by its
# grid workers too: the other grid's worker is no outsider to them.
ROUTES = {
    "outreach:home": Route(kind="list"),
    "outreach:announcement_list": Route(kind="list", grid_scoped=False),
    "outreach:announcement_add": Route(kind="list"),
    "outreach:announcement_detail": Route(kwargs=_pk("announcement")),
    "outreach:announcement_edit": Route(kwargs=_pk("announcement")),
    "outreach:announcement_poster": Route(kwargs=_pk("announcement")),
    # The community's page: its grid workers open their grid's (an area of their own).
    "outreach:announcement_current": Route(
        kwargs=lambda w: {"pk": w.community_a.pk}, row=lambda w: w.community_a
    ),
    "outreach:broadcast_list": Route(kind="list"),
    "outreach:broadcast_add": Route(kind="list"),
    "outreach:broadcast_detail": Route(kwargs=_pk("broadcast_script"), grid_scoped=False),
    "outreach:broadcast_edit": Route(kwargs=_pk("broadcast_script"), grid_scoped=False),
    "outreach:broadcast_audio_make": Route(
        kwargs=_pk("broadcast_script"),
        method="post",
        data=_version("broadcast_script"),
        ok=302,
        grid_scoped=False,
    ),
    # No audio made in the walk: the permitted officer is told there is none (404).
    "outreach:broadcast_audio": Route(kwargs=_pk("broadcast_script"), ok=404, grid_scoped=False),
    "outreach:round_list": Route(kind="list"),
    "outreach:round_add": Route(kind="list"),
    "outreach:round_detail": Route(kwargs=_pk("broadcast_round"), grid_scoped=False),
    "outreach:script_list": Route(kind="list", grid_scoped=False),
    "outreach:script_add": Route(kind="list"),
    "outreach:script_detail": Route(kwargs=_pk("notification_script")),
    "outreach:script_edit": Route(kwargs=_pk("notification_script")),
    "outreach:script_propose": Route(
        kwargs=_pk("notification_script"),
        method="post",
        data=_version("notification_script"),
        ok=302,
    ),
    "outreach:script_recommend": Route(
        kwargs=_pk("notification_script"),
        method="post",
        data=_version("notification_script"),
        ok=302,
        permitted="street_official",
    ),
    "outreach:script_run": Route(kwargs=_pk("notification_script")),
    "outreach:guidance_list": Route(kind="list", grid_scoped=False),
    "outreach:guidance_add": Route(kind="list"),
    "outreach:guidance_detail": Route(kwargs=_pk("guidance")),
    "outreach:guidance_edit": Route(kwargs=_pk("guidance")),
    "outreach:guidance_poster": Route(kwargs=_pk("guidance")),
    "api:announcement-list": Route(kind="list", api=True),
    "api:announcement-detail": Route(kwargs=_pk("announcement"), api=True),
    "api:broadcast-script-list": Route(kind="list", api=True),
    "api:broadcast-script-detail": Route(
        kwargs=_pk("broadcast_script"), api=True, grid_scoped=False
    ),
    "api:broadcast-script-audio": Route(
        kwargs=_pk("broadcast_script"), method="post", ok=200, api=True, grid_scoped=False
    ),
    "api:broadcast-round-list": Route(kind="list", api=True),
    "api:broadcast-round-detail": Route(kwargs=_pk("broadcast_round"), api=True, grid_scoped=False),
    "api:notification-script-list": Route(kind="list", api=True),
    "api:notification-script-detail": Route(kwargs=_pk("notification_script"), api=True),
    "api:notification-script-propose": Route(
        kwargs=_pk("notification_script"), method="post", api=True
    ),
    "api:notification-script-recommend": Route(
        kwargs=_pk("notification_script"), method="post", api=True, permitted="street_official"
    ),
    "api:guidance-list": Route(kind="list", api=True),
    "api:guidance-detail": Route(kwargs=_pk("guidance"), api=True),
}

API_WRITES: list[tuple[str, Route]] = [
    (
        "api:announcement-list",
        Route(
            kind="create",
            method="post",
            ok=201,
            api=True,
            data=lambda w: {
                "area": w.community_a.pk,
                "title": "停水通知",
                "body": "明日停水",
                "valid_from": _today(w),
                "valid_until": _today(w),
            },
        ),
    ),
    (
        "api:broadcast-round-list",
        Route(
            kind="create",
            method="post",
            ok=201,
            api=True,
            data=lambda w: {
                "community": w.community_a.pk,
                "script": w.extra["broadcast_script"].pk,
                "at": "2026-01-01T10:00:00+08:00",
                "staff": "宣传组",
                "buildings": [w.building.pk],
            },
        ),
    ),
    (
        "api:notification-script-detail",
        Route(
            kwargs=_pk("notification_script"),
            method="patch",
            api=True,
            data=lambda w: {"text": "您好，{姓名}家，今天是{日期}。"},
        ),
    ),
]


def _import_preview(world: World) -> Any:
    """A finished preview of community A's officer (made per request: the walk's writes
    roll back after each test) whose upload is gone."""
    from fangkong.core.models import Job

    return Job.objects.create(
        kind="outreach.import",
        user=world.users["officer_a"],
        area_path=world.community_a.path,
        status="completed",
        params={
            "upload": "0" * 32,
            "filename": "通知.xlsx",
            "rows": 2,
            "mode": "preview",
            "kind": "announcements",
            "area": world.community_a.pk,
        },
        result={
            "rows": 2,
            "created": 1,
            "unchanged": 0,
            "rejected": 1,
            "written": False,
            "errors": [
                {"row": 3, "column": "标题", "message": "-", "code": "x", "value": CANARY_NAME}
            ],
        },
    )


# The exports hold what the list pages show (an outsider's file has none of community A's
# rows); the imports go to the importer's own community.
ROUTES.update(
    {
        # One of the four exports walked; the others are read back in test_transfer.py.
        "outreach:export": Route(
            kwargs=lambda w: {"what": "announcements"}, kind="list", grid_scoped=False
        ),
        "outreach:import_start": Route(kwargs=lambda w: {"kind": "announcements"}, kind="list"),
        "outreach:import_detail": Route(kwargs=lambda w: {"pk": _import_preview(w).pk}),
        # The walk's preview keeps no upload: its owner is sent back to it with a note.
        "outreach:import_rejected": Route(kwargs=lambda w: {"pk": _import_preview(w).pk}, ok=302),
        "outreach:import_confirm": Route(
            kwargs=lambda w: {"pk": _import_preview(w).pk},
            method="post",
            data=lambda w: {"action": "import"},
            ok=302,
        ),
    }
)
