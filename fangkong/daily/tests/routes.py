"""Daily reports' routes for the access walk (see fangkong/core/tests/walk.py).

The first community has submitted today's report; ``officer_a`` may see, list and correct
it, and submit through the API (yesterday's: today's is in). The other community's officer
and the other grid's worker find nothing of it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fangkong.core.tests.walk import Route, World
from fangkong.daily.tests.factories import DailyReportFactory, stored_day


def build(world: World) -> None:
    community = world.community_a
    stored_day(community, community.local_today(), households=3, people=7)
    world.extra["daily_report"] = DailyReportFactory(area=community, key_events="甲乙丙丁的事")


def _report(w: World) -> dict[str, Any]:
    return {"pk": w.extra["daily_report"].pk}


def _submit(w: World) -> dict[str, Any]:
    yesterday = w.community_a.local_today() - dt.timedelta(days=1)
    return {"area": w.community_a.pk, "day": yesterday.isoformat(), "key_events": "平稳"}


ROUTES = {
    "daily:today": Route(kind="list"),
    "daily:report_list": Route(kind="list"),
    "daily:report_detail": Route(kwargs=_report, grid_scoped=False),
    "daily:report_correct": Route(kwargs=_report, grid_scoped=False),
    "api:daily-report-list": Route(kind="list", api=True),
    "api:daily-report-detail": Route(kwargs=_report, api=True, grid_scoped=False),
    "api:daily-report-correct": Route(
        kwargs=_report,
        api=True,
        method="post",
        data=lambda w: {"reason": "数字有误"},
        ok=200,
        grid_scoped=False,
    ),
}

API_WRITES = [
    ("api:daily-report-list", Route(kind="create", api=True, method="post", data=_submit, ok=201)),
]
