"""Restricted querysets: the one place where rows are scoped to what a user may see.

Every queryset that reaches a user goes through ``Model.objects.restrict(user, action)``
(NetBox's RestrictedQuerySet): pages, the API, services, jobs, exports and single-object
checks alike. core knows nothing about roles or areas: it asks the user object one question,
answered by the accounts app:

* ``user.scope_for(model, action)`` — in which areas may this user do ``action`` to rows of
  ``model`` (a ``fangkong.core.scope.Scope``)? A user may hold several assignments (a role
  in an area, some of them dated): the answer is the union, *per assignment*, of the areas of
  those whose role allows it, so a grid worker of grid 1 who is an officer elsewhere is not an
  officer of grid 1. ``user.has_action(model, action)`` is "that scope is not empty" and
  ``user.scope()`` the union of every assignment's areas, whatever the rights.

A model says where its rows sit with a ``scope_rule`` (``fangkong.core.scope.ScopeRule``):
indexed community and grid id columns, or the area of any level a row is placed on.

Single rows are checked by the same rule: ``sees(user, row, action)`` asks ``restrict()``
for that row's primary key, and services refuse with ``require(user, model, action, at)``,
where ``at`` is the row acted on or, for a new row, the row or area it will belong to.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self, TypeGuard

from django.db import models
from django.http import Http404

from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.placement import place, placement_of
from fangkong.core.scope import Scope, rule_of, scope_of

if TYPE_CHECKING:
    from fangkong.accounts.models import User


def _authenticated(user: User | None) -> TypeGuard[User]:
    return user is not None and bool(getattr(user, "is_authenticated", False))


def scope_filter[QS: models.QuerySet[Any]](
    queryset: QS, scope: Scope, action: str = "view", user: User | None = None
) -> QS:
    """``queryset`` cut to ``scope`` by its model's rule (rows, not rights)."""
    rule = rule_of(queryset.model)
    q = scope.q(rule, action)
    if q is None:
        return queryset
    if user is not None and rule.own is not None:
        own = rule.own(user)
        if own is not None:
            q |= own
    return queryset.filter(q)


class RestrictedQuerySet(models.QuerySet[Any]):
    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Any]:
        """Rows whose community and grid are copies of their parent's get them first
        (``core.placement``): ``save()`` is not called for them."""
        objs = list(objs)
        if placement_of(self.model) is not None:
            place(objs)
        return super().bulk_create(objs, *args, **kwargs)

    def restrict(self, user: User | None, action: str = "view") -> Self:
        """Rows of this queryset that ``user`` may ``action``; none for anonymous users."""
        return _restricted(self, user, action)


def _restricted[QS: models.QuerySet[Any]](queryset: QS, user: User | None, action: str) -> QS:
    """``RestrictedQuerySet.restrict`` for any queryset, keeping its class."""
    if not _authenticated(user) or not user.has_action(queryset.model, action):
        return queryset.none()
    rule = rule_of(queryset.model)
    # Per assignment: the areas where one of the user's roles may do this; where the model
    # needs a second right to see the whole scope (staff rows), the areas where the same
    # assignment holds both. Elsewhere a role sees only its own rows.
    scope = user.scope_for(queryset.model, action, also=rule.whole_scope_right)
    if scope.is_empty:
        own = rule.own(user) if rule.own is not None else None
        return queryset.filter(own) if own is not None else queryset.none()
    return scope_filter(queryset, scope, action, user)


def restrict(
    queryset: models.QuerySet[Any] | type[models.Model], user: User | None, action: str = "view"
) -> models.QuerySet[Any]:
    """Functional form, for querysets of models whose manager is not a RestrictedQuerySet."""
    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    return _restricted(qs, user, action)


def sees(user: User, row: models.Model, action: str = "view") -> bool:
    """Whether ``user`` may ``action`` this saved row: ``restrict()`` asked for its key."""
    return restrict(type(row), user, action).filter(pk=row.pk).exists()


def covers(
    user: User | None,
    at: Any,
    action: str = "view",
    *,
    model: type[models.Model] | str | None = None,
) -> bool:
    """Whether ``at`` — a saved row, or an area (anything with ``ancestor_ids()``) — lies in
    the user's scope for ``action`` (the place a new row goes). Without ``model``, in any of
    the user's assignments whatever their rights; with it, in the areas where an assignment's
    role may ``action`` rows of ``model`` (``user.scope_for``: rights per assignment).
    A row that only reaches down to the user is covered for the rule's reach actions alone:
    a grid worker sees the street's campaign and cannot change it."""
    if not isinstance(at, models.Model):
        raise TypeError("covers() takes a row or an area, not an area path")
    if not _authenticated(user):
        return False
    scope = scope_of(user) if model is None else user.scope_for(model, action)
    if scope.everything:
        return True
    if hasattr(at, "ancestor_ids"):
        return scope.covers_area(at.ancestor_ids())
    return scope_filter(type(at)._default_manager.filter(pk=at.pk), scope, action, user).exists()


def covered(
    queryset: models.QuerySet[Any], user: User, action: str = "view"
) -> models.QuerySet[Any]:
    """The rows of ``queryset`` that lie in the user's scope, whatever the user's rights (the
    places a bulk job may write to), in one query."""
    if not _authenticated(user):
        return queryset.none()
    return scope_filter(queryset, scope_of(user), action, user)


def may(
    user: User | None,
    model: type[models.Model] | str,
    action: str,
    at: Any,
    *,
    seen: bool = False,
) -> bool:
    """Whether ``user`` may ``action`` rows of ``model`` at ``at`` (a row, or an area): the
    question ``require()`` asks, as a yes or no for a page's buttons and the API.

    ``seen``: ``at`` was found through ``restrict(user)``. When the action's areas are all of
    the user's (one assignment, the usual case) that is enough, and no query is made."""
    if not _authenticated(user):
        return False
    scope = user.scope_for(model, action)
    if scope.is_empty:
        return False
    if scope.everything or (seen and scope is scope_of(user)):
        return True
    return covers(user, at, action, model=model)


def works_in(user: User, community_id: int | None) -> bool:
    """Whether the user works in this community: covers it, or one of its grids."""
    return _authenticated(user) and scope_of(user).works_in_community(community_id)


def require(
    user: User | None,
    model: type[models.Model] | str,
    action: str,
    at: Any,
    *,
    reason: str = "",
) -> None:
    """Refuse unless ``user`` may ``action`` rows of ``model`` at ``at``.

    ``at`` is the row acted on, or, for a row not yet made, the row or area it will belong
    to. Outside the user's scope ``at`` is "not found" (``Http404``: never reveal that it
    exists); inside it without a right there — no assignment covering ``at`` whose role may
    do it — the action is refused (``PermissionDeniedError`` with ``reason``, else the
    action's name), which views and the API turn into a 403.

    ``user=None`` is system work (the demo, periodic jobs, management commands, one module
    calling another's services) and skips both checks; imports and jobs pass their user.
    """
    if user is None:
        return
    if at is None:
        raise TypeError("require() needs the row or area acted on")
    if not covers(user, at, action):
        raise Http404
    if not covers(user, at, action, model=model):
        raise PermissionDeniedError(action, reason)
