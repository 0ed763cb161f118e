"""Paging big lists (issue 12): cursors that walk a list by position, counts capped past
10,000 rows, and page numbers that never fail — on the API and on the list pages.

The gate log is the list walked here: every scan adds a row to it, so it is the list that
grows while someone pages through it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fangkong.access.models import GateEvent, Pass
from fangkong.access.tests.factories import CheckpointFactory, household_with_pass, scan
from fangkong.core import pagination
from fangkong.core.pagination import Keyset

pytestmark = pytest.mark.django_db

EVENTS = "/api/v1/gate/events/"


@pytest.fixture
def gate_log(community_a: Any, grid_a1: Any) -> list[int]:
    """Seven scans at a gate of community A, a minute apart (the ids, newest first)."""
    gate = CheckpointFactory(community=community_a, name="North gate")
    start = timezone.now() - dt.timedelta(hours=1)
    for minute in range(7):
        _, pass_ = household_with_pass(community_a, grid_a1, members=1)
        scan(gate, pass_.token, "out", at=start + dt.timedelta(minutes=minute))
    return list(GateEvent.objects.order_by("-time", "-pk").values_list("pk", flat=True))


@pytest.fixture
def api(client: Client, officer_a: Any) -> Client:
    client.force_login(officer_a)
    return client


def _walk(api: Client, url: str, params: dict[str, Any], link: str = "next") -> list[list[int]]:
    """The ids of each page, following ``link`` from ``url`` to the end."""
    pages = []
    response = api.get(url, params)
    while True:
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        pages.append([row["id"] for row in body["results"]])
        if not body[link]:
            return pages
        response = api.get(body[link])


# --- Cursors on the API -----------------------------------------------------------------------


def test_a_cursor_walks_the_gate_log_forward_and_back_in_its_order(
    api: Client, gate_log: list[int]
) -> None:
    forward = _walk(api, EVENTS, {"cursor": "", "page_size": 3})

    assert forward == [gate_log[0:3], gate_log[3:6], gate_log[6:7]]
    last = api.get(EVENTS, {"cursor": "", "page_size": 3}).json()
    for _ in range(2):
        last = api.get(last["next"]).json()
    assert last["next"] is None
    back = [[row["id"] for row in api.get(last["previous"]).json()["results"]]]
    assert back == [gate_log[3:6]]


def test_the_first_cursor_page_has_no_previous_and_counts_like_the_numbered_pages(
    api: Client, gate_log: list[int]
) -> None:
    body = api.get(EVENTS, {"cursor": "", "page_size": 3}).json()

    assert body["previous"] is None
    assert "cursor=" in body["next"]
    assert (body["count"], body["count_capped"]) == (7, False)
    numbered = api.get(EVENTS, {"page_size": 3}).json()
    assert (numbered["count"], numbered["count_capped"]) == (7, False)
    assert "page=2" in numbered["next"]


def test_rows_added_while_walking_neither_repeat_nor_push_rows_off_a_cursor_page(
    api: Client, gate_log: list[int], community_a: Any, grid_a1: Any
) -> None:
    first = api.get(EVENTS, {"cursor": "", "page_size": 3}).json()
    # Meanwhile the gate scans two more people (newer than every row seen).
    gate = CheckpointFactory(community=community_a, name="South gate")
    for _ in range(2):
        _, pass_ = household_with_pass(community_a, grid_a1, members=1)
        scan(gate, pass_.token, "out")

    second = api.get(first["next"]).json()

    assert [row["id"] for row in second["results"]] == gate_log[3:6]
    numbered = api.get(EVENTS, {"page_size": 3, "page": 2}).json()
    assert [row["id"] for row in numbered["results"]] != gate_log[3:6]  # what cursors avoid


def test_a_forged_cursor_is_a_400_in_the_error_shape(api: Client, gate_log: list[int]) -> None:
    real = api.get(EVENTS, {"cursor": "", "page_size": 3}).json()["next"].split("cursor=")[1]
    for forged in ("abc", real[:-2] + "xx", "x" * 5000, "eyJsIjoiLyJ9:1abc:def"):
        response = api.get(EVENTS, {"cursor": forged})

        assert response.status_code == 400, forged
        body = response.json()
        assert body["code"] == "invalid"
        assert list(body["fields"]) == ["cursor"]


def test_a_cursor_from_another_list_is_a_400(api: Client, gate_log: list[int]) -> None:
    other = api.get("/api/v1/passes/", {"cursor": "", "page_size": 2}).json()
    cursor = other["next"].split("cursor=")[1]

    response = api.get(EVENTS, {"cursor": cursor})

    assert response.status_code == 400
    assert "另一个列表" in response.json()["message"] or response.json()["fields"]["cursor"]


def test_a_cursor_and_a_page_number_together_are_a_400(api: Client, gate_log: list[int]) -> None:
    response = api.get(EVENTS, {"cursor": "", "page": "2"})

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["cursor"]


def test_a_cursor_follows_an_order_with_empty_values_in_both_databases(
    community_a: Any, grid_a1: Any
) -> None:
    # Passes ordered by when they went out: most never did (empty).
    for minute in range(5):
        _, pass_ = household_with_pass(community_a, grid_a1, members=1)
        if minute % 2:
            Pass.objects.filter(pk=pass_.pk).update(
                out_since=timezone.now() - dt.timedelta(minutes=minute)
            )
    out = F("out_since")
    # (the order, the same order with its NULLs placed as the cursor places them)
    orders = [
        (("out_since", "pk"), (out.asc(nulls_first=True), "pk")),
        (("-out_since", "-pk"), (out.desc(nulls_last=True), "-pk")),
        ((out.asc(nulls_last=True), "pk"), (out.asc(nulls_last=True), "pk")),
        ((out.desc(nulls_first=True), "-pk"), (out.desc(nulls_first=True), "-pk")),
    ]
    for order, placed in orders:
        keyset = Keyset(Pass.objects.order_by(*order), "/passes/")
        seen, position = [], None
        while True:
            rows, more = keyset.page(position, 2)
            seen += [row.pk for row in rows]
            if not more:
                break
            position = keyset.position_after(rows[-1])

        assert seen == list(Pass.objects.order_by(*placed).values_list("pk", flat=True)), order
        back, _ = keyset.page(keyset.position_before(rows[0]), 10)
        assert [row.pk for row in back] == seen[: len(seen) - len(rows)], order


# --- Capped counts -----------------------------------------------------------------------------


def test_a_count_past_the_cap_is_the_cap_and_says_so(
    api: Client, gate_log: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pagination, "COUNT_CAP", 4)

    body = api.get(EVENTS, {"page_size": 2}).json()

    assert (body["count"], body["count_capped"]) == (4, True)
    assert [row["id"] for row in body["results"]] == gate_log[:2]
    assert "page=2" in body["next"]


def test_a_page_past_the_cap_counts_exactly_and_one_past_the_end_is_a_404(
    api: Client, gate_log: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pagination, "COUNT_CAP", 4)

    deep = api.get(EVENTS, {"page_size": 2, "page": 4}).json()

    assert [row["id"] for row in deep["results"]] == gate_log[6:]
    assert (deep["count"], deep["count_capped"], deep["next"]) == (7, False, None)
    assert api.get(EVENTS, {"page_size": 2, "page": 5}).status_code == 404
    assert api.get(EVENTS, {"page": str(2**62)}).status_code == 404


def test_the_capped_count_stops_counting_at_the_cap(
    gate_log: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pagination, "COUNT_CAP", 4)

    with CaptureQueriesContext(connection) as queries:
        assert pagination.capped_count(GateEvent.objects.all()) == (4, True)
        assert pagination.capped_count(GateEvent.objects.filter(pk=gate_log[0])) == (1, False)

    assert "LIMIT 5" in queries.captured_queries[0]["sql"]


# --- List pages --------------------------------------------------------------------------------


@pytest.fixture
def page(client: Client, officer_a: Any) -> Client:
    client.force_login(officer_a)
    return client


def test_a_page_number_that_is_not_one_shows_the_first_page_with_a_chinese_message(
    page: Client, gate_log: list[int]
) -> None:
    response = page.get(
        reverse("access:event_list"), {"page": "abc"}, headers={"accept-language": "zh-hans"}
    )

    assert response.status_code == 200
    assert response.context["page_obj"].number == 1
    assert "不是页码" in response.content.decode()


def test_a_page_past_the_end_shows_the_last_page_with_a_chinese_message(
    page: Client, gate_log: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("fangkong.access.views.gate_log.GateEventListView.paginate_by", 3)
    for huge in ("1" + "0" * 20, "99", str(2**63)):
        response = page.get(
            reverse("access:event_list"), {"page": huge}, headers={"accept-language": "zh-hans"}
        )

        assert response.status_code == 200, huge
        assert response.context["page_obj"].number == 3, huge
        assert "最后一页" in response.content.decode(), huge


def test_a_list_page_past_the_cap_says_10_000_plus_and_still_pages(
    page: Client, gate_log: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pagination, "COUNT_CAP", 4)
    monkeypatch.setattr("fangkong.access.views.gate_log.GateEventListView.paginate_by", 2)

    first = page.get(reverse("access:event_list"), headers={"accept-language": "zh-hans"})
    deep = page.get(reverse("access:event_list"), {"page": "4"})

    assert first.context["page_obj"].paginator.count_label == "4+"
    assert "4+" in first.content.decode()
    assert first.context["page_obj"].has_next()
    assert [event.pk for event in deep.context["page_obj"]] == gate_log[6:]
    assert deep.context["page_obj"].paginator.count == 7
    assert not deep.context["page_obj"].has_next()
