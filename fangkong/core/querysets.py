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

Services check a single row with ``require(user, model, action, area_path)`` below, so the
pages, the API, imports and jobs all refuse the same things in the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol, Self

from django.db import models
from django.db.models import Q
from django.http import Http404

from fangkong.core.exceptions import PermissionDeniedError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable


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


def require(
    user: Any,
    model: type[models.Model] | str,
    action: str,
    area_path: str | None = None,
    *,
    sees: Callable[[Any], bool] | None = None,
    reason: str = "",
) -> None:
    """Refuse unless ``user`` may ``action`` rows of ``model`` at ``area_path``.

    Every service asks this before it changes a row, so the one rule of the registry holds
    everywhere: outside the user's scope the row is "not found" (``Http404``: never reveal
    that it exists), inside it without the role's right it is refused
    (``PermissionDeniedError`` with ``reason``, else the action's name), which views and the
    API turn into a 403.

    ``user=None`` is system work (the demo, periodic jobs, management commands, one module
    calling another's services) and skips both checks; imports and jobs pass their user.

    An app whose scope rule differs from ``in_scope`` (the staff app's: a grid worker also
    works in their grid's community) passes ``sees``, asked with the user instead of the
    area path.
    """
    if user is None:
        return
    if sees is None:
        if area_path is None:
            raise TypeError("require() needs the row's area_path, or sees")
        visible = in_scope(user, area_path)
    else:
        visible = sees(user)
    if not visible:
        raise Http404
    if not user.has_action(model, action):
        raise PermissionDeniedError(reason or action)
