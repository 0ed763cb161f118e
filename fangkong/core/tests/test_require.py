"""require(user, model, action, area_path): the check every service makes before it changes
one row — not found outside the user's scope, refused inside it without the right."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from fangkong.accounts.models import User
from fangkong.areas.models import Area
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.querysets import require
from fangkong.registry.models import Person


def test_it_allows_a_change_in_the_users_scope_with_the_right(
    officer_a: User, grid_a1: Area
) -> None:
    require(officer_a, Person, "change", grid_a1.path)


def test_it_refuses_a_row_outside_the_users_scope_as_not_found(
    officer_b: User, grid_a1: Area
) -> None:
    with pytest.raises(Http404):
        require(officer_b, Person, "change", grid_a1.path)


def test_it_refuses_a_row_in_scope_without_the_right_naming_the_action(
    district_official: User, grid_a1: Area
) -> None:
    with pytest.raises(PermissionDeniedError) as refused:
        require(district_official, Person, "change", grid_a1.path)
    assert str(refused.value) == "change"


def test_it_gives_the_callers_reason_when_it_refuses_for_want_of_the_right(
    district_official: User, grid_a1: Area
) -> None:
    with pytest.raises(PermissionDeniedError, match="Only the health officer"):
        require(district_official, Person, "change", grid_a1.path,
                reason="Only the health officer may do this.")


def test_it_hides_a_row_outside_the_scope_even_from_a_user_without_the_right(
    volunteer_a: User, community_b: Area
) -> None:
    # Not found, not "refused": a refusal would tell them the row exists.
    with pytest.raises(Http404):
        require(volunteer_a, Person, "change", community_b.path)


def test_it_treats_an_anonymous_user_as_outside_every_scope(grid_a1: Area) -> None:
    with pytest.raises(Http404):
        require(AnonymousUser(), Person, "view", grid_a1.path)


def test_it_lets_system_work_without_a_user_through_unchecked(grid_a1: Area) -> None:
    def never_asked(_user: object) -> bool:
        raise AssertionError("system work asks no scope question")

    require(None, Person, "deactivate", grid_a1.path)
    require(None, Person, "deactivate", sees=never_asked)


def test_it_asks_the_apps_own_scope_rule_instead_of_the_area_path(
    grid_worker_a1: User, community_a: Area
) -> None:
    # The staff app's rule: a grid worker also works in their grid's community.
    with pytest.raises(Http404):
        require(grid_worker_a1, Person, "view", community_a.path)
    require(grid_worker_a1, Person, "view", sees=lambda user: user.area.parent == community_a)


def test_the_apps_own_scope_rule_hides_a_row_even_from_a_superuser(superuser: User) -> None:
    with pytest.raises(Http404):
        require(superuser, Person, "change", sees=lambda _user: False)


def test_it_still_needs_the_right_when_the_apps_own_rule_sees_the_row(
    district_official: User,
) -> None:
    with pytest.raises(PermissionDeniedError):
        require(district_official, Person, "change", sees=lambda _user: True)


def test_it_needs_an_area_path_or_a_scope_rule(officer_a: User) -> None:
    with pytest.raises(TypeError):
        require(officer_a, Person, "change")
