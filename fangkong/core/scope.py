"""The one scope rule: what part of the jurisdiction tree a user covers, and how a model's rows
are placed in it.

A user's scope is resolved once (``user.scope()``, cached on the user object, so once per
request) into primary keys of areas, never area paths:

* ``communities``: the communities the user covers whole (a community officer's own; a street
  or district official's every community below);
* ``grids`` and ``grid_communities``: a grid worker's grids and the community they lie in;
* ``areas``: every area at or below the user's (asked lazily: only models placed on an area of
  any level need it);
* ``above``: the areas above the user's, whose rows may *reach* down to them (a street's
  campaign is run by its communities' grid workers).

A model says where its rows sit with a ``scope_rule`` (:class:`ScopeRule`): its community
column, the lookup to its grid where it has one, or the area it is placed on. Every lookup
ends in an indexed id column, so ``restrict()`` filters ``community_id IN (...)`` and never a
path ``LIKE`` that no index can serve (issue 12: 3–21× slower pages inside a district).

core knows nothing of roles or the tree's levels: the accounts app resolves the scope (with
the areas app's help); this module only turns a scope and a rule into a ``Q``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.db.models import Q

if TYPE_CHECKING:
    from django.db import models

    from fangkong.accounts.models import User

#: A rule's optional parts that depend on the user: rows that are theirs whatever their
#: role (``own``), and rows of a community that every worker of it sees (``wide``).
OwnRows = Callable[[Any], Q | None]
WideRows = Callable[[], Q]


@dataclass(frozen=True)
class ScopeRule:
    """Where a model's rows sit in the tree. Each lookup ends in an indexed id column.

    * ``community``: the row's community id (every :class:`CommunityOwned` row has one);
    * ``grid``: the lookup to the row's grid id, for rows a grid worker sees by grid (a
      person: ``household__building__grid_id``); without it a grid worker sees none of the
      model's rows but the ``wide`` ones;
    * ``area``: instead of a community, the area of any level the row is placed on (a
      street's campaign); such a row is seen by users at or above that area, and, when
      ``reaches_below``, for ``reach_actions``, by the users below it;
    * ``area_path``: for core's logs, whose rows carry a community id and, above community
      level, only their area's path (compared by equality: an indexed lookup);
    * ``wide``: rows of a community that its grid workers see too (a team, a checkpoint);
    * ``own``: rows that are the user's own whatever their scope (a task assigned to them);
    * ``whole_scope_right``: a right without which a role sees only its ``own`` rows (the staff
      app's: checkpoint staff see their duty, not the organisation).
    """

    community: str | None = "community_id"
    grid: str | None = None
    area: str | None = None
    area_path: str | None = None
    reaches_below: bool = False
    reach_actions: frozenset[str] | None = frozenset({"view"})
    wide: WideRows | None = None
    own: OwnRows | None = None
    whole_scope_right: tuple[str, str] | None = None

    def reaches(self, action: str) -> bool:
        return self.reaches_below and (self.reach_actions is None or action in self.reach_actions)


def rule_of(model: type[models.Model]) -> ScopeRule:
    rule = getattr(model, "scope_rule", None)
    if not isinstance(rule, ScopeRule):
        raise TypeError(f"{model.__name__} declares no scope_rule; it cannot be restricted")
    return rule


@dataclass
class Scope:
    """What one user covers, as area ids (see the module doc). A user with several
    assignments covers the union of their areas' scopes (:meth:`union`); which of them count
    for a given model and action is the user's question (``user.scope_for``)."""

    everything: bool = False
    area_id: int | None = None
    #: The areas the scope is rooted at (``area_id``'s, or a union's several).
    area_ids: frozenset[int] = frozenset()
    communities: frozenset[int] = frozenset()
    grids: frozenset[int] = frozenset()
    grid_communities: frozenset[int] = frozenset()
    above: tuple[int, ...] = ()
    #: The user's area lies above community level (a street, a district, a city).
    above_community: bool = False
    #: Lazily asked: (ids, paths) of every area at or below the user's.
    subtree: Callable[[], tuple[list[int], list[str]]] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.area_id is not None and self.area_id not in self.area_ids:
            self.area_ids = self.area_ids | {self.area_id}

    @classmethod
    def nothing(cls) -> Scope:
        return cls()

    @property
    def is_empty(self) -> bool:
        return not self.everything and not self.area_ids

    @classmethod
    def union(cls, scopes: Sequence[Scope]) -> Scope:
        """What several assignments cover together: every id set joined, and the subtree
        still read lazily (only for models placed on areas of any level)."""
        parts = [scope for scope in scopes if not scope.is_empty]
        if not parts:
            return cls.nothing()
        if len(parts) == 1:
            return parts[0]
        if any(scope.everything for scope in parts):
            return cls(everything=True)

        def subtree() -> tuple[list[int], list[str]]:
            ids: dict[int, str] = {}
            for scope in parts:
                ids.update(zip(scope.areas, scope.paths, strict=True))
            return list(ids), list(ids.values())

        return cls(
            area_ids=frozenset().union(*(scope.area_ids for scope in parts)),
            communities=frozenset().union(*(scope.communities for scope in parts)),
            grids=frozenset().union(*(scope.grids for scope in parts)),
            grid_communities=frozenset().union(*(scope.grid_communities for scope in parts)),
            above=tuple(sorted({pk for scope in parts for pk in scope.above})),
            above_community=any(scope.above_community for scope in parts),
            subtree=subtree,
        )

    @cached_property
    def _subtree(self) -> tuple[list[int], list[str]]:
        return self.subtree() if self.subtree is not None else ([], [])

    @property
    def areas(self) -> list[int]:
        return self._subtree[0]

    @property
    def paths(self) -> list[str]:
        return self._subtree[1]

    # --- single areas ----------------------------------------------------------------------

    def covers_area(self, area_ids: Iterable[int]) -> bool:
        """Whether an area lies at or below the user's; ``area_ids`` is the area's own id and
        its ancestors' (``Area.ancestor_ids()``)."""
        return self.everything or not self.area_ids.isdisjoint(area_ids)

    def works_in_community(self, community_id: int | None) -> bool:
        """Whether the user works in this community: covers it, or has a grid in it."""
        return (
            self.everything
            or community_id in self.communities
            or community_id in self.grid_communities
        )

    # --- rows --------------------------------------------------------------------------------

    def q(self, rule: ScopeRule, action: str = "view") -> Q | None:
        """The rows of a model with ``rule`` this scope covers; None: every row."""
        if self.everything:
            return None
        q = Q(pk__in=[])
        if rule.area is not None:
            q |= Q(**{f"{rule.area}__in": self.areas})
            if rule.reaches(action) and self.above:
                q |= Q(**{f"{rule.area}__in": self.above})
        elif rule.area_path is not None and rule.community is None:
            q |= Q(**{f"{rule.area_path}__in": self.paths})
        elif rule.area_path is not None:
            if self.communities:
                q |= Q(**{f"{rule.community}__in": self.communities})
            if self.grid_communities:
                q |= Q(
                    **{
                        f"{rule.community}__in": self.grid_communities,
                        f"{rule.area_path}__in": self.paths,
                    }
                )
            if self.above_community:
                # A street or district official: the rows of its own and its streets' areas.
                q |= Q(**{f"{rule.community}__isnull": True, f"{rule.area_path}__in": self.paths})
        else:
            if self.communities:
                q |= Q(**{f"{rule.community}__in": self.communities})
            if self.grid_communities:
                if rule.grid is not None:
                    q |= Q(
                        **{
                            f"{rule.community}__in": self.grid_communities,
                            f"{rule.grid}__in": self.grids,
                        }
                    )
                if rule.wide is not None:
                    q |= Q(**{f"{rule.community}__in": self.grid_communities}) & rule.wide()
        return q


def scope_of(user: User) -> Scope:
    """The user's scope; nothing for anonymous users. System work passes ``user=None`` to the
    services, which skip the checks: it never reaches here."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Scope.nothing()
    return user.scope()
