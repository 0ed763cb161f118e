"""require(user, model, action, at): the check every service makes before it changes
one row — not found outside the user's scope, refused inside it without the right."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from fangkong.accounts.models import User
from fangkong.areas.models import Area
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.querysets import require, sees
from fangkong.registry.models import Person
from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory, PersonFactory
from fangkong.screening.models import Campaign
from fangkong.screening.tests.factories import CampaignFactory


def test_it_allows_a_change_in_the_users_scope_with_the_right(
    officer_a: User, grid_a1: Area
) -> None:
    require(officer_a, Person, "change", grid_a1)


def test_it_refuses_a_row_outside_the_users_scope_as_not_found(
    officer_b: User, grid_a1: Area
) -> None:
    with pytest.raises(Http404):
        require(officer_b, Person, "change", grid_a1)


def test_it_refuses_a_row_in_scope_without_the_right_naming_the_action(
    district_official: User, grid_a1: Area
) -> None:
    with pytest.raises(PermissionDeniedError) as refused:
        require(district_official, Person, "change", grid_a1)
    assert str(refused.value) == "change"


def test_it_gives_the_callers_reason_when_it_refuses_for_want_of_the_right(
    district_official: User, grid_a1: Area
) -> None:
    with pytest.raises(PermissionDeniedError, match="Only the health officer"):
        require(
            district_official,
            Person,
            "change",
            grid_a1,
            reason="Only the health officer may do this.",
        )


def test_it_hides_a_row_outside_the_scope_even_from_a_user_without_the_right(
    volunteer_a: User, community_b: Area
) -> None:
    # Not found, not "refused": a refusal would tell them the row exists.
    with pytest.raises(Http404):
        require(volunteer_a, Person, "change", community_b)


def test_it_treats_an_anonymous_user_as_outside_every_scope(grid_a1: Area) -> None:
    with pytest.raises(Http404):
        require(AnonymousUser(), Person, "view", grid_a1)


def test_it_lets_system_work_without_a_user_through_unchecked(grid_a1: Area) -> None:
    require(None, Person, "deactivate", grid_a1)
    require(None, Person, "deactivate", None)


def test_a_grid_worker_may_not_act_on_the_whole_community(
    grid_worker_a1: User, community_a: Area, grid_a1: Area
) -> None:
    # A person without a household is the whole community's: out of a grid worker's sight.
    with pytest.raises(Http404):
        require(grid_worker_a1, Person, "change", community_a)
    require(grid_worker_a1, Person, "change", grid_a1)


def test_it_checks_a_row_by_its_models_rule(
    grid_worker_a1: User, officer_b: User, grid_a1: Area, grid_a2: Area
) -> None:
    mine = PersonFactory(household=HouseholdFactory(building=BuildingFactory(grid=grid_a1)))
    theirs = PersonFactory(household=HouseholdFactory(building=BuildingFactory(grid=grid_a2)))
    require(grid_worker_a1, Person, "change", mine)
    with pytest.raises(Http404):
        require(grid_worker_a1, Person, "change", theirs)
    with pytest.raises(Http404):
        require(officer_b, Person, "change", mine)


def test_a_row_that_only_reaches_down_is_seen_but_not_changed(
    officer_a: User, community_a: Area
) -> None:
    # A street's campaign reaches its communities' workers for viewing only.
    street = Area.objects.get(pk=community_a.parent_id)
    campaign = CampaignFactory(area=street)
    assert sees(officer_a, campaign)
    with pytest.raises(Http404):
        require(officer_a, Campaign, "change", campaign)


def test_it_needs_the_row_or_area_acted_on(officer_a: User) -> None:
    with pytest.raises(TypeError):
        require(officer_a, Person, "change", None)
