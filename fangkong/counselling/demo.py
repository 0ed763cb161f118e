"""Demo counselling: two cases in 在水一方社区 — one of medium risk counselled by the health
officer (demo-health) with two sessions and a follow-up task, one of high risk referred to a
hospital's psychological clinic, counselled by the community officer."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fangkong.core.demo import DemoContext
from fangkong.counselling.choices import RiskLevel, SessionMode
from fangkong.counselling.models import CounsellingCase, CounsellingSession
from fangkong.counselling.services import do_open_case, do_record_session, do_refer_case

ORDER = 76


def seed(ctx: DemoContext) -> None:
    community = ctx.areas.get("community")
    people = ctx.people.get("community", [])
    officer = ctx.users.get("demo-community")
    health = ctx.users.get("demo-health") or officer
    if community is None or officer is None or len(people) < 45:
        return
    now = timezone.now()
    today = community.local_today()
    worried = do_open_case(
        people[30],
        by=None,
        counsellor=health,
        risk_level=RiskLevel.MEDIUM,
        opened_on=today - dt.timedelta(days=4),
    )
    do_record_session(
        worried,
        by=None,
        mode=SessionMode.PHONE,
        notes="独居，隔离第五天，夜里睡不好，担心自己被感染。讲解了居家防护要点，约定每天通话一次。",
        held_at=now - dt.timedelta(days=4),
    )
    do_record_session(
        worried,
        by=None,
        mode=SessionMode.PHONE,
        notes="情绪比前几天平稳，已能按时作息。女儿每天视频联系。",
        held_at=now - dt.timedelta(days=1),
        follow_up_on=today + dt.timedelta(days=2),
    )
    grieving = do_open_case(
        people[44],
        by=None,
        counsellor=officer,
        risk_level=RiskLevel.HIGH,
        opened_on=today - dt.timedelta(days=2),
    )
    do_record_session(
        grieving,
        by=None,
        mode=SessionMode.HOME_VISIT,
        notes="家中老人病故，情绪低落，反复说不想活了。已通知家属陪护，建议转介专业机构。",
        held_at=now - dt.timedelta(days=2),
    )
    do_refer_case(grieving, referral_to="市精神卫生中心心理门诊", by=None)
    ctx.count("counselling cases", 2)


def find(ctx: DemoContext) -> bool:
    return False  # the areas decide whether the demo exists


def unseed(ctx: DemoContext) -> None:
    communities = [ctx.areas[k] for k in ("community", "community2") if k in ctx.areas]
    if not communities:
        return
    CounsellingSession.objects.filter(community__in=communities).delete()
    CounsellingCase.objects.filter(community__in=communities).delete()
