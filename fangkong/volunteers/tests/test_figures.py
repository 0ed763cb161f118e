"""The daily report's volunteer figures: active volunteers, those on duty that day, and the
hours served on that day's duties."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fangkong.core.daily_figures import DayWindow
from fangkong.staff.duty_hours import day_bounds, zone_of
from fangkong.volunteers import services
from fangkong.volunteers.stats import count_daily
from fangkong.volunteers.tests.factories import VolunteerFactory, VolunteerRequestFactory, accept

pytestmark = pytest.mark.django_db


def test_the_days_figures_count_volunteers_duty_and_hours(community_a: Any) -> None:
    serving, resting = (
        VolunteerFactory(community=community_a),
        VolunteerFactory(community=community_a),
    )
    VolunteerFactory(community=community_a, is_active=False)
    wanted = VolunteerRequestFactory(community=community_a)
    accept(wanted, serving)
    services.do_count_hours(wanted, by=None, now=wanted.end)
    day = wanted.start.astimezone(zone_of(community_a)).date()
    start, end = day_bounds(day, zone_of(community_a))

    counts = count_daily(DayWindow([community_a.pk], day, start, end))[community_a.pk]

    assert counts == {"volunteers.active": 2, "volunteers.on_duty": 1, "volunteers.hours": 2}
    assert resting.is_active
    back = dt.timedelta(days=3)
    empty = count_daily(DayWindow([community_a.pk], day - back, start - back, end - back))
    assert empty[community_a.pk]["volunteers.on_duty"] == 0
