"""Restricted querysets: the one place where rows are scoped to what a user may see.

Every queryset that reaches a user goes through ``Model.objects.restrict(user, action)``
(NetBox's RestrictedQuerySet). core knows nothing about roles or areas: it asks the user
object two questions, both answered by the accounts app:

* ``user.has_action(model, action)`` — may this role do this to this kind of row at all?
* ``user.scope_paths()`` — the area paths the user may see, or ``None`` for everything.

A model says where its area path lives with ``scope_lookups``: a tuple of ORM paths to
materialised area paths, most specific first (a person: their household's grid, then their
community). A row is in scope when any of them starts with one of the user's paths, so a grid
worker matches on the grid and a community officer on the community.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, Self

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from collections.abc import Iterable


class ScopedUser(Protocol):
    is_authenticated: bool

    def has_action(self, model: type[models.Model], action: str) -> bool: ...

    def scope_paths(self) -> Iterable[str] | None: ...


def scope_q(model: type[models.Model], paths: Iterable[str]) -> Q:
    lookups: tuple[str, ...] = getattr(model, "scope_lookups", ())
    if not lookups:
        raise TypeError(f"{model.__name__} declares no scope_lookups; it cannot be restricted")
    q = Q(pk__in=[])
    for path in paths:
        for lookup in lookups:
            q |= Q(**{f"{lookup}__startswith": path})
    return q


class RestrictedQuerySet(models.QuerySet):
    def restrict(self, user: Any, action: str = "view") -> Self:
        """Rows of this queryset that ``user`` may ``action``; none for anonymous users."""
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        if not user.has_action(self.model, action):
            return self.none()
        paths = user.scope_paths()
        if paths is None:
            return self
        return self.filter(scope_q(self.model, paths))


def restrict(queryset: models.QuerySet | type[models.Model], user: Any, action: str = "view"):
    """Functional form, for querysets of models whose manager is not a RestrictedQuerySet."""
    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    return RestrictedQuerySet.restrict(qs, user, action)  # type: ignore[arg-type]


def in_scope(user: Any, path: str) -> bool:
    """Whether an area path lies inside what ``user`` may see (for checks on single objects)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    paths = user.scope_paths()
    return paths is None or any(path.startswith(p) for p in paths)
