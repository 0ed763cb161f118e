"""Demo outreach: the story's phone notification script, written by 在水一方社区, proposed to
五三街道 and recommended by it, so every community of the street (阳光社区 too) finds it; a
broadcast script with its audio (made only where espeak-ng is installed); today's loudspeaker
rounds over part of the community; announcements in force; the standard health advice.

Before screening (ORDER 45 < 50): screening's demo campaign reads a script of the library, and
its unseed deletes the campaigns that point at scripts before this one deletes the scripts.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Q
from django.utils import timezone

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core import speech
from fangkong.core.demo import DemoContext
from fangkong.outreach import services
from fangkong.outreach.models import (
    Announcement,
    BroadcastRound,
    BroadcastScript,
    Guidance,
    NotificationScript,
)
from fangkong.registry.models import Building

ORDER = 45

logger = logging.getLogger(__name__)

NOTIFICATION_TITLE = "居民安心电话通知"
#: The calming script the story's bureau chief wrote, in our words (generated, no real names).
NOTIFICATION_TEXT = """您好，请问是{姓名}家吗？我是{社区}的工作人员，今天是{日期}，\
给您打个电话报个平安。

最近大家可能听到了一些消息，心里有些着急，这很正常。我们想跟您说清楚：小区里的病人已经在定点医院接受治疗，和他接触过的人都已经按规定隔离观察了，楼道、电梯和公共区域每天都在消毒。

您和家人只要做到少出门、不聚集，出门戴口罩，回家先洗手，屋里常通风，就能很好地保护自己。

家里缺菜、缺药，或者有老人、孩子需要照顾，请直接告诉我们，社区会想办法帮您解决。家里谁要是发烧、咳嗽，先给社区打电话，我们帮您联系医院。

网上的消息真真假假，请以政府和社区发布的通知为准，不信谣、不传谣。社区二十四小时有人值班，电话是{电话}。

谢谢您的理解和配合，祝您全家平安！"""

BROADCAST_TITLE = "流动宣传：防疫十句话"
BROADCAST_TEXT = (
    "居民朋友们，请注意！疫情防控，人人有责。"
    "请大家勤洗手、戴口罩、常通风、勤锻炼、不扎堆、讲礼仪、稳心态、树信心、不信谣、不传谣。"
    "如有发热、咳嗽，请先打电话联系社区。谢谢大家的配合！"
)

GUIDANCE = (
    (services.STANDARD_TITLE, services.STANDARD_ADVICE, 0),
    (
        "居家隔离期间",
        "每天早晚各测一次体温，如实报给社区。\n不出门、不串门，垃圾放门口由社区统一收运。\n"
        "心里烦闷时给社区打电话，有人听您说。",
        10,
    ),
)


def seed(ctx: DemoContext) -> None:
    community: Area = ctx.areas["community"]
    street: Area = ctx.areas["street"]
    today = community.local_today()

    # The notification script: written by the community, proposed, recommended street-wide.
    script = services.do_create_script(
        area=community, by=None, title=NOTIFICATION_TITLE, text=NOTIFICATION_TEXT
    )
    services.do_propose_script(script, by=None)
    script = services.do_recommend_script(script, by=None)
    ctx.extra["outreach_script"] = script

    # Guidance: the standard advice for the whole street, the community's own beside it.
    services.do_create_guidance(
        area=street, by=None, title=GUIDANCE[0][0], body=GUIDANCE[0][1], position=GUIDANCE[0][2]
    )
    services.do_create_guidance(
        area=community, by=None, title=GUIDANCE[1][0], body=GUIDANCE[1][1], position=GUIDANCE[1][2]
    )

    # Announcements in force: one for everyone, one for households under quarantine.
    services.do_create_announcement(
        area=community,
        by=None,
        title="关于加强小区出入管理的通知",
        body="即日起小区只开放北门，每户每两天可安排一人外出采购，凭出入证出入。\n请大家理解配合。",
        valid_from=today - dt.timedelta(days=2),
        valid_until=today + dt.timedelta(days=12),
        on_phone=True,
    )
    services.do_create_announcement(
        area=community,
        by=None,
        title="居家隔离户生活物资配送说明",
        body="隔离期间的生活物资由社区志愿者每天上午送到门口，请提前一天告诉网格员需要什么。",
        valid_from=today - dt.timedelta(days=1),
        valid_until=today + dt.timedelta(days=13),
        quarantined_only=True,
    )

    # The broadcast script, its audio where espeak-ng is here, and today's rounds.
    loudspeaker = services.do_create_broadcast_script(
        community=community, by=None, title=BROADCAST_TITLE, text=BROADCAST_TEXT
    )
    if speech.available():
        try:
            services.make_audio(loudspeaker)
        except (speech.SpeechUnavailable, ValueError, OSError):
            logger.warning("the demo's broadcast audio could not be made")
    buildings = list(
        Building.objects.filter(community=community).order_by("section", "sort_key", "number", "id")
    )
    grids = list(Area.objects.filter(parent=community, level=AreaLevel.GRID).order_by("code", "pk"))
    zone = community.zone
    morning = dt.datetime.combine(today, dt.time(9, 0), tzinfo=zone)
    rounds = [
        services.do_record_round(
            community=community,
            script=loudspeaker,
            by=None,
            at=min(morning, timezone.now()),
            staff="宣传组 两人一车",
            grids=grids[:1],
        )
    ]
    if len(buildings) > 10:
        rounds.append(
            services.do_record_round(
                community=community,
                script=loudspeaker,
                by=None,
                at=min(morning + dt.timedelta(hours=1), timezone.now()),
                staff="宣传组 两人一车",
                buildings=buildings[-6:],
                note="沿南侧道路",
            )
        )
    ctx.count("broadcast rounds today", len(rounds))


def find(ctx: DemoContext) -> bool:
    community = ctx.areas.get("community")
    if community is not None:
        script = NotificationScript.objects.filter(area=community, title=NOTIFICATION_TITLE).first()
        if script is not None:
            ctx.extra["outreach_script"] = script
    return False  # the areas decide whether the demo exists


def unseed(ctx: DemoContext) -> None:
    street = ctx.areas.get("street")
    roots = [street] if street is not None else []
    roots += [ctx.areas[k] for k in ("community", "community2") if k in ctx.areas]
    if not roots:
        return
    ids: set[int] = set()
    for root in roots:
        ids.update(root.descendants(include_self=True).values_list("pk", flat=True))
    # Rounds PROTECT their scripts; scripts, announcements and guidance PROTECT their areas.
    BroadcastRound.objects.filter(community_id__in=ids).delete()
    BroadcastScript.objects.filter(community_id__in=ids).delete()
    scripts = NotificationScript.objects.filter(Q(area_id__in=ids) | Q(reach_id__in=ids))
    scripts.update(current=None)
    scripts.delete()
    Announcement.objects.filter(area_id__in=ids).delete()
    Guidance.objects.filter(area_id__in=ids).delete()
    ctx.extra.pop("outreach_script", None)
