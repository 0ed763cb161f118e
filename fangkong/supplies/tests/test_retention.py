"""A person donor's name is kept five years after the donation, then blanked; a company's
name stays."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from fangkong.supplies import services
from fangkong.supplies.choices import DonorKind, Unit
from fangkong.supplies.retention import expired_person_donors
from fangkong.supplies.tests.factories import disinfectant, donation

pytestmark = pytest.mark.django_db


def test_a_person_donors_name_is_kept_five_years_and_not_a_day_longer(community_a: Any) -> None:
    office = services.office_of(community_a)
    item = disinfectant(community_a)
    day = dt.date(2020, 2, 18)
    person = donation(
        office, [(item, 1, Unit.BOX)], day=day, donor_kind=DonorKind.PERSON, donor_name="王某"
    )
    company = donation(office, [(item, 1, Unit.BOX)], day=day, donor_name="某驾校")
    period_end = dt.datetime.combine(day + dt.timedelta(days=365 * 5), dt.time(12), tzinfo=dt.UTC)

    assert not expired_person_donors(period_end).exists()  # just inside
    past = list(expired_person_donors(period_end + dt.timedelta(days=1)))  # just past
    assert past == [person]
    assert company not in past
