"""``/api/v1/daily-figures/``: a community's stored days or a street's sums, as JSON or
CSV, for an area in the caller's scope; bad input refused with the reason."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse

from fangkong.health.tests.factories import family
from fangkong.reports import daily

pytestmark = pytest.mark.django_db

URL = "api:daily-figures-list"


@pytest.fixture
def stored(community_a: Any, community_b: Any, grid_a1: Any, grid_b1: Any) -> dt.date:
    family(grid_a1, 3)
    family(grid_b1, 2)
    family(grid_b1, 1)
    day = community_a.local_today()
    daily.store_day(None, day)
    daily.store_day(None, day - dt.timedelta(days=1))
    return day


def _get(client: Any, user: Any, **params: Any) -> Any:
    client.force_login(user)
    return client.get(reverse(URL), params)


def test_a_street_official_reads_the_streets_sums_day_by_day(
    client: Any, street_official: Any, street: Any, stored: dt.date
) -> None:
    response = _get(client, street_official, area=street.pk)
    assert response.status_code == 200
    body = response.json()
    assert body["communities"] == 2
    assert [row["day"] for row in body["days"]] == [
        (stored - dt.timedelta(days=1)).isoformat(),
        stored.isoformat(),
    ]
    assert body["days"][-1]["figures"]["households.total"] == 3
    assert body["days"][-1]["figures"]["people.total"] == 6
    assert body["labels"]["quarantine.home"] == "居家隔离人数"


def test_an_officer_reads_the_communitys_rows_as_csv(
    client: Any, officer_a: Any, community_a: Any, stored: dt.date
) -> None:
    response = _get(client, officer_a, area=community_a.pk, format="csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    header = lines[0].split(",")
    assert header[0] == "day"
    assert "people.total" in header
    last = dict(zip(header, lines[-1].split(","), strict=True))
    assert last["day"] == stored.isoformat()
    assert last["people.total"] == "3"


def test_an_accept_header_asks_for_csv_and_format_decides_when_given(
    client: Any, officer_a: Any, community_a: Any, stored: dt.date
) -> None:
    client.force_login(officer_a)
    url = reverse(URL)
    as_csv = client.get(url, {"area": community_a.pk}, HTTP_ACCEPT="text/csv")
    assert as_csv["Content-Type"].startswith("text/csv")
    assert as_csv.content.decode().startswith("day,")
    as_json = client.get(url, {"area": community_a.pk, "format": "json"}, HTTP_ACCEPT="text/csv")
    assert as_json["Content-Type"].startswith("application/json")
    preferred = client.get(url, {"area": community_a.pk}, HTTP_ACCEPT="application/json, text/csv")
    assert preferred["Content-Type"].startswith("application/json")


def test_an_officer_cannot_read_the_street_above_nor_another_community(
    client: Any, officer_a: Any, street: Any, community_b: Any, stored: dt.date
) -> None:
    for area in (street, community_b):
        response = _get(client, officer_a, area=area.pk)
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "2016-01-01", "until": "2026-01-01"}, "until"),
        ({"since": "2026-03-02", "until": "2026-03-01"}, "since"),
        ({"since": "not-a-day"}, "since"),
        ({"since": "0001-01-01"}, "since"),
        ({"format": "xlsx"}, "format"),
    ],
)
def test_bad_input_is_refused_with_the_reason(
    client: Any, officer_a: Any, community_a: Any, params: dict[str, str], field: str
) -> None:
    response = _get(client, officer_a, area=community_a.pk, **params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert field in body["fields"]


def test_ten_years_are_capped_with_a_clear_message(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    response = _get(client, officer_a, area=community_a.pk, since="2016-01-01", until="2026-01-01")
    assert response.status_code == 400
    assert "366" in response.json()["message"]


@pytest.mark.parametrize("area", ["", "abc", "-1", str(2**70)])
def test_a_missing_or_malformed_area_is_refused(client: Any, officer_a: Any, area: str) -> None:
    response = _get(client, officer_a, area=area)
    assert response.status_code == 400
    assert "area" in response.json()["fields"]


def test_a_grid_is_refused_with_the_reason(client: Any, officer_a: Any, grid_a1: Any) -> None:
    response = _get(client, officer_a, area=grid_a1.pk)
    assert response.status_code == 400
    assert "area" in response.json()["fields"]


def test_the_route_is_in_the_openapi_schema(client: Any, officer_a: Any) -> None:
    client.force_login(officer_a)
    schema = client.get(reverse("api:schema")).json()
    operation = schema["paths"]["/api/v1/daily-figures/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"area", "since", "until", "format"}
    assert {"200", "400", "404"} <= set(operation["responses"])
