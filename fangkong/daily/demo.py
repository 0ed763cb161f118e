"""Demo daily reports: 五三街道 has four communities; three have submitted today's report and
在水一方社区 (demo-community's) has not, so the demo shows a street waiting for one report
and the officer has one to submit.

The street's further communities come from ``fangkong.areas.demo.add_street_communities``
(issue 16's figures work) where it exists; without it, this module adds two itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from fangkong.areas import demo as areas_demo
from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.areas.services import do_create_area
from fangkong.core.demo import DemoContext
from fangkong.daily.models import DailyReport
from fangkong.daily.services import do_submit_report
from fangkong.reports.daily import store_day

ORDER = 90

#: Added when the areas' demo does not add the street's further communities itself.
EXTRA_COMMUNITIES = (("幸福社区", "210112D53003"), ("和平社区", "210112D53004"))

NOTES = (
    {"key_events": "完成第二轮电话排查，新增居家隔离1户。", "problems": "防护服库存偏紧。"},
    {"key_events": "门岗运行正常，外出人员均按时返回。", "requests": "请街道协调消毒液两箱。"},
    {"key_events": "全天平稳，无新增病例。"},
)


def _street_communities(ctx: DemoContext) -> list[Area]:
    street = ctx.areas["street"]
    adder = getattr(areas_demo, "add_street_communities", None)
    if adder is not None:
        adder(ctx)
    elif not Area.objects.filter(parent=street, code=EXTRA_COMMUNITIES[0][1]).exists():
        for name, code in EXTRA_COMMUNITIES:
            do_create_area(level=AreaLevel.COMMUNITY, name=name, code=code, parent=street, by=None)
    return list(Area.objects.filter(parent=street, level=AreaLevel.COMMUNITY).order_by("code"))


def seed(ctx: DemoContext) -> None:
    communities = _street_communities(ctx)
    ids = [c.pk for c in communities]
    today = ctx.areas["street"].local_today()
    for day in (today - dt.timedelta(days=1), today):
        store_day(ids, day)
    # Every community of the street but the officer's own has reported today.
    reporters = [c for c in communities if c.pk != ctx.areas["community"].pk][: len(NOTES)]
    reports = [
        do_submit_report(community, community.local_today(), dict(notes), by=None)
        for community, notes in zip(reporters, NOTES, strict=False)
    ]
    ctx.extra["daily_reports"] = reports
    ctx.count("daily reports", len(reports))


def find(ctx: DemoContext) -> bool:
    return False  # the areas decide whether the demo exists


def unseed(ctx: DemoContext) -> None:
    street: Any = ctx.areas.get("street")
    roots = [street] if street is not None else []
    roots += [ctx.areas[k] for k in ("community", "community2") if k in ctx.areas]
    if not roots:
        return
    below = Q()
    for root in roots:
        below |= Q(area__path__startswith=root.path)
    # Reports PROTECT their areas: gone before the areas' demo deletes the street.
    DailyReport.objects.filter(below).delete()
    ctx.extra.pop("daily_reports", None)
