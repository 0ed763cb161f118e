"""The daily report's pages: the officer's today, the street's roll-up, a report, a
correction; in Chinese, with the refusals shown on the page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from fangkong.daily.models import DailyReport, ReportDeadline
from fangkong.daily.services import do_correct_report
from fangkong.daily.tests.factories import DailyReportFactory, stored_day

pytestmark = pytest.mark.django_db


def _chinese(client: Any) -> None:
    client.cookies["django_language"] = "zh-hans"


def test_the_officer_sees_todays_figures_beside_yesterdays_and_submits(
    client: Any, community_a: Any, officer_a: Any
) -> None:
    today = community_a.local_today()
    stored_day(community_a, today - dt.timedelta(days=1), households=9)
    stored_day(community_a, today, households=10)
    client.force_login(officer_a)
    _chinese(client)

    page = client.get(reverse("daily:today"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "今日日报" in text
    assert "昨日" in text
    assert "较昨日" in text
    assert "+1" in text

    response = client.post(reverse("daily:today"), {"key_events": "平稳", "problems": ""})

    report = DailyReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()
    assert report.figures["households.total"] == 10
    again = client.get(reverse("daily:today")).content.decode()
    assert "已于" in again  # submitted: locked, no form


def test_a_second_submission_is_refused_on_the_page(
    client: Any, community_a: Any, officer_a: Any
) -> None:
    client.force_login(officer_a)
    _chinese(client)
    page = client.get(reverse("daily:today"))  # the form as shown, before another tab submits
    assert page.status_code == 200
    DailyReportFactory(area=community_a)

    response = client.post(reverse("daily:today"), {"key_events": "再报一次"})

    assert response.status_code == 400
    assert "已经提交" in response.content.decode()
    assert DailyReport.objects.count() == 1


def test_a_street_official_sees_who_submitted_who_is_late_and_the_totals(
    client: Any, street: Any, community_a: Any, community_b: Any, street_official: Any
) -> None:
    today = street.local_today()
    stored_day(community_a, today, households=10, exits=2)
    DailyReportFactory(area=community_a, key_events="甲社区平稳")
    ReportDeadline.objects.create(area=street, due=dt.time(0, 0))  # every one missing is late
    client.force_login(street_official)
    _chinese(client)

    text = client.get(reverse("daily:today")).content.decode()

    assert "已提交：1 / 2" in text
    assert "自 00:00 起逾期" in text  # community b
    assert community_a.name in text
    assert community_b.name in text
    assert "data-total>10<" in text  # households: the one submitted report


def test_the_street_submits_its_report_as_the_sum_of_its_communities(
    client: Any, street: Any, community_a: Any, community_b: Any, street_official: Any
) -> None:
    today = street.local_today()
    stored_day(community_a, today, people=5)
    stored_day(community_b, today, people=6)
    DailyReportFactory(area=community_a)
    DailyReportFactory(area=community_b)
    client.force_login(street_official)

    client.post(reverse("daily:today"), {"requests": "请区里协调物资"})

    street_report = DailyReport.objects.get(area=street)
    assert street_report.figures["people.total"] == 11


def test_a_correction_without_a_reason_is_shown_again_with_the_reason_asked(
    client: Any, community_a: Any, officer_a: Any
) -> None:
    report = DailyReportFactory(area=community_a)
    client.force_login(officer_a)
    _chinese(client)

    response = client.post(
        reverse("daily:report_correct", args=[report.pk]),
        {"key_events": "改", "reason": "", "version": report.version},
    )

    assert response.status_code == 400
    assert "更正原因" in response.content.decode()
    assert DailyReport.objects.count() == 1


def test_the_street_sees_that_a_report_was_corrected_and_what_changed(
    client: Any, community_a: Any, street_official: Any
) -> None:
    today = community_a.local_today()
    stored_day(community_a, today, households=10)
    first = DailyReportFactory(area=community_a)
    stored_day(community_a, today, households=12)
    corrected = do_correct_report(first, {"problems": "漏报两户"}, reason="漏报两户", by=None)
    client.force_login(street_official)
    _chinese(client)

    rollup = client.get(reverse("daily:today")).content.decode()
    detail = client.get(corrected.get_absolute_url()).content.decode()

    assert "已更正（第 2 版）" in rollup
    assert "漏报两户" in detail
    assert "10 → 12" in detail


def test_a_later_recount_is_shown_beside_the_report_not_over_it(
    client: Any, community_a: Any, officer_a: Any
) -> None:
    today = community_a.local_today()
    stored_day(community_a, today, households=10)
    report = DailyReportFactory(area=community_a)
    stored_day(community_a, today, households=13)
    client.force_login(officer_a)
    _chinese(client)

    text = client.get(report.get_absolute_url()).content.decode()

    assert "现在重新统计" in text
    assert "<td data-value>10</td><td data-beside>13</td>" in text


def test_the_other_communitys_officer_does_not_find_the_report(
    client: Any, community_a: Any, officer_b: Any
) -> None:
    report = DailyReportFactory(area=community_a)
    client.force_login(officer_b)

    assert client.get(report.get_absolute_url()).status_code == 404
    assert client.get(reverse("daily:report_correct", args=[report.pk])).status_code == 404


def test_the_home_page_links_todays_report_with_its_state(
    client: Any, community_a: Any, officer_a: Any
) -> None:
    client.force_login(officer_a)
    _chinese(client)

    text = client.get(reverse("reports:home")).content.decode()

    assert "今日日报" in text
    assert "data-daily-report" in text
