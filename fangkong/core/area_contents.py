"""What lies in an area: the rows that keep it from being closed or moved, counted (and, for a
grid, moved to another grid) by the apps that own them.

Closing a grid with residents in it must say how many and offer to move them; moving a grid to
another community while open tasks sit in it must refuse with the counts. The areas app asks
here and knows nothing of buildings, passes or tasks (dependencies point one way): each app
registers its :class:`Content` in its ``area_contents.py``, which core discovers at start-up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import pgettext

if TYPE_CHECKING:
    from fangkong.accounts.models import User


@dataclass(frozen=True)
class Span:
    """The part of the tree asked about, as ids: a grid (``grid_id``), or the communities a
    community or street covers whole; ``area_ids`` is the whole subtree (the area itself too)."""

    area_ids: tuple[int, ...]
    community_ids: tuple[int, ...]
    grid_id: int | None = None


@dataclass(frozen=True)
class Content:
    """One kind of row an area may hold.

    * ``key``: a stable code (``"people"``) the API answers with;
    * ``label``: how to say ``n`` of them (``"%(count)s people"``), translated when shown;
    * ``count(span)``: how many lie in the span;
    * ``blocks_grid_move``: whether rows of this kind keep a grid from moving to another
      community (a building's community never changes; an account simply follows its grid);
    * ``move(grid, target, by)``: moves every row of a grid to ``target`` (a grid of the same
      community) through the owning app's services; None: these rows cannot be moved for
      the user, who must see to them first (accounts are reassigned on their own pages).
    """

    key: str
    label: Callable[[int], str]
    count: Callable[[Span], int]
    blocks_grid_move: bool = True
    move: Callable[[Any, Any, User | None], int] | None = None
    #: The key of the content whose move carries these rows along (people and passes follow
    #: their buildings: ``core.placement``).
    moved_with: str | None = None
    #: Rows moved in this order (buildings first: the people and passes below follow them).
    order: int = 100


_CONTENTS: dict[str, Content] = {}


def register(content: Content) -> Content:
    _CONTENTS[content.key] = content
    return content


def contents() -> list[Content]:
    return sorted(_CONTENTS.values(), key=lambda c: (c.order, c.key))


def counts(span: Span) -> dict[str, int]:
    """{key: count} of every kind of content with at least one row in the span."""
    found = {c.key: c.count(span) for c in contents()}
    return {key: n for key, n in found.items() if n}


def describe(found: dict[str, int]) -> str:
    """The counts as the user reads them: "12 people, 3 passes"."""
    by_key = {c.key: c for c in contents()}
    return pgettext("list separator", ", ").join(
        by_key[key].label(n) for key, n in found.items() if key in by_key
    )
