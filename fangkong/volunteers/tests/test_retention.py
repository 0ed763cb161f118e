"""Retention: requests (with their answers) 3 years after the duty; an inactive volunteer a
year after their last change, once no answer of theirs is kept."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from fangkong.core.retention import rules
from fangkong.volunteers.models import Volunteer, VolunteerRequest
from fangkong.volunteers.tests.factories import VolunteerFactory, VolunteerRequestFactory, accept

pytestmark = pytest.mark.django_db


def rule(name: str) -> Any:
    return next(r for r in rules() if r.name == name)


def test_a_request_goes_three_years_after_its_duty(community_a: Any) -> None:
    wanted = VolunteerRequestFactory(community=community_a)
    accept(wanted, VolunteerFactory(community=community_a))
    expired = rule("volunteers.request").expired
    inside = wanted.end + dt.timedelta(days=3 * 365)
    past = wanted.end + dt.timedelta(days=3 * 366 + 1)

    assert not expired(inside).filter(pk=wanted.pk).exists()
    assert expired(past).filter(pk=wanted.pk).exists()


def test_an_inactive_volunteer_goes_a_year_on_once_no_answer_is_kept(community_a: Any) -> None:
    idle = VolunteerFactory(community=community_a, is_active=False)
    served = VolunteerFactory(community=community_a)
    accept(VolunteerRequestFactory(community=community_a), served)
    Volunteer.objects.filter(pk=served.pk).update(is_active=False)
    expired = rule("volunteers.volunteer").expired
    now = timezone.now()

    assert not expired(now + dt.timedelta(days=360)).filter(pk=idle.pk).exists()
    gone = expired(now + dt.timedelta(days=367))
    assert gone.filter(pk=idle.pk).exists()
    assert not gone.filter(pk=served.pk).exists()
    assert VolunteerRequest.objects.exists()
