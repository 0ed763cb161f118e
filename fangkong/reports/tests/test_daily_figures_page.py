"""The daily figures page and its "count again" button."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from fangkong.health.tests.factories import family
from fangkong.reports import daily
from fangkong.reports.models import CommunityFigure

pytestmark = pytest.mark.django_db


def test_an_officer_counts_a_past_day_again_and_sees_it(
    client: Any, officer_a: Any, community_a: Any, grid_a1: Any
) -> None:
    family(grid_a1, 3)
    today = community_a.local_today()
    client.force_login(officer_a)
    response = client.post(
        reverse("reports:store_daily_figures", args=[community_a.pk]), {"day": today.isoformat()}
    )
    assert response.status_code == 302
    assert daily.figures_for(community_a, today)["people.total"] == 3
    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "重新统计" in text
    assert 'data-key="people.total"' in text


def test_a_future_day_is_refused_and_nothing_is_stored(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    client.force_login(officer_a)
    tomorrow = community_a.local_today() + dt.timedelta(days=2)
    response = client.post(
        reverse("reports:store_daily_figures", args=[community_a.pk]),
        {"day": tomorrow.isoformat()},
        follow=True,
    )
    assert "尚未开始" in response.content.decode()
    assert not CommunityFigure.objects.filter(day=tomorrow).exists()


def test_a_street_official_reads_the_sums_but_has_no_button(
    client: Any, street_official: Any, street: Any, community_a: Any, grid_a1: Any
) -> None:
    family(grid_a1, 2)
    day = community_a.local_today() - dt.timedelta(days=1)
    daily.store_day(None, day)
    client.force_login(street_official)
    page = client.get(reverse("reports:daily_figures", args=[street.pk]), {"date": "bad"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "重新统计" not in text
    assert "YYYY-MM-DD" in text  # the bad date's message; yesterday shown instead
    response = client.post(
        reverse("reports:store_daily_figures", args=[community_a.pk]), {"day": day.isoformat()}
    )
    assert response.status_code == 403
