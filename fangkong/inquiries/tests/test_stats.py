"""The daily report's inquiry figures, and counselling sessions held."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fangkong.core.daily_figures import DayWindow
from fangkong.inquiries.services import do_answer_inquiry
from fangkong.inquiries.stats import count_daily
from fangkong.inquiries.tests.factories import InquiryFactory

pytestmark = pytest.mark.django_db


def _today(community: Any) -> DayWindow:
    day = community.local_today()
    start = dt.datetime.combine(day, dt.time(0), tzinfo=community.zone)
    return DayWindow([community.pk], day, start, start + dt.timedelta(days=1))


def test_received_answered_open_and_overdue_are_counted_for_the_day(community_a: Any) -> None:
    now = timezone.now()
    InquiryFactory(community=community_a)
    answered = InquiryFactory(community=community_a)
    do_answer_inquiry(answered, answer="好的。", by=None)
    InquiryFactory(community=community_a, received_at=now - dt.timedelta(days=3))

    counts = count_daily(_today(community_a))[community_a.pk]

    assert counts["inquiries.answered"] == 1
    assert counts["inquiries.open"] == 2
    assert counts["inquiries.overdue"] == 1
    received_today = 3 if (now - dt.timedelta(days=3)).date() == now.date() else 2
    assert counts["inquiries.received"] <= received_today


def test_counselling_sessions_held_that_day_are_counted(
    community_a: Any, grid_a1: Any, health_a: Any
) -> None:
    from fangkong.counselling.stats import count_daily as counselling_daily
    from fangkong.counselling.tests.factories import CaseFactory, SessionFactory
    from fangkong.registry.tests.factories import PersonFactory

    case = CaseFactory(person=PersonFactory(household__building__grid=grid_a1), counsellor=health_a)
    SessionFactory(case=case)
    SessionFactory(case=case, held_at=timezone.now() - dt.timedelta(days=3))

    counts = counselling_daily(_today(community_a))[community_a.pk]

    assert counts["counselling.sessions"] == 1
