"""Outreach rows made through the services (``by=None``: system work), so versions and audit
rows are the real thing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from fangkong.areas.models import Area
from fangkong.outreach import services
from fangkong.outreach.models import (
    Announcement,
    BroadcastRound,
    BroadcastScript,
    Guidance,
    NotificationScript,
)
from fangkong.registry.models import Building

CALM_SCRIPT = (
    "您好，请问是{姓名}家吗？我是{社区}的工作人员。今天是{日期}，请您放心，有事请拨打{电话}。"
)


def announcement(area: Area, **data: Any) -> Announcement:
    today = area.local_today()
    values: dict[str, Any] = {
        "title": "疫情防控通知",
        "body": "请居民出门佩戴口罩。",
        "valid_from": today,
        "valid_until": today + dt.timedelta(days=7),
        **data,
    }
    return services.do_create_announcement(area=area, by=None, **values)


def broadcast_script(community: Area, **data: Any) -> BroadcastScript:
    values = {"title": "流动宣传词", "text": "居民朋友们，请勤洗手、戴口罩、少出门。", **data}
    return services.do_create_broadcast_script(community=community, by=None, **values)


def broadcast_round(
    script: BroadcastScript,
    *,
    buildings: Sequence[Building] = (),
    grids: Sequence[Area] = (),
    at: dt.datetime | None = None,
) -> BroadcastRound:
    return services.do_record_round(
        community=script.community,
        script=script,
        by=None,
        buildings=buildings,
        grids=grids,
        at=at or timezone.now(),
        staff="宣传组",
    )


def notification_script(area: Area, text: str = CALM_SCRIPT, **data: Any) -> NotificationScript:
    return services.do_create_script(
        area=area, by=None, title=data.pop("title", "电话通知"), text=text, **data
    )


def guidance(area: Area, **data: Any) -> Guidance:
    values = {"title": "居家防护", "body": "勤洗手、戴口罩", "position": 1, **data}
    return services.do_create_guidance(area=area, by=None, **values)
