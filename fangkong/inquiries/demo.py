"""Demo inquiries and FAQ: in 在水一方社区 (demo-community's) questions in every state — open
(one overdue), answered, waiting for a call back (a task on the handler's list), closed, one
asked on a household's self-service page — and an FAQ of eight entries, two of them the
street's (shown to every community of 五三街道), one made from an answered inquiry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone

from fangkong.core.demo import DemoContext
from fangkong.inquiries.choices import Category, Channel
from fangkong.inquiries.models import FaqEntry, Inquiry
from fangkong.inquiries.services import (
    do_answer_inquiry,
    do_ask_from_household,
    do_close_inquiry,
    do_create_faq_entry,
    do_faq_from_inquiry,
    do_follow_up_inquiry,
    do_record_inquiry,
)

ORDER = 75

FAQ = (
    (
        Category.PASSES,
        "出入证丢了怎么办？",
        "请户主带身份证到社区居委会补办，补办后旧证自动作废，门岗扫码即显示无效。",
    ),
    (
        Category.PASSES,
        "每户每天能出去几次？",
        "每户每两天可安排一人外出采购生活必需品一次，出门请持出入证并配合测温。",
    ),
    (
        Category.SUPPLIES,
        "家里买不到菜和药怎么办？",
        "可拨打社区值班电话登记，网格员和志愿者每天下午统一代购配送，药品请说明名称和用量。",
    ),
    (
        Category.MEDICAL,
        "发烧了应该去哪里看病？",
        "体温超过37.3℃请先在家休息并告诉网格员，由社区联系定点医院发热门诊，不要自行乘坐公共交通。",
    ),
    (
        Category.RUMOURS,
        "听说小区有人确诊了，是真的吗？",
        "请以区疫情防控指挥部和社区公告为准，不信谣、不传谣；如有确诊，社区会第一时间通知相关楼栋。",
    ),
    (
        Category.PSYCHOLOGICAL,
        "一个人在家隔离很焦虑，能找谁聊聊？",
        "可以随时拨打社区值班电话，社区有专人提供心理疏导；也可拨打市心理援助热线。",
    ),
)

STREET_FAQ = (
    (
        Category.EPIDEMIC,
        "居家隔离期间要注意什么？",
        "勤洗手、戴口罩、常通风，每天早晚各测一次体温并在健康打卡中填报，不串门、不聚集。",
    ),
    (
        Category.PASSES,
        "外地返回的人员需要做什么？",
        "返回前请先向所在社区报备，到达后居家观察14天，每天报告体温，期间不外出。",
    ),
)


def _demo_users(ctx: DemoContext) -> dict[str, Any]:
    officer = ctx.users.get("demo-community")
    health = ctx.users.get("demo-health")
    grid = next(
        (u for name, u in sorted(ctx.users.items()) if name.startswith("demo-grid")), officer
    )
    return {"officer": officer, "health": health or officer, "grid": grid}


def seed(ctx: DemoContext) -> None:
    community = ctx.areas.get("community")
    street = ctx.areas.get("street")
    if community is None:
        return
    users = _demo_users(ctx)
    people = ctx.people.get("community", [])
    households = ctx.households.get("community", [])
    now = timezone.now()
    today = community.local_today()

    def asked(n: int, **kwargs: Any) -> Inquiry:
        person = people[n] if n < len(people) else None
        return do_record_inquiry(community, by=None, person=person, **kwargs)

    inquiries: list[Inquiry] = []
    # Open, one of them waiting three days already (overdue).
    inquiries.append(
        asked(
            3,
            channel=Channel.PHONE,
            category=Category.SUPPLIES,
            question="家里的降压药快吃完了，药店关门，怎么买？",
            handler=users["grid"],
            received_at=now - dt.timedelta(days=3),
        )
    )
    inquiries.append(
        asked(
            8,
            channel=Channel.GATE,
            category=Category.PASSES,
            question="出入证丢了怎么办？",
            handler=users["officer"],
            received_at=now - dt.timedelta(hours=2),
        )
    )
    # Answered: the same question twice this week (the frequent-questions page shows it).
    for n, hours in ((12, 30), (15, 5)):
        inquiry = asked(
            n,
            channel=Channel.PHONE,
            category=Category.PASSES,
            question="每户每天能出去几次？",
            handler=users["officer"],
            received_at=now - dt.timedelta(hours=hours),
        )
        inquiries.append(
            do_answer_inquiry(
                inquiry,
                answer="每户每两天可安排一人外出采购一次，出门请带出入证。",
                by=users["officer"],
            )
        )
    # Waiting for a call back: a task on the health officer's list.
    fever = asked(
        20,
        channel=Channel.PHONE,
        category=Category.MEDICAL,
        question="孩子有点咳嗽，不发烧，需要去医院吗？",
        handler=users["health"],
        received_at=now - dt.timedelta(hours=20),
    )
    inquiries.append(
        do_follow_up_inquiry(
            fever,
            follow_up_on=today + dt.timedelta(days=1),
            note="明天上午电话询问体温和咳嗽情况",
            by=users["health"],
        )
    )
    # Closed, after an answer.
    for n, category, question, answer in (
        (25, Category.RUMOURS, "听说明天要封路，是真的吗？", "没有封路通知，请以官方公告为准。"),
        (
            30,
            Category.PSYCHOLOGICAL,
            "一个人在家很害怕，睡不着。",
            "已安排社区心理疏导员回访，并告知心理援助热线。",
        ),
    ):
        inquiry = asked(
            n,
            channel=Channel.IN_PERSON,
            category=category,
            question=question,
            handler=users["officer"],
            received_at=now - dt.timedelta(days=2),
            answer=answer,
        )
        inquiries.append(do_close_inquiry(inquiry, by=users["officer"]))
    # Asked on a household's own page: nobody has taken it yet.
    if households:
        inquiries.append(
            do_ask_from_household(
                households[5 % len(households)],
                question="楼下消毒是每天几点？",
                category=Category.EPIDEMIC,
            )
        )

    entries = [
        do_create_faq_entry(community, by=None, category=c, question=q, answer=a, published=True)
        for c, q, a in FAQ
    ]
    if street is not None:
        entries += [
            do_create_faq_entry(street, by=None, category=c, question=q, answer=a, published=True)
            for c, q, a in STREET_FAQ
        ]
    # The rumour's answer, made an entry with one click (not yet published).
    entries.append(do_faq_from_inquiry(inquiries[-3 if households else -2], by=None))
    ctx.extra["inquiries"] = inquiries
    ctx.count("inquiries", len(inquiries))
    ctx.count("FAQ entries", len(entries))


def find(ctx: DemoContext) -> bool:
    return False  # the areas decide whether the demo exists


def unseed(ctx: DemoContext) -> None:
    roots = [ctx.areas[k] for k in ("street", "community", "community2") if k in ctx.areas]
    if not roots:
        return
    below = Q()
    for root in roots:
        below |= Q(area__in=root.descendants(include_self=True))
    FaqEntry.objects.filter(below).delete()
    communities = [ctx.areas[k] for k in ("community", "community2") if k in ctx.areas]
    Inquiry.objects.filter(community__in=communities).delete()
    ctx.extra.pop("inquiries", None)
