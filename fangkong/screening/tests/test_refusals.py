"""A refusal on a caller's screen says why: a household not on the user's call list is
refused with that sentence, as core's 403 page for a button and on top of the form for the
moved-away form (what was typed stays)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from fangkong.core.tests.pages import zh
from fangkong.screening.models import CallAttempt, MoveOutProposal
from fangkong.screening.tests.factories import (
    assignment_of,
    started_campaign,
    street_of_households,
)

pytestmark = pytest.mark.django_db

#: The service's reason, as the page shows it (in Chinese, the site's language).
NOT_YOURS = zh(
    "This household is not on your call list; ask your community officer to move it to you."
)


@pytest.fixture
def assignment(community_a: Any, grid_a1: Any, grid_worker_a1: Any, officer_a: Any) -> Any:
    households = street_of_households(grid_a1, 1, people=2)
    return assignment_of(started_campaign(community_a), households[0])


def test_a_button_on_a_household_not_on_the_list_is_a_403_page_with_the_reason(
    client: Any, assignment: Any, officer_a: Any
) -> None:
    client.force_login(officer_a)

    response = client.post(
        reverse("screening:call_outcome", args=[assignment.pk]),
        {"outcome": "no_answer", "version": assignment.version},
    )

    assert response.status_code == 403
    assert NOT_YOURS in response.content.decode()
    assert not CallAttempt.objects.exists()


def test_the_moved_away_form_shows_the_reason_on_top_and_keeps_the_input(
    client: Any, assignment: Any, officer_a: Any
) -> None:
    client.force_login(officer_a)
    url = reverse("screening:call_moved", args=[assignment.pk])

    response = client.post(url, {"note": "搬去女儿家了", "version": assignment.version})

    assert response.status_code == 403
    form = response.context["form"]
    assert form.non_field_errors() == [NOT_YOURS]
    assert form["note"].value() == "搬去女儿家了"
    assert not MoveOutProposal.objects.exists()


def test_the_answer_form_shows_the_reason_on_top_and_keeps_the_answers(
    client: Any, assignment: Any, officer_a: Any
) -> None:
    client.force_login(officer_a)

    response = client.post(
        reverse("screening:call_answers", args=[assignment.pk]),
        {"outcome": "answered", "version": assignment.version, "note": "都很好"},
    )

    assert response.status_code == 403
    assert response.context["errors"] == [NOT_YOURS]
    assert not CallAttempt.objects.exists()


@pytest.mark.parametrize(
    "page", ["screening:assignment_list", "screening:campaign_helpers", "screening:campaign_import"]
)
def test_a_grid_worker_on_a_campaigns_planning_pages_is_told_the_office_runs_them(
    client: Any, assignment: Any, grid_worker_a1: Any, page: str
) -> None:
    client.force_login(grid_worker_a1)

    response = client.get(reverse(page, args=[assignment.campaign_id]))

    assert response.status_code == 403
    assert zh("Campaigns and questionnaires are run by the community office.") in (
        response.content.decode()
    )
