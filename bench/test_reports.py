"""``bench/reports.py`` at a tiny size, so the builder and the measurements cannot rot. The
benchmark's figures are not checked here: it is a benchmark, not a timed test."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bench import reports

pytestmark = pytest.mark.django_db


def test_the_builder_makes_a_district_and_the_measurements_answer() -> None:
    # Given a district of three communities with two days of stored history
    day = timezone.localdate() - dt.timedelta(days=1)
    built = reports.build(communities=3, households=6, days=2, day=day)

    # When storing and reading are measured
    result = reports.measure(built, day, runs=1)

    # Then every community was stored and the district reads in one query
    assert result["store_day"]["communities"] == 3
    assert result["figures_for"]["district"]["queries"] == 1
    assert result["series_30_days"]["district"]["queries"] == 1
