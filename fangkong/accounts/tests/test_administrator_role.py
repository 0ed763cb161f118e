"""The administrator role: areas and accounts at and below its area, and nothing else."""

from __future__ import annotations

import pytest
from django.apps import apps

from fangkong.accounts.choices import Role
from fangkong.accounts.models import Assignment, User
from fangkong.accounts.roles import RIGHTS, may_reset_two_factor
from fangkong.accounts.tests.factories import UserFactory
from fangkong.areas.models import Area

pytestmark = pytest.mark.django_db

ACTIONS = (
    "view",
    "add",
    "change",
    "deactivate",
    "reveal",
    "export",
    "import",
    "print",
    "approve",
    "revoke",
)


def test_its_rights_name_areas_and_accounts_alone() -> None:
    # Accounts are users and their further (dated) assignments: no resident's data in either.
    assert set(RIGHTS[Role.ADMINISTRATOR]) == {"areas.*", "accounts.user", "accounts.assignment"}


def test_it_holds_no_right_on_any_other_model(administrator: User) -> None:
    for model in apps.get_models():
        if model in (Area, User, Assignment):
            continue
        allowed = [a for a in ACTIONS if administrator.has_action(model, a)]
        assert not allowed, (model._meta.label, allowed)


def test_it_manages_areas_and_the_accounts_of_its_area(
    administrator: User, grid_worker_a1: User, officer_a: User, district_official: User
) -> None:
    for action in ("view", "add", "change", "deactivate"):
        assert administrator.has_action(Area, action)
        assert administrator.has_action(User, action)
    in_scope = set(
        User.objects.restrict(administrator, "change").values_list("username", flat=True)
    )
    assert {"grid_worker_a1", "officer_a"} <= in_scope
    assert "district_official" not in in_scope  # above its area


def test_it_resets_officers_two_step_login_but_not_another_administrators(
    administrator: User, officer_a: User
) -> None:
    peer = UserFactory(role=Role.ADMINISTRATOR, area=administrator.area)
    assert may_reset_two_factor(administrator, officer_a)
    assert not may_reset_two_factor(administrator, peer)
