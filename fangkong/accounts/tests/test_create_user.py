"""A new account through ``do_create_user``: who may give which role where, the username
made from the name, the one-time password, and the audit row."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
from fangkong.accounts.services import do_create_user, username_from_name
from fangkong.areas.models import Area
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.models import ObjectChange

pytestmark = pytest.mark.django_db


def test_an_officer_signs_up_a_grid_worker_of_its_community_with_a_one_time_password(
    officer_a: User, grid_a1: Area
) -> None:
    user, password = do_create_user(
        by=officer_a, full_name="王秀英", role=Role.GRID_WORKER, area=grid_a1
    )

    assert user.username == "wangxiuying"
    assert user.must_change_password
    assert user.check_password(password)
    change = ObjectChange.objects.get(
        object_id=str(user.pk), action="create", content_type__model="user"
    )
    assert change.actor == officer_a
    assert password not in str(change.after)


def test_a_second_namesake_gets_the_next_free_username(officer_a: User, community_a: Area) -> None:
    do_create_user(by=officer_a, full_name="王秀英", role=Role.VOLUNTEER, area=community_a)

    assert username_from_name("王秀英") == "wangxiuying2"


def test_an_officer_cannot_make_an_officer_or_work_in_another_community(
    officer_a: User, community_a: Area, community_b: Area
) -> None:
    with pytest.raises(PermissionDeniedError):
        do_create_user(
            by=officer_a, full_name="李强", role=Role.COMMUNITY_OFFICER, area=community_a
        )
    with pytest.raises(Http404):
        do_create_user(by=officer_a, full_name="李强", role=Role.VOLUNTEER, area=community_b)
    assert not User.objects.filter(full_name="李强").exists()


def test_an_administrator_gives_roles_below_its_area_but_never_its_own_peer(
    administrator: User, street: Area, community_a: Area
) -> None:
    user, _ = do_create_user(
        by=administrator, full_name="张伟", role=Role.COMMUNITY_OFFICER, area=community_a
    )
    assert user.role == Role.COMMUNITY_OFFICER
    with pytest.raises(PermissionDeniedError):
        do_create_user(by=administrator, full_name="赵敏", role=Role.ADMINISTRATOR, area=street)


def test_a_role_on_an_area_of_the_wrong_level_or_a_taken_username_is_refused(
    administrator: User, grid_a1: Area, community_a: Area, officer_a: User
) -> None:
    with pytest.raises(ValidationError) as wrong_level:
        do_create_user(by=administrator, full_name="张伟", role=Role.STREET_OFFICIAL, area=grid_a1)
    assert "area" in wrong_level.value.message_dict
    with pytest.raises(ValidationError) as taken:
        do_create_user(
            by=administrator,
            full_name="张伟",
            role=Role.VOLUNTEER,
            area=community_a,
            username=officer_a.username.upper(),
        )
    assert "username" in taken.value.message_dict


def test_a_grid_worker_gives_no_role_at_all(grid_worker_a1: User, grid_a1: Area) -> None:
    with pytest.raises((PermissionDeniedError, Http404)):
        do_create_user(by=grid_worker_a1, full_name="刘军", role=Role.VOLUNTEER, area=grid_a1)
