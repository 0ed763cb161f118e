"""Dates typed into a URL: one parser (core.dates) with bounds, and no page or API route of
the project answers a 500 to a date it cannot hold (``?week=0001-W01``, ``9999-12-31``...)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from fangkong.core.dates import EARLIEST, LATEST, parse_query_date
from fangkong.core.tests.walk import Route, World
from fangkong.core.tests.walk_routes import ROUTES, walked_world

#: Every name a page or API route of the project reads a date or a time from.
DATE_PARAMETERS = (
    "week",
    "date",
    "day",
    "since",
    "until",
    "from",
    "to",
    "after",
    "before",
    "starts_after",
    "starts_before",
)
#: Years 1 and 9999 break arithmetic one step later (the week before, UTC conversion).
UNREADABLE_DATES = ("0001-W01", "9999-12-31T23:59+14:00")


@pytest.mark.parametrize(
    "value",
    [
        "0001-W01",
        "0001-01-01",
        "1899-12-31",
        "2101-01-01",
        "9999-W52",
        "10000-01-01",
        "2024-W60",
        "2024-02-30",
        "abc",
        "２０２４-01-01",
    ],
)
def test_the_parser_refuses_what_a_page_cannot_show(value: str) -> None:
    with pytest.raises(ValidationError):
        parse_query_date(value)


def test_the_parser_reads_iso_dates_and_weeks_within_the_bounds() -> None:
    assert parse_query_date("2024-03-04") == dt.date(2024, 3, 4)
    assert parse_query_date("2024-W10") == dt.date(2024, 3, 4)
    assert parse_query_date(" 2024-W10-3 ") == dt.date(2024, 3, 6)
    assert parse_query_date(EARLIEST.isoformat()) == EARLIEST
    assert parse_query_date(LATEST.isoformat()) == LATEST
    assert parse_query_date("") is None
    assert parse_query_date(None) is None


@pytest.fixture(scope="module")
def world(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    yield from walked_world(django_db_blocker)


def _get_routes() -> list[tuple[str, Route]]:
    return [
        (name, route)
        for name, route in sorted(ROUTES.items())
        if route.method == "get" and route.kind != "public"
    ]


@pytest.mark.django_db
def test_no_route_answers_a_500_to_a_date_out_of_range(world: World) -> None:
    # Every GET route of the access walk, as its permitted user, with every date parameter
    # set to a year it cannot hold: a page shows today (or the form's error), the API a 400.
    failures = []
    for name, route in _get_routes():
        client = Client(raise_request_exception=False)
        client.force_login(world.users[route.permitted])
        url = reverse(name, kwargs=route.kwargs(world))
        for value in UNREADABLE_DATES:
            response = client.get(url, dict.fromkeys(DATE_PARAMETERS, value))
            if response.status_code >= 500:
                failures.append((name, value, response.status_code))
            elif route.api and response.status_code == 400:
                assert response.json()["code"] == "invalid", name
    assert not failures
