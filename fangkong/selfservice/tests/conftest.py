"""A household of grid a1 with a pass, a member under health monitoring and a link."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from fangkong.access.models import Pass
from fangkong.access.tests.factories import issue_pass
from fangkong.health.choices import QuarantineKind
from fangkong.health.tests.factories import QuarantineFactory, family, members
from fangkong.registry.models import Household, Person
from fangkong.selfservice.models import HouseholdLink
from fangkong.selfservice.tests.factories import household_client, issue_link


@dataclass
class Home:
    household: Household
    people: list[Person]
    card: Pass
    link: HouseholdLink
    token: str
    client: Client

    @property
    def monitored(self) -> Person:
        return self.people[0]


def make_home(grid: Any, *, monitored: bool = True) -> Home:
    household = family(grid, members=3)
    people = members(household)
    card = issue_pass(household)
    if monitored:
        QuarantineFactory(person=people[0], kind=QuarantineKind.MONITORING)
    link, token = issue_link(household)
    return Home(household, people, card, link, token, household_client(token))


@pytest.fixture
def home(grid_a1: Any, officer_a: Any, grid_worker_a1: Any) -> Home:
    return make_home(grid_a1)


@pytest.fixture
def neighbour(grid_a2: Any) -> Home:
    """A household of the other grid of the same community."""
    return make_home(grid_a2)
