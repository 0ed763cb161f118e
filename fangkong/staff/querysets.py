"""Who sees which staff rows: core's one scope rule, with the staff app's two parts of it.

1. **Community-wide rows reach the whole community.** A grid worker's scope is a grid, so a
   rule by grid alone would hide their own community's teams, checkpoints, roster and
   prevention plan, which every staff member of the community works from. A model says which
   of its rows are community-wide with ``community_wide_q()`` (all of them for a team; a task
   only when its area is the community itself, so a task of grid a1 stays hidden from the
   worker of grid a2), and which of its rows sit on a grid with ``scope_grid``.
2. **Some roles see only their own rows.** DESIGN.md: a volunteer sees "own shifts and
   tasks"; checkpoint staff see the scanner and their own duty. Whether a role sees the
   staff organisation at all (``staff.staffmember`` view) decides: roles that do see every
   row of their scope; the others see only rows the model calls their own (``own_q(user)``:
   tasks assigned to them or their teams, shifts they are on). Everyone also sees their own
   rows (a task assigned to a grid worker in the community's name).

Both are parts of the model's ``scope_rule`` (``fangkong.core.scope.ScopeRule``), which
``restrict()`` applies like every other model's: there is no staff queryset of its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models
from django.db.models import Q

from fangkong.areas.choices import AreaLevel
from fangkong.core.querysets import RestrictedQuerySet, covers, works_in
from fangkong.core.scope import ScopeRule

if TYPE_CHECKING:
    from fangkong.accounts.models import User

#: The right that marks a role as one that sees the staff organisation of its whole scope.
SEES_ALL_RIGHT = ("staff.staffmember", "view")


def sees_whole_scope(user: User) -> bool:
    """Whether ``user``'s role sees every staff row of their scope, not only their own."""
    return bool(user.has_action(*SEES_ALL_RIGHT))


def sees_area(user: User, area: Any) -> bool:
    """Whether ``user`` works in ``area``: it lies in their scope, or it is the community
    their grid belongs to (the community-wide rule, for a single area)."""
    if user is None:
        return True
    return covers(user, area) or (area.level == AreaLevel.COMMUNITY and works_in(user, area.pk))


class StaffRule:
    """``Model.scope_rule`` of a staff model, made from its ``scope_grid``,
    ``community_wide_q`` and ``own_q`` the first time it is asked for."""

    def __get__(self, instance: Any, owner: type[StaffScopedMixin]) -> ScopeRule:
        rule = owner.__dict__.get("_staff_scope_rule")
        if rule is None:
            rule = ScopeRule(
                grid=owner.scope_grid,
                wide=owner.community_wide_q,
                own=owner.own_q,
                reach_actions=None,
                whole_scope_right=SEES_ALL_RIGHT,
            )
            owner._staff_scope_rule = rule
        return rule


class StaffScopedMixin(models.Model):
    """What the staff app's rule asks of a model; every community row of the app mixes it in."""

    objects = RestrictedQuerySet.as_manager()
    scope_rule = StaffRule()
    #: Each model's rule, cached on the model class by ``StaffRule``.
    _staff_scope_rule: ClassVar[ScopeRule]
    #: The lookup to the grid a row sits on (a grid's staff member, a grid's task), if any.
    scope_grid: str | None = None

    class Meta:
        abstract = True

    @classmethod
    def community_wide_q(cls) -> Q:
        """Rows that every staff member of the community may see (default: all of them)."""
        return Q()

    @classmethod
    def own_q(cls, user: User) -> Q | None:
        """Rows that are ``user``'s own whatever their role; None: the model has no owner."""
        return None
