"""Daily reports' routes for the access walk (see fangkong/core/tests/walk.py).

The first community has submitted today's report; ``officer_a`` may see, list and correct
it, download it filled into the community's template (.xlsx) and as a PDF, and submit
through the API (yesterday's: today's is in). The community keeps three templates: one the
report fills, one the deactivate page stops and one the API stops. The street official sets
the street's deadline. The other community's officer and the other grid's worker find
nothing of it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fangkong.core.tests.walk import Route, World
from fangkong.daily.services import do_upload_template
from fangkong.daily.tests.factories import DailyReportFactory, stored_day, workbook


def build(world: World) -> None:
    community = world.community_a
    stored_day(community, community.local_today(), households=3, people=7)
    world.extra["daily_report"] = DailyReportFactory(area=community, key_events="甲乙丙丁的事")
    content = workbook({"A1": "{{area.name}}日报", "A2": "{{households.total}}"}, sheet="日报")
    for key, name in (("template", "区里的日报"), ("stop", "停用的表"), ("api_stop", "接口停用")):
        world.extra[key] = do_upload_template(
            community, name=name, level="community", content=content, by=None
        )


def _template(key: str) -> Any:
    return lambda w: {"pk": w.extra[key].pk}


def _download(w: World) -> dict[str, Any]:
    return {"template": w.extra["template"].pk}


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
    "daily:report_xlsx": Route(kwargs=_report, data=_download, grid_scoped=False),
    "daily:report_pdf": Route(kwargs=_report, grid_scoped=False),
    "daily:template_list": Route(kind="list"),
    "daily:template_upload": Route(kind="list"),
    "daily:template_install": Route(kind="list", method="post", ok=302),
    "daily:template_detail": Route(kwargs=_template("template"), grid_scoped=False),
    "daily:template_deactivate": Route(
        kwargs=_template("stop"), method="post", ok=302, grid_scoped=False
    ),
    "daily:deadline": Route(kind="list", permitted="street_official"),
    "api:daily-report-list": Route(kind="list", api=True),
    "api:daily-report-xlsx": Route(kwargs=_report, data=_download, api=True, grid_scoped=False),
    "api:daily-report-pdf": Route(kwargs=_report, api=True, grid_scoped=False),
    "api:report-template-list": Route(kind="list", api=True),
    "api:report-template-detail": Route(kwargs=_template("template"), api=True, grid_scoped=False),
    "api:report-template-deactivate": Route(
        kwargs=_template("api_stop"), api=True, method="post", ok=200, grid_scoped=False
    ),
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
