"""Daily figures and retention of the self-service module."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fangkong.core.daily_figures import DayWindow
from fangkong.health.clock import day_start
from fangkong.selfservice import services
from fangkong.selfservice.choices import CorrectionKind
from fangkong.selfservice.models import Activity
from fangkong.selfservice.stats import DAILY_FIGURES, count_daily
from fangkong.selfservice.tests.conftest import Home

pytestmark = pytest.mark.django_db


def _today(community: Any) -> DayWindow:
    day = community.local_today()
    return DayWindow(
        [community.pk],
        day,
        day_start(day, community),
        day_start(day + dt.timedelta(days=1), community),
    )


def test_the_daily_figures_count_self_reports_and_corrections_pending(
    home: Home, community_a: Any, grid_worker_a1: Any
) -> None:
    services.do_self_report(home.link, person_id=home.monitored.pk, temperature="36.5")
    waiting = services.do_propose_correction(
        home.link, kind=CorrectionKind.PHONE, phone="13912345678"
    )
    decided = services.do_propose_correction(
        home.link, kind=CorrectionKind.PHONE, phone="13912340000"
    )
    services.do_reject_correction(decided, by=grid_worker_a1, reason="不对")
    counts = count_daily(_today(community_a))[community_a.pk]
    assert counts == {"selfservice.health_reports": 1, "selfservice.corrections_pending": 1}
    assert waiting.pk
    keys = [key for counter in DAILY_FIGURES for key in counter.keys]
    assert all(key.startswith("selfservice.") for key in keys)


def test_activity_is_kept_90_days(home: Home) -> None:
    from fangkong.core.retention import rules

    rule = next(r for r in rules() if r.name == "selfservice.activity")
    now = timezone.now()
    Activity.objects.all().delete()
    inside = Activity.objects.create(
        community_id=home.link.community_id,
        household=home.household,
        kind="opened",
        time=now - dt.timedelta(days=89),
    )
    past = Activity.objects.create(
        community_id=home.link.community_id,
        household=home.household,
        kind="opened",
        time=now - dt.timedelta(days=91),
    )
    expired = set(rule.expired(now).values_list("pk", flat=True))
    assert past.pk in expired
    assert inside.pk not in expired
