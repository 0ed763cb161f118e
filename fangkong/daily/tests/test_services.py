"""Submitting, locking, correcting and rolling up daily reports (the services)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from fangkong.areas.tests.factories import AreaFactory
from fangkong.core.exceptions import ConflictError, PermissionDeniedError
from fangkong.core.models import ObjectChange
from fangkong.daily.models import DailyReport
from fangkong.daily.services import do_correct_report, do_submit_report
from fangkong.daily.tests.factories import DailyReportFactory, stored_day
from fangkong.reports.daily import DAILY_KEYS

pytestmark = pytest.mark.django_db


def _today(area: Any) -> dt.date:
    return area.local_today()


def test_a_community_officer_submits_todays_report_with_the_figures_as_stored(
    community_a: Any, officer_a: Any
) -> None:
    stored_day(community_a, _today(community_a), households=10, people=25, exits=4)

    report = do_submit_report(
        community_a, _today(community_a), {"key_events": "排查完成"}, by=officer_a
    )

    assert report.revision == 1
    assert report.is_current
    assert report.figures["households.total"] == 10
    assert report.figures["gate.exits"] == 4
    assert set(report.figures) == set(DAILY_KEYS)
    assert report.key_events == "排查完成"
    assert report.submitted_by == officer_a
    assert ObjectChange.objects.filter(object_id=report.pk, action="create").exists()


def test_a_report_keeps_its_figures_as_submitted_when_the_stored_figures_change(
    community_a: Any, officer_a: Any
) -> None:
    day = _today(community_a)
    stored_day(community_a, day, households=10)
    report = do_submit_report(community_a, day, {}, by=officer_a)

    stored_day(community_a, day, households=12)  # a later recount

    report.refresh_from_db()
    assert report.figures["households.total"] == 10


def test_a_report_submitted_twice_is_refused_and_nothing_more_is_stored(
    community_a: Any, officer_a: Any
) -> None:
    DailyReportFactory(area=community_a, by=officer_a)

    with pytest.raises(ValidationError, match=r"已经提交|already been submitted"):
        do_submit_report(community_a, _today(community_a), {}, by=officer_a)
    assert DailyReport.objects.count() == 1


def test_a_report_for_a_future_date_is_refused(community_a: Any, officer_a: Any) -> None:
    tomorrow = _today(community_a) + dt.timedelta(days=1)

    with pytest.raises(ValidationError) as caught:
        do_submit_report(community_a, tomorrow, {}, by=officer_a)
    assert "day" in caught.value.error_dict
    assert not DailyReport.objects.exists()


def test_a_report_for_a_community_outside_ones_scope_is_not_found(
    community_a: Any, officer_b: Any
) -> None:
    with pytest.raises(Http404):
        do_submit_report(community_a, _today(community_a), {}, by=officer_b)
    assert not DailyReport.objects.exists()


def test_a_street_official_cannot_submit_a_communitys_report_for_it(
    community_a: Any, street_official: Any
) -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        do_submit_report(community_a, _today(community_a), {}, by=street_official)
    assert community_a.name in caught.value.message
    assert not DailyReport.objects.exists()


def test_roles_without_the_right_are_refused_with_a_reason(
    community_a: Any, grid_worker_a1: Any, health_a: Any
) -> None:
    with pytest.raises(PermissionDeniedError) as caught:
        do_submit_report(community_a, _today(community_a), {}, by=health_a)
    assert caught.value.message
    assert not DailyReport.objects.exists()


def test_a_correction_without_a_reason_is_refused_and_the_report_stays_in_force(
    community_a: Any, officer_a: Any
) -> None:
    report = DailyReportFactory(area=community_a, by=officer_a)

    with pytest.raises(ValidationError) as caught:
        do_correct_report(report, {"key_events": "改"}, reason="  ", by=officer_a)
    assert "reason" in caught.value.error_dict
    report.refresh_from_db()
    assert report.is_current
    assert DailyReport.objects.count() == 1


def test_a_correction_is_a_new_revision_that_says_what_changed(
    community_a: Any, officer_a: Any
) -> None:
    day = _today(community_a)
    stored_day(community_a, day, households=10, people=20)
    first = do_submit_report(community_a, day, {"key_events": "平稳"}, by=officer_a)
    stored_day(community_a, day, households=11)

    second = do_correct_report(
        first,
        {"key_events": "平稳", "problems": "漏报一户"},
        reason="漏报一户",
        expected_version=first.version,
        by=officer_a,
    )

    first.refresh_from_db()
    assert not first.is_current
    assert first.figures["households.total"] == 10
    assert second.is_current
    assert second.revision == 2
    assert second.reason == "漏报一户"
    assert second.changes == {"figures": {"households.total": [10, 11]}, "notes": ["problems"]}


def test_a_correction_of_an_old_revision_is_refused(community_a: Any, officer_a: Any) -> None:
    first = DailyReportFactory(area=community_a, by=officer_a)
    do_correct_report(first, {}, reason="更正", by=officer_a)
    first.refresh_from_db()

    with pytest.raises(ValidationError):
        do_correct_report(first, {}, reason="再次更正", by=officer_a)
    assert DailyReport.objects.count() == 2


def test_a_correction_from_a_stale_read_is_a_conflict(community_a: Any, officer_a: Any) -> None:
    first = DailyReportFactory(area=community_a, by=officer_a)

    with pytest.raises(ConflictError):
        do_correct_report(
            first, {}, reason="更正", expected_version=first.version + 5, by=officer_a
        )
    assert DailyReport.objects.count() == 1


def test_the_streets_totals_are_the_sum_of_its_communities_submitted_figures(
    street: Any, community_a: Any, community_b: Any, street_official: Any
) -> None:
    day = _today(street)
    stored_day(community_a, day, households=10, exits=3)
    stored_day(community_b, day, households=7, exits=5)
    DailyReportFactory(area=community_a, day=day)
    DailyReportFactory(area=community_b, day=day)
    stored_day(community_b, day, households=99)  # recounted after submission: not summed

    report = do_submit_report(street, day, {"requests": "请区里支援"}, by=street_official)

    assert report.figures["households.total"] == 17
    assert report.figures["gate.exits"] == 8
    assert report.parts == {str(community_a.pk): 1, str(community_b.pk): 1}


def test_the_districts_totals_are_the_sum_of_its_streets_submitted_reports(
    district: Any, street: Any, community_a: Any, district_official: Any
) -> None:
    other_street = AreaFactory(parent=district, level="street", code="210102002")
    other_community = AreaFactory(parent=other_street, level="community", code="210102002001")
    day = _today(district)
    stored_day(community_a, day, people=30)
    stored_day(other_community, day, people=12)
    for community in (community_a, other_community):
        DailyReportFactory(area=community, day=day)
    for each in (street, other_street):
        DailyReportFactory(area=each, day=day)

    report = do_submit_report(district, day, {}, by=district_official)

    assert report.figures["people.total"] == 42
    assert (
        sum(r.figures["people.total"] for r in DailyReport.objects.filter(area__level="street"))
        == 42
    )
