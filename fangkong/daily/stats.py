"""The daily report's figures for the home page: the state of today's report of the user's
own area, always through ``restrict(user)``."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils import timezone

from fangkong.daily.choices import ReportState
from fangkong.daily.models import DailyReport, deadline_of


def reporting_levels() -> tuple[str, ...]:
    # Imported when asked: reports.daily reads every app's stats.py while it is first
    # imported, and the services import reports.daily.
    from fangkong.daily.services import REPORTING_LEVELS

    return REPORTING_LEVELS


if TYPE_CHECKING:
    from fangkong.accounts.models import User
    from fangkong.areas.models import Area


def state_of(
    area: Area, report: DailyReport | None, now: Any = None, due: dt.time | None = None
) -> ReportState:
    """Submitted (or corrected), late (past the deadline of the area above, local time;
    ``due`` when the caller has read it already) or not submitted yet."""
    if report is not None:
        return ReportState.CORRECTED if report.revision > 1 else ReportState.SUBMITTED
    local = timezone.localtime(now or timezone.now(), area.zone)
    if due is None and area.parent is not None:
        due = deadline_of(area.parent)
    if due is not None and local.time() >= due:
        return ReportState.LATE
    return ReportState.NOT_SUBMITTED


def todays_report(user: User) -> dict[str, Any] | None:
    """The home page's link to today's report of the user's own area, with its state; None
    for a user who submits none."""
    area = getattr(user, "area", None)
    if (
        area is None
        or area.level not in reporting_levels()
        or not user.has_action(DailyReport, "add")
    ):
        return None
    report = (
        DailyReport.objects.restrict(user)
        .filter(area=area, day=area.local_today(), is_current=True)
        .first()
    )
    state = state_of(area, report)
    return {"url": reverse("daily:today"), "state": state, "label": state.label}


def report_states(
    community_ids: list[int], now: dt.datetime | None = None
) -> dict[int, ReportState]:
    """Where each community's report of its local today stands, for the officials' status
    cards: three queries whatever the number of communities (the areas, their reports of
    today, their streets' deadlines)."""
    from fangkong.areas.models import Area
    from fangkong.daily.models import DEFAULT_DEADLINE, ReportDeadline

    now = now or timezone.now()
    areas = list(Area.objects.filter(pk__in=community_ids).only("pk", "parent_id", "time_zone"))
    local = {area.pk: timezone.localtime(now, area.zone) for area in areas}
    revisions = dict(
        DailyReport.objects.filter(
            area_id__in=[area.pk for area in areas],
            day__in={when.date() for when in local.values()},
            is_current=True,
        ).values_list("area_id", "revision")
    )
    deadlines = dict(
        ReportDeadline.objects.filter(
            area_id__in={area.parent_id for area in areas if area.parent_id}
        ).values_list("area_id", "due")
    )
    states = {}
    for area in areas:
        revision = revisions.get(area.pk)
        if revision is not None:
            states[area.pk] = ReportState.CORRECTED if revision > 1 else ReportState.SUBMITTED
        elif local[area.pk].time() >= deadlines.get(area.parent_id, DEFAULT_DEADLINE):
            states[area.pk] = ReportState.LATE
        else:
            states[area.pk] = ReportState.NOT_SUBMITTED
    return states
