"""The home page by role: each persona sees the figures of its own area (a grid worker its
grid, an officer its community, a street official every community of the street), and the
sections its role may open, no others."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from fangkong.access.tests.factories import household_with_pass
from fangkong.core.jobs import enqueue_job
from fangkong.reports.views import SECTIONS

pytestmark = pytest.mark.django_db

PERSONAS = (
    "officer_a",
    "officer_b",
    "grid_worker_a1",
    "grid_worker_a2",
    "health_a",
    "checkpoint_a",
    "volunteer_a",
    "street_official",
    "district_official",
)


@pytest.fixture
def residents(community_a: Any, community_b: Any, grid_a1: Any, grid_a2: Any) -> None:
    """Three people in grid a1, two in grid a2, four in community B: each household with a
    pass."""
    household_with_pass(community_a, grid_a1, members=3)
    household_with_pass(community_a, grid_a2, members=2)
    household_with_pass(community_b, members=4)


def home(client: Any, user: Any) -> Any:
    client.force_login(user)
    response = client.get(reverse("reports:home"))
    assert response.status_code == 200
    return response


@pytest.mark.parametrize(
    ("persona", "people", "households"),
    [
        ("grid_worker_a1", 3, 1),
        ("grid_worker_a2", 2, 1),
        ("officer_a", 5, 2),
        ("officer_b", 4, 1),
        ("street_official", 9, 3),
        ("district_official", 9, 3),
    ],
)
def test_the_residents_counted_are_those_of_the_users_own_area(
    client: Any, request: Any, residents: None, persona: str, people: int, households: int
) -> None:
    figures = home(client, request.getfixturevalue(persona)).context["figures"]

    assert (figures["people"], figures["households"]) == (people, households)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_role_sees_the_sections_it_may_open_and_no_other(
    client: Any, request: Any, residents: None, persona: str
) -> None:
    user = request.getfixturevalue(persona)

    context = home(client, user).context

    shown = [str(section["title"]) for section in context["sections"]]
    assert shown == [str(s.title) for s in SECTIONS if user.has_action(s.right, "view")]
    assert ("figures" in context) == user.has_action("registry.person", "view")


def test_an_officer_sees_passes_of_their_community_only(
    client: Any, officer_a: Any, residents: None
) -> None:
    context = home(client, officer_a).context

    access = next(s["figures"] for s in context["sections"] if "passes_active" in s["figures"])
    assert access["passes_active"] == 2


def test_a_user_sees_their_own_recent_jobs_and_not_a_colleagues(
    client: Any, officer_a: Any, community_a: Any, street_official: Any
) -> None:
    mine = enqueue_job("core.selftest", user=officer_a, area_path=community_a.path)
    enqueue_job("core.selftest", user=street_official, area_path=community_a.path)

    jobs = list(home(client, officer_a).context["jobs"])

    assert jobs == [mine]


def test_the_home_page_sends_anonymous_visitors_to_log_in(client: Any) -> None:
    response = client.get(reverse("reports:home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
