"""The dashboards of a community, a street and a district: stored figures only, the sums
equal to the rows below, the same number of queries whatever the number of communities."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fangkong.accounts.choices import Role
from fangkong.accounts.tests.factories import UserFactory
from fangkong.areas.models import Area
from fangkong.areas.tests.factories import AreaFactory
from fangkong.health.tests.factories import CaseFactory, family, members
from fangkong.reports import daily
from fangkong.reports.models import CommunityFigure

pytestmark = pytest.mark.django_db


def _store(community: Area, day: dt.date, **figures: int) -> None:
    """Stored figures of ``community`` on ``day`` (keys with ``_`` for ``.``), rolled up."""
    CommunityFigure.objects.filter(community=community, day=day).delete()
    CommunityFigure.objects.bulk_create(
        CommunityFigure(community=community, day=day, key=key.replace("__", "."), value=value)
        for key, value in figures.items()
    )
    daily.roll_up([community.pk], day)


def _number(text: str, key: str) -> str:
    found = re.search(rf'data-number="{key}">\s*<span class="n">([^<]*)', text)
    assert found, key
    return found.group(1).strip()


def _page(client: Any, user: Any, area: Area | None = None) -> str:
    client.force_login(user)
    url = reverse("reports:dashboard", args=[area.pk] if area else [])
    response = client.get(url)
    assert response.status_code == 200, response.content[:300]
    return str(response.content.decode())


def test_a_community_sees_its_stored_numbers_with_the_change_from_the_day_before(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    # Given two stored days of the community
    today = community_a.local_today()
    _store(community_a, today - dt.timedelta(days=1), cases__new=1, gate__exits=40)
    _store(
        community_a,
        today,
        cases__new=3,
        cases__confirmed=5,
        cases__suspected=2,
        quarantine__home=7,
        quarantine__centralised=4,
        screening__reached=30,
        screening__pending=8,
        screening__unreachable=2,
        gate__exits=25,
        tasks__overdue=2,
    )

    # When the officer opens their own dashboard
    text = _page(client, officer_a)

    # Then today's numbers are the stored ones, with the change from yesterday
    assert _number(text, "new_cases") == "3"
    assert "↑2" in text
    assert _number(text, "open_cases") == "7"
    assert _number(text, "in_quarantine") == "11"
    assert _number(text, "coverage") == "75%"
    assert _number(text, "exits") == "25"
    assert "↓15" in text
    assert 'data-number="overdue_tasks"' in text
    assert "文化社区" in text


def test_the_street_and_the_district_are_the_sums_of_their_communities_stored_rows(
    client: Any, street_official: Any, district_official: Any, community_a: Any, community_b: Any
) -> None:
    today = community_a.local_today()
    _store(community_a, today, cases__confirmed=2, quarantine__home=3, gate__exits=10)
    _store(community_b, today, cases__confirmed=1, quarantine__home=4, gate__exits=5)
    stored = CommunityFigure.objects.filter(
        community__in=[community_a, community_b], day=today, key="quarantine.home"
    )
    expected = sum(stored.values_list("value", flat=True))

    street_text = _page(client, street_official)
    district_text = _page(client, district_official)

    for text in (street_text, district_text):
        assert _number(text, "in_quarantine") == str(expected) == "7"
        assert _number(text, "open_cases") == "3"
        assert _number(text, "exits") == "15"


def test_a_street_sees_its_communities_least_covered_first_and_not_another_streets(
    client: Any, street_official: Any, street: Any, community_a: Any, community_b: Any
) -> None:
    # Given a community of another street with the worst coverage of all
    other_street = AreaFactory(parent=street.parent, name="北市街道", code="210102009")
    elsewhere = AreaFactory(parent=other_street, name="北站社区", code="210102009001")
    today = community_a.local_today()
    _store(community_a, today, screening__reached=9, screening__pending=1)
    _store(community_b, today, screening__reached=2, screening__pending=8)
    _store(elsewhere, today, screening__reached=0, screening__pending=10)

    text = _page(client, street_official)

    # Then its own communities are listed, the less covered first, and never the other
    covered = text.split("data-least-covered")[1].split("</section>")[0]
    assert covered.index("长白社区") < covered.index("文化社区")
    assert "20%" in covered
    assert "北站社区" not in text
    client.force_login(street_official)
    response = client.get(reverse("reports:dashboard", args=[elsewhere.pk]))
    assert response.status_code == 404


def test_every_trend_has_its_thirty_days_as_a_table_and_its_chart_data_outside_any_script(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    today = community_a.local_today()
    for back in range(3):
        _store(community_a, today - dt.timedelta(days=back), gate__exits=10 + back)

    text = _page(client, officer_a)

    for key in ("cases", "quarantine", "coverage", "exits"):
        table = text.split(f'data-trend="{key}"')[1].split("</table>")[0]
        assert table.count("<tr>") == 31  # the header and 30 days
        data = re.search(rf'<script id="chart-{key}" type="application/json">(.*?)</script>', text)
        assert data, key
        assert len(json.loads(data.group(1))["days"]) == 30
    exits = json.loads(
        re.search(r'id="chart-exits" type="application/json">(.*?)</script>', text).group(1)  # type: ignore[union-attr]
    )
    assert exits["series"][0]["data"][-3:] == [12, 11, 10]
    assert exits["series"][0]["data"][0] is None  # not stored: a gap, not a zero
    # Scripts only from the site (the CSP forbids inline ones)
    for tag in re.findall(r"<script[^>]*>", text):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "reports/vendor/echarts/echarts.common.min.js" in text


def test_the_late_reports_of_a_streets_communities_are_listed(
    client: Any, street_official: Any, community_a: Any, community_b: Any
) -> None:
    text = _page(client, street_official)
    late = text.split("data-reports")[1].split("</section>")[0]
    assert 'data-submitted="0/2"' in late
    assert f'data-area="{community_a.pk}"' in late
    assert f'data-area="{community_b.pk}"' in late


def test_a_community_shows_its_buildings_with_cases(
    client: Any, officer_a: Any, community_a: Any, grid_a1: Any
) -> None:
    household = family(grid_a1, 2)
    CaseFactory(person=members(household)[0])

    text = _page(client, officer_a)

    buildings = text.split("data-buildings")[1].split("</section>")[0]
    assert f'data-building="{household.building_id}"' in buildings


def test_the_queries_are_as_many_for_a_district_of_eight_communities_as_for_one_community(
    client: Any, district_official: Any, officer_a: Any, street: Any, community_a: Any
) -> None:
    today = community_a.local_today()
    communities = [community_a] + [
        AreaFactory(parent=street, name=f"第{n}社区", code=f"21010200100{n + 2}") for n in range(7)
    ]
    for community in communities:
        for back in range(5):
            _store(
                community,
                today - dt.timedelta(days=back),
                screening__reached=back,
                screening__pending=3,
                tasks__overdue=back,
            )

    def queries(user: Any, area: Area | None) -> int:
        client.force_login(user)
        url = reverse("reports:dashboard", args=[area.pk] if area else [])
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    district = queries(district_official, None)
    street_only = queries(district_official, street)
    community = queries(officer_a, None)
    # One more community below adds no query
    AreaFactory(parent=street, name="第九社区", code="210102001099")
    assert queries(district_official, None) == district
    assert district <= community + 2
    assert street_only == district


def test_users_without_the_figures_are_refused(client: Any, grid_worker_a1: Any) -> None:
    client.force_login(grid_worker_a1)
    assert client.get(reverse("reports:dashboard")).status_code == 403


def test_a_health_officer_of_the_community_reads_it_too(client: Any, community_a: Any) -> None:
    health = UserFactory(username="health_x", role=Role.HEALTH_OFFICER, area=community_a)
    assert "data-buildings" in _page(client, health, community_a)


def test_the_street_and_district_dashboards_show_no_english(
    client: Any, street_official: Any, district_official: Any, community_a: Any
) -> None:
    from fangkong.core.tests.english_words import english_words

    _store(community_a, community_a.local_today(), screening__reached=1, tasks__overdue=1)
    for user in (street_official, district_official):
        client.force_login(user)
        response = client.get(reverse("reports:dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200
        assert not english_words(response.content.decode())
