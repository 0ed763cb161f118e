"""Who sees which staff rows: core's ``restrict()``, plus two rules of the staff app.

1. **Community-wide rows reach the whole community.** A grid worker's scope is a grid, so
   core's rule alone would hide their own community's teams, checkpoints, roster and
   prevention plan, which every staff member of the community works from. A model says which
   of its rows are community-wide with ``community_wide_q()`` (all of them for a team; a task
   only when its area is the community itself, so a task of grid a1 stays hidden from the
   worker of grid a2).
2. **Some roles see only their own rows.** DESIGN.md: a volunteer sees "own shifts and
   tasks"; checkpoint staff see the scanner and their own duty. Whether a role sees the
   staff organisation at all (``staff.staffmember`` view) decides: roles that do see every
   row of their scope; the others see only rows the model calls their own (``own_q(user)``:
   tasks assigned to them or their teams, shifts they are on). Everyone also sees their own
   rows (a task assigned to a grid worker in the community's name).
"""

from __future__ import annotations

from typing import Any, Self

from django.db import models
from django.db.models import Q

from fangkong.core.querysets import RestrictedQuerySet, scope_q

#: Depth of a community in the area tree (city > district > street > community > grid).
COMMUNITY_DEPTH = 4
#: The right that marks a role as one that sees the staff organisation of its whole scope.
SEES_ALL_RIGHT = ("staff.staffmember", "view")


def sees_whole_scope(user: Any) -> bool:
    """Whether ``user``'s role sees every staff row of their scope, not only their own."""
    return bool(user.has_action(*SEES_ALL_RIGHT))


def community_id_of_path(path: str) -> int | None:
    """The community's primary key in an area path below community level (a grid's)."""
    parts = [p for p in path.strip("/").split("/") if p]
    return int(parts[COMMUNITY_DEPTH - 1]) if len(parts) > COMMUNITY_DEPTH else None


def sees_area(user: Any, area: Any) -> bool:
    """Whether ``user`` works in ``area``: it lies in their scope, or it is the community
    their grid belongs to (the community-wide rule above, for a single area)."""
    if user is None:
        return True
    if not getattr(user, "is_authenticated", False):
        return False
    paths = user.scope_paths()
    if paths is None:
        return True
    return any(
        area.path.startswith(path) or community_id_of_path(path) == area.pk for path in paths
    )


class StaffQuerySet(RestrictedQuerySet):
    """``restrict(user, action)`` with the staff app's two extra rules (see module doc)."""

    def restrict(self, user: Any, action: str = "view") -> Self:
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        if not user.has_action(self.model, action):
            return self.none()
        own_q = getattr(self.model, "own_q", None)
        own = own_q(user) if own_q is not None else None
        if not sees_whole_scope(user):
            return self.filter(own) if own is not None else self.none()
        paths = user.scope_paths()
        if paths is None:
            return self
        q = scope_q(self.model, paths)
        for path in paths:
            community_id = community_id_of_path(path)
            if community_id is not None:
                q |= Q(community_id=community_id) & self.model.community_wide_q()
        if own is not None:
            q |= own
        return self.filter(q)


class StaffScopedMixin(models.Model):
    """What StaffQuerySet asks of a model; every community row of the app mixes it in."""

    objects = StaffQuerySet.as_manager()

    class Meta:
        abstract = True

    @classmethod
    def community_wide_q(cls) -> Q:
        """Rows that every staff member of the community may see (default: all of them)."""
        return Q()

    @classmethod
    def own_q(cls, user: Any) -> Q | None:
        """Rows that are ``user``'s own whatever their role; None: the model has no owner."""
        return None
