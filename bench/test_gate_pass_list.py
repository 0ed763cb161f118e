"""``bench/gate_pass_list.py`` at a tiny size (four households), so it cannot rot; its
figures are not checked beyond the sync being smaller than the list."""

from __future__ import annotations

from typing import Any

import pytest

from bench import gate_pass_list
from fangkong.access.tests.factories import CheckpointFactory, household_with_pass

pytestmark = pytest.mark.django_db


def test_the_benchmark_measures_a_full_list_and_a_smaller_sync(
    checkpoint_a: Any, community_a: Any, grid_a1: Any
) -> None:
    gate = CheckpointFactory(community=community_a, name="East gate")
    for _ in range(6):
        household_with_pass(community_a, grid_a1)

    figures = gate_pass_list.measure(checkpoint_a, gate, scans=2)

    assert figures["passes"] == 6
    assert figures["incremental_sync"]["removed"] == 1
    assert figures["incremental_sync"]["passes"] == 3  # scanned, suspended, the new card
    assert figures["full_list"]["bytes"] < figures["old_full_list"]["bytes"]
    assert figures["incremental_sync"]["bytes"] < figures["full_list"]["bytes"]
