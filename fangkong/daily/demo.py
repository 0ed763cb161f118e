"""Demo daily reports: of the four communities the figures' demo adds to 五三街道
(``fangkong.reports.demo.add_street_communities``, with 30 days of stored figures), three
have submitted today's report and one has not; 在水一方社区 (demo-community's) has not either,
so the officer has one to submit and the street waits for two. Both shipped report templates
are installed: the community daily report for 在水一方社区, the street summary for 五三街道.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from fangkong.core.demo import DemoContext
from fangkong.daily.models import DailyReport, ReportDeadline, ReportTemplate
from fangkong.daily.services import do_submit_report
from fangkong.daily.shipped import install_shipped_templates
from fangkong.reports.demo import add_street_communities

ORDER = 95

NOTES = (
    {"key_events": "完成第二轮电话排查，新增居家隔离1户。", "problems": "防护服库存偏紧。"},
    {"key_events": "门岗运行正常，外出人员均按时返回。", "requests": "请街道协调消毒液两箱。"},
    {"key_events": "全天平稳，无新增病例。"},
)


def seed(ctx: DemoContext) -> None:
    # After the figures' demo (ORDER 90): it stored the days these reports show.
    added = add_street_communities(ctx)
    reports = [
        do_submit_report(community, community.local_today(), dict(notes), by=None)
        for community, notes in zip(added, NOTES, strict=False)
    ]
    ctx.extra["daily_reports"] = reports
    ctx.count("daily reports", len(reports))
    templates = [
        template
        for key in ("community", "street")
        if key in ctx.areas
        for template in install_shipped_templates(ctx.areas[key], by=None)
    ]
    ctx.count("report templates", len(templates))


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
        below |= Q(area__in=root.descendants(include_self=True))
    # Reports PROTECT their areas: gone before the areas' demo deletes the street.
    DailyReport.objects.filter(below).delete()
    ReportTemplate.objects.filter(below).delete()
    ReportDeadline.objects.filter(below).delete()
    ctx.extra.pop("daily_reports", None)
