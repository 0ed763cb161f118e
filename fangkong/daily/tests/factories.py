"""Daily reports made as an office makes them: through ``do_submit_report``."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import factory
import openpyxl

from fangkong.areas.models import Area
from fangkong.daily.models import DailyReport
from fangkong.daily.services import do_submit_report
from fangkong.reports.models import CommunityFigure

#: Short names the tests write for the daily figures' keys (reports.daily.DAILY_KEYS).
KEYS = {"households": "households.total", "people": "people.total", "exits": "gate.exits"}


def stored_day(community: Area, day: dt.date, **figures: int) -> None:
    """Store figures of ``community`` under ``day`` (as the nightly job would)."""
    for name, value in figures.items():
        CommunityFigure.objects.update_or_create(
            community=community, day=day, key=KEYS.get(name, name), defaults={"value": value}
        )


class DailyReportFactory(factory.django.DjangoModelFactory):
    """A submitted report of ``area`` for ``day`` (today by default), by the system."""

    class Meta:
        model = DailyReport

    area: Any = None
    day = factory.LazyAttribute(lambda o: o.area.local_today())
    key_events = "全天平稳"
    problems = ""
    requests = ""

    @classmethod
    def _create(cls, model_class: type[DailyReport], *args: Any, **kwargs: Any) -> DailyReport:
        area = kwargs.pop("area")
        day = kwargs.pop("day")
        by = kwargs.pop("by", None)
        return do_submit_report(area, day, kwargs, by=by)


def workbook(cells: dict[str, Any], *, sheet: str = "表1") -> bytes:
    """An .xlsx with these cells (``{"A1": "{{date}}"}``): a template as an officer types it."""
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = sheet
    for where, value in cells.items():
        ws[where] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
