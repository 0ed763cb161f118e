"""``do_update_user`` and ``do_reactivate_user``, and the rank rule they share with
deactivation (``may_manage_account``): an account of a role the actor may give."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from fangkong.accounts import services
from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
from fangkong.accounts.roles import may_manage_account
from fangkong.accounts.tests.factories import UserFactory
from fangkong.areas.models import Area
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.models import ObjectChange

pytestmark = pytest.mark.django_db


def test_an_officer_manages_the_roles_it_gives_and_no_peer_or_superior(
    officer_a: User, health_a: User, grid_worker_a1: User, administrator: User, community_a: Area
) -> None:
    peer = UserFactory(role=Role.COMMUNITY_OFFICER, area=community_a)

    assert may_manage_account(officer_a, health_a)
    assert may_manage_account(officer_a, grid_worker_a1)
    assert not may_manage_account(officer_a, peer)
    assert not may_manage_account(officer_a, administrator)
    assert may_manage_account(administrator, peer)


def test_an_update_to_an_area_out_of_reach_is_not_found_and_changes_nothing(
    officer_a: User, grid_worker_a1: User, grid_b1: Area
) -> None:
    with pytest.raises(Http404):
        services.do_update_user(
            grid_worker_a1,
            by=officer_a,
            full_name="新名字",
            role=Role.GRID_WORKER,
            area=grid_b1,
        )
    grid_worker_a1.refresh_from_db()
    assert grid_worker_a1.full_name != "新名字"


def test_an_update_needs_a_name_and_the_right_level_of_area(
    officer_a: User, grid_worker_a1: User, community_a: Area
) -> None:
    with pytest.raises(ValidationError) as no_name:
        services.do_update_user(
            grid_worker_a1, by=officer_a, full_name=" ", role=Role.GRID_WORKER, area=community_a
        )
    assert "full_name" in no_name.value.message_dict
    grid_a1 = grid_worker_a1.area
    assert grid_a1 is not None
    with pytest.raises(ValidationError) as wrong_level:
        services.do_update_user(
            grid_worker_a1,
            by=officer_a,
            full_name="王五",
            role=Role.CHECKPOINT_STAFF,
            area=grid_a1,
        )
    assert "area" in wrong_level.value.message_dict


def test_an_unchanged_update_writes_no_audit_row(officer_a: User, grid_worker_a1: User) -> None:
    assert grid_worker_a1.area is not None
    before = ObjectChange.objects.count()

    services.do_update_user(
        grid_worker_a1,
        by=officer_a,
        full_name=grid_worker_a1.full_name,
        role=grid_worker_a1.role,
        area=grid_worker_a1.area,
    )

    assert ObjectChange.objects.count() == before


def test_an_officer_cannot_reactivate_a_peer_an_administrator_deactivated(
    administrator: User, officer_a: User, community_a: Area
) -> None:
    peer = UserFactory(role=Role.COMMUNITY_OFFICER, area=community_a)
    services.do_deactivate_user(peer, by=administrator, reason="调离")

    with pytest.raises(PermissionDeniedError):
        services.do_reactivate_user(peer, by=officer_a, reason="返岗")

    peer.refresh_from_db()
    assert not peer.is_active
    services.do_reactivate_user(peer, by=administrator, reason="返岗")
    peer.refresh_from_db()
    assert peer.is_active
