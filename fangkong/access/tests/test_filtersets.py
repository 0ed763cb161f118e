"""One filterset per model: the pass list, the gate log and the visitor list filter the same
way on their page and in the API, query for query (the page's rows are its context's, the
API's its JSON's)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from fangkong.access import services
from fangkong.access.tests.factories import (
    CheckpointFactory,
    VisitorFactory,
    household_with_pass,
    scan,
)

pytestmark = pytest.mark.django_db


def on_page(client: Any, url: str, query: dict[str, Any]) -> set[int]:
    response = client.get(url, query)
    assert response.status_code == 200
    return {row.pk for row in response.context["object_list"]}


def in_api(client: Any, url: str, query: dict[str, Any]) -> set[int]:
    response = client.get(url, query)
    assert response.status_code == 200, response.content[:300]
    return {row["id"] for row in response.json()["results"]}


def test_the_pass_list_filters_alike_on_its_page_and_in_the_api(
    client: Any, officer_a: Any, community_a: Any, community_b: Any, grid_a1: Any
) -> None:
    gate = CheckpointFactory(community=community_a, name="东门")
    (home, out), (other, _active) = (
        household_with_pass(community_a, grid_a1),
        household_with_pass(community_a, grid_a1),
    )
    scan(gate, out.token, "out")
    voided = services.do_void_pass(other.passes.get(), by=officer_a, reason="丢失")
    foreign, _ = household_with_pass(community_b)
    client.force_login(officer_a)

    cases = [
        ({}, None),
        ({"building": home.building_id}, {out.pk}),
        ({"building": foreign.building_id}, set()),
        ({"status": "void"}, {voided.pk}),
        ({"out": "true"}, {out.pk}),
        ({"household": home.pk, "out": "false"}, set()),
        ({"serial": out.serial}, {out.pk}),
    ]
    for query, expected in cases:
        page = on_page(client, reverse("access:pass_list"), query)
        assert page == in_api(client, "/api/v1/passes/", query), query
        assert expected is None or page == expected, query


def test_the_gate_log_filters_alike_on_its_page_and_in_the_api(
    client: Any, officer_a: Any, community_a: Any, grid_a1: Any
) -> None:
    north = CheckpointFactory(community=community_a, name="北门")
    south = CheckpointFactory(community=community_a, name="南门")
    home, item = household_with_pass(community_a, grid_a1)
    went_out = scan(north, item.token, "out").event
    came_in = scan(south, item.token, "in").event
    unreviewed = scan(south, item.token, "in").event  # in twice: flagged
    fever = scan(north, item.token, "out", temperature="38.5").event
    reviewed = scan(north, item.token, "in").event
    if reviewed.flag:
        services.do_review_event(reviewed, by=officer_a)
    client.force_login(officer_a)

    cases = [
        ({}, {went_out.pk, came_in.pk, unreviewed.pk, fever.pk, reviewed.pk}),
        ({"checkpoint": south.pk}, {came_in.pk, unreviewed.pk}),
        ({"direction": "out"}, {went_out.pk, fever.pk}),
        ({"decision": "deny"}, {fever.pk}),
        ({"reason_code": fever.reason_code}, {fever.pk}),
        ({"for_review": "true"}, None),
        ({"flagged": "true"}, None),
        ({"flagged": "false", "household": home.pk}, None),
    ]
    for query, expected in cases:
        page = on_page(client, reverse("access:event_list"), query)
        assert page == in_api(client, "/api/v1/gate/events/", query), query
        assert expected is None or page == expected, query
    assert unreviewed.pk in on_page(client, reverse("access:event_list"), {"for_review": "true"})


def test_the_visitor_list_filters_alike_on_its_page_and_in_the_api(
    client: Any, officer_a: Any, community_a: Any, grid_a1: Any
) -> None:
    north = CheckpointFactory(community=community_a, name="北门")
    south = CheckpointFactory(community=community_a, name="南门")
    home, _item = household_with_pass(community_a, grid_a1)
    inside = VisitorFactory(checkpoint=north, household=home)
    left = services.do_visitor_leaves(
        VisitorFactory(checkpoint=south, household=home), by=officer_a
    )
    client.force_login(officer_a)

    cases = [
        ({}, {inside.pk, left.pk}),
        ({"inside": "true"}, {inside.pk}),
        ({"inside": "false"}, {left.pk}),
        ({"checkpoint": south.pk}, {left.pk}),
        ({"status": "left"}, {left.pk}),
        ({"household": home.pk}, {inside.pk, left.pk}),
    ]
    for query, expected in cases:
        page = on_page(client, reverse("access:visitor_list"), query)
        assert page == in_api(client, "/api/v1/visitors/", query), query
        assert page == expected, query
