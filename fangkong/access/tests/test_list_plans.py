"""The access lists' queries are ranges of their indexes: one community's gate log and passes
cost the same in a district of a hundred communities as alone (issue 12).

Each list is asked the way it is asked for a community officer (rows of their community, the
list's order, a page of 50) and, for the gate log, the way a cursor asks for the next page.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from fangkong.access.filtersets import GateEventFilterSet, PassFilterSet
from fangkong.access.models import GateEvent, Pass
from fangkong.access.tests.factories import household_with_pass, scan
from fangkong.core.pagination import Keyset
from fangkong.core.tests.plans import assert_served_by_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_communities_scanning(
    gate_a: Any, gate_b: Any, community_a: Any, community_b: Any, grid_a1: Any, grid_b1: Any
) -> None:
    for gate, community, grid in ((gate_a, community_a, grid_a1), (gate_b, community_b, grid_b1)):
        for _ in range(3):
            _, pass_ = household_with_pass(community, grid, members=1)
            scan(gate, pass_.token, "out")


def test_the_gate_log_of_a_community_reads_its_index_newest_first(
    two_communities_scanning: None, community_a: Any
) -> None:
    events = GateEvent.objects.filter(community_id__in=[community_a.pk])

    assert_served_by_index(events[:50], "access_event_log_idx")


def test_the_gate_log_next_page_by_cursor_starts_inside_the_index(
    two_communities_scanning: None, community_a: Any
) -> None:
    keyset = Keyset(GateEvent.objects.filter(community_id__in=[community_a.pk]), "/access/log/")
    first, _ = keyset.page(None, 2)
    after = keyset.position_after(first[-1])

    plan = assert_served_by_index(keyset.page_query(after, 50), "access_event_log_idx")

    assert "time" in plan  # a range on time, not only the community's equality


def test_the_gate_log_of_one_day_is_a_range_of_the_same_index(
    two_communities_scanning: None, community_a: Any
) -> None:
    events = GateEvent.objects.filter(community_id__in=[community_a.pk])
    # The day as the filter reads it: in the current time zone, not UTC's (they differ for
    # eight hours of every day in Shenyang).
    day = timezone.localtime(GateEvent.objects.first().time).date().isoformat()

    filtered = GateEventFilterSet({"date": day}, queryset=events).qs

    assert filtered.exists()
    assert_served_by_index(filtered[:50], "access_event_log_idx")


def test_the_passes_of_a_community_read_the_serial_index_in_order(
    two_communities_scanning: None, community_a: Any
) -> None:
    passes = Pass.objects.filter(community_id__in=[community_a.pk])

    assert_served_by_index(passes[:50], "access_pass_serial_unique")
    assert_served_by_index(
        PassFilterSet({"status": "active"}, queryset=passes).qs[:50], "access_pass_serial_unique"
    )
