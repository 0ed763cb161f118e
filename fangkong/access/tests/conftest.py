"""Access tests: a small world — a gate of community A with a household and its pass."""

from __future__ import annotations

from typing import Any

import pytest

from fangkong.access.tests.factories import CheckpointFactory, household_with_pass


@pytest.fixture
def gate_a(community_a: Any) -> Any:
    return CheckpointFactory(community=community_a, name="North gate")


@pytest.fixture
def gate_b(community_b: Any) -> Any:
    return CheckpointFactory(community=community_b, name="South gate")


@pytest.fixture
def home_a(community_a: Any, grid_a1: Any) -> Any:
    """A household of grid a1 with two members, and its pass."""
    return household_with_pass(community_a, grid_a1)
