"""The officials' status cards: one per community, read from stored figures, with the
moment they are exact as of and the change since yesterday's last count."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fangkong.health.tests.factories import CaseFactory, family, household_quarantine
from fangkong.reports.figures import refresh_figures
from fangkong.reports.models import CommunityFigure
from fangkong.staff.models import Task
from fangkong.staff.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


def cards(client: Any, user: Any) -> dict[int, Any]:
    client.force_login(user)
    response = client.get(reverse("reports:home"))
    assert response.status_code == 200
    return {status.pk: status for status in response.context["work"].communities}


def test_a_street_official_sees_one_card_per_community_of_the_street(
    client: Any, street_official: Any, community_a: Any, community_b: Any
) -> None:
    statuses = cards(client, street_official)

    assert set(statuses) == {community_a.pk, community_b.pk}


def test_a_card_counts_home_quarantined_households_new_cases_and_overdue_tasks(
    client: Any, street_official: Any, community_a: Any, grid_a1: Any
) -> None:
    # Given a household under home quarantine, a case reported today and an overdue task
    household_quarantine(family(grid_a1, 2))
    CaseFactory(person=family(grid_a1, 1).members.first(), report_date=timezone.localdate())
    task = TaskFactory(community=community_a)
    Task.objects.filter(pk=task.pk).update(due=timezone.now() - dt.timedelta(hours=1))
    refresh_figures([community_a.pk])  # the task fell due by the clock, not a change

    figures = cards(client, street_official)[community_a.pk].figures

    assert figures["quarantined_households"].value == 1
    assert figures["new_cases"].value == 1
    assert figures["overdue_tasks"].value == 1
    assert figures["overdue_tasks"].alert
    assert figures["overdue_tasks"].url.endswith(f"overdue=true&community={community_a.pk}")


def test_a_card_says_how_a_figure_changed_since_yesterdays_last_count(
    client: Any, street_official: Any, community_a: Any, grid_a1: Any
) -> None:
    # Given yesterday's last count stored 3 households in home quarantine, and 1 today
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    CommunityFigure.objects.create(
        community=community_a, day=yesterday, key="quarantined_households", value=3
    )
    household_quarantine(family(grid_a1, 2))

    figures = cards(client, street_official)[community_a.pk].figures

    assert figures["quarantined_households"].value == 1
    assert figures["quarantined_households"].change == -2
    # And a figure yesterday's count did not store says nothing about a change
    assert figures["passes_suspended"].change is None


def test_todays_count_is_kept_under_today_for_tomorrows_change(community_a: Any) -> None:
    refresh_figures([community_a.pk])

    stored = set(
        CommunityFigure.objects.filter(community=community_a, day=timezone.localdate()).values_list(
            "key", flat=True
        )
    )

    assert {"quarantined_households", "overdue_tasks", "passes_suspended"} <= stored


def test_the_cards_say_the_time_they_are_exact_as_of(
    client: Any, street_official: Any, community_a: Any
) -> None:
    client.force_login(street_official)
    before = timezone.now()

    response = client.get(reverse("reports:home"), HTTP_ACCEPT_LANGUAGE="zh-hans")

    as_of = response.context["work"].as_of
    assert before <= as_of <= timezone.now()
    assert f"截至 {timezone.localtime(as_of):%H:%M}" in response.content.decode()


def test_the_district_officials_home_reads_no_person_or_household_row_once_counted(
    client: Any, district_official: Any, community_a: Any, grid_a1: Any
) -> None:
    # Given the figures counted once (a tick would have)
    family(grid_a1, 3)
    client.force_login(district_official)
    client.get(reverse("reports:home"))

    # When the official opens the home page again
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("reports:home"))

    # Then no query reads the people or households: the cards are stored figures
    assert response.status_code == 200
    raw = [
        q["sql"]
        for q in queries
        if "registry_person" in q["sql"] or "registry_household" in q["sql"]
    ]
    assert raw == []


def test_a_card_says_whether_the_communitys_daily_report_is_in_or_late(
    client: Any, street_official: Any, community_a: Any, community_b: Any, street: Any
) -> None:
    from fangkong.daily.choices import ReportState
    from fangkong.daily.models import ReportDeadline
    from fangkong.daily.tests.factories import DailyReportFactory

    DailyReportFactory(area=community_a)
    # The street's reports were due at midnight: community B's, not in, is late.
    ReportDeadline.objects.create(area=street, due=dt.time(0, 0))

    statuses = cards(client, street_official)

    assert statuses[community_a.pk].report_state == ReportState.SUBMITTED
    assert statuses[community_b.pk].report_state == ReportState.LATE
    page = client.get(reverse("reports:home")).content.decode()
    assert 'data-figure="daily_report"' in page
