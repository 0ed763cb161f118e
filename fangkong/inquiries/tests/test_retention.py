"""Inquiries are kept 1 year after closing (2 after receipt if never closed); counselling
cases 2 years after closing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fangkong.inquiries.models import Inquiry
from fangkong.inquiries.retention import expired_inquiries
from fangkong.inquiries.tests.factories import InquiryFactory

pytestmark = pytest.mark.django_db


def test_a_closed_inquiry_goes_just_past_a_year_and_not_before(community_a: Any) -> None:
    inquiry = InquiryFactory(community=community_a, answer="好的。")
    closed = timezone.now()
    Inquiry.objects.filter(pk=inquiry.pk).update(status="closed", closed_at=closed)

    assert not expired_inquiries(closed + dt.timedelta(days=364)).exists()
    assert expired_inquiries(closed + dt.timedelta(days=367)).filter(pk=inquiry.pk).exists()


def test_an_inquiry_never_closed_goes_two_years_after_it_was_received(community_a: Any) -> None:
    inquiry = InquiryFactory(community=community_a)
    received = inquiry.received_at

    assert not expired_inquiries(received + dt.timedelta(days=365 * 2 - 2)).exists()
    assert expired_inquiries(received + dt.timedelta(days=365 * 2 + 2)).exists()


def test_a_counselling_case_goes_two_years_after_it_was_closed(
    grid_a1: Any, health_a: Any, officer_a: Any
) -> None:
    from fangkong.counselling.models import CounsellingCase
    from fangkong.counselling.retention import expired_cases, expired_sessions
    from fangkong.counselling.services import do_close_case
    from fangkong.counselling.tests.factories import CaseFactory, SessionFactory
    from fangkong.registry.tests.factories import PersonFactory

    case = CaseFactory(person=PersonFactory(household__building__grid=grid_a1), counsellor=health_a)
    SessionFactory(case=case)
    do_close_case(case, by=officer_a)
    closed_on = CounsellingCase.objects.get().closed_on
    assert closed_on is not None
    noon = timezone.make_aware(dt.datetime.combine(closed_on, dt.time(12)))

    assert not expired_cases(noon + dt.timedelta(days=365 * 2 - 1)).exists()
    assert expired_cases(noon + dt.timedelta(days=365 * 2 + 2)).exists()
    assert expired_sessions(noon + dt.timedelta(days=365 * 2 + 2)).count() == 1
