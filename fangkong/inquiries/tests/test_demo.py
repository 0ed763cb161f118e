"""The demo shows inquiries in every state, an FAQ of eight entries and two counselling
cases."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from fangkong.counselling.models import CounsellingCase
from fangkong.inquiries.choices import Channel, InquiryStatus
from fangkong.inquiries.models import FaqEntry, Inquiry

pytestmark = pytest.mark.django_db


def test_the_demo_has_inquiries_in_every_state_an_faq_and_two_counselling_cases() -> None:
    call_command("seed_demo", verbosity=0)

    statuses = set(Inquiry.objects.values_list("status", flat=True))
    assert statuses == set(InquiryStatus.values)
    assert Inquiry.objects.filter(channel=Channel.SELF_SERVICE).exists()
    assert FaqEntry.objects.filter(published=True).count() == 8
    assert FaqEntry.objects.filter(source__isnull=False).count() == 1
    assert CounsellingCase.objects.count() == 2
