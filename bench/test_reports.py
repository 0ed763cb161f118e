"""``bench/reports.py`` at its ``--small`` size, so the builder and the measurements cannot
rot. The benchmark's timings are not checked here: it is a benchmark, not a timed test."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from bench import reports

pytestmark = pytest.mark.django_db


def test_the_builder_makes_a_district_and_the_measurements_answer() -> None:
    # Given the small district: three communities with a month of stored history
    day = timezone.localdate() - dt.timedelta(days=1)
    built = reports.build(**reports.SMALL, day=day)

    # When storing, reading and the dashboards are measured
    result = reports.measure(built, day, runs=1, repeats=2)

    # Then every community was stored twice, the district reads in one query, and its
    # dashboard costs as many queries as a street's
    assert result["store_day"]["communities"] == 3
    assert len(result["store_day"]["runs"]) == 2
    assert result["figures_for"]["district"]["queries"] == 1
    assert result["series_30_days"]["district"]["queries"] == 1
    pages = result["dashboard"]
    assert pages["queries_constant"] is True
    assert pages["district"]["queries"] == pages["street"]["queries"]
    assert all(pages[name]["bytes"] > 1000 for name in ("district", "street", "community"))
