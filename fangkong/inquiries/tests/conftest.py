from __future__ import annotations

from typing import Any

import pytest

from fangkong.health.tests.factories import family, members
from fangkong.registry.models import Household, Person


@pytest.fixture
def home(grid_a1: Any) -> Household:
    """A household of three in grid a1."""
    return family(grid_a1, members=3)


@pytest.fixture
def asker(home: Household) -> Person:
    return members(home)[0]
