"""Denormalised placement: a row's ``community_id`` and ``grid_id`` copied from its parent.

A grid worker's rows were found through joins (a person: ``household__building__grid_id``),
a join for every row in scope on every list (issue 12). Each table a grid worker sees by
grid now carries its own indexed ``grid_id``, copied from the row it hangs on (its
*parent*: a person's household, a pass's household, a contact's case), which copied it from
its own parent, up to the building, whose grid is the truth. ``restrict()`` then filters
``community_id IN (...) AND grid_id IN (...)`` on the table alone.

A model declares where its placement comes from with ``placement = Placement(parent, root)``
and mixes in :class:`Placed` (before its Django base). The copies are kept right:

* ``save()`` copies the parent's ids (from the cached parent, else one small query) and,
  when a saved row's own ids changed (a building moved to another grid, a household to
  another building, a person to another household), updates every descendant in the same
  transaction (:func:`cascade`); a building (``Placed`` without ``placement``) only cascades;
* ``bulk_create`` of a restricted queryset, the demo's and the import's raw inserts call
  :func:`place` / :func:`place_values` first;
* ``manage.py check_scope`` compares every stored copy with what the joins to the root say
  (:func:`mismatches`) and repairs them (:func:`repair`).

core knows nothing of buildings or households: models name their parent and their root.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any, Self

from django.apps import apps
from django.db import models, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Placement:
    """Where a row's community and grid come from.

    * ``parent``: the foreign key whose row's ``community_id``/``grid_id`` this row copies
      (``"household"``); a row without a parent has no grid;
    * ``root``: the join path from this row to the row that holds the truth (a building:
      ``"household__building"``), for the check;
    * ``community``: whether the community follows the parent too. Not for a contact, whose
      community is the one it was handed over to while its grid stays the case's.
    """

    parent: str
    root: str
    community: bool = True


def placement_of(model: type[object]) -> Placement | None:
    placement = getattr(model, "placement", None)
    return placement if isinstance(placement, Placement) else None


def _placement(model: type[models.Model]) -> Placement:
    """``placement_of`` a model that must have one."""
    p = placement_of(model)
    if p is None:
        raise TypeError(f"{model._meta.label} has no placement")
    return p


def _parent_fk(model: type[models.Model], p: Placement) -> models.ForeignKey[Any, Any]:
    """The foreign key to the parent ``p`` names."""
    fk = model._meta.get_field(p.parent)
    if not isinstance(fk, models.ForeignKey):
        raise TypeError(f"{model._meta.label}.{p.parent} is not a foreign key")
    return fk


def placed_models() -> list[type[models.Model]]:
    """Every concrete model whose community and grid are copies, parents before children."""
    found = [m for m in apps.get_models() if placement_of(m) is not None]
    return sorted(found, key=lambda m: (_placement(m).root.count("__"), m._meta.label))


def _children(model: type[models.Model]) -> list[tuple[type[models.Model], Placement, str]]:
    out = []
    for child in placed_models():
        p = _placement(child)
        fk = _parent_fk(child, p)
        if fk.related_model is model:
            out.append((child, p, fk.attname))
    return out


# --- new rows --------------------------------------------------------------------------------


def _parent_ids(
    model: type[models.Model], ids: Iterable[int]
) -> dict[int, tuple[int | None, int | None]]:
    """{parent id: (community_id, grid_id)} of ``model``'s parents ``ids``, in one query."""
    fk = _parent_fk(model, _placement(model))
    parent_model = fk.related_model
    if isinstance(parent_model, str):  # a lazy reference, resolved once the apps are loaded
        raise TypeError(f"{fk} points at a model not loaded")
    wanted = set(ids)
    if not wanted:
        return {}
    rows = parent_model._base_manager.filter(pk__in=wanted).values_list(
        "pk", "community_id", "grid_id"
    )
    return {pk: (community, grid) for pk, community, grid in rows}


def place(objs: Iterable[Any]) -> None:
    """Set ``grid_id`` (and, where it follows, ``community_id``) of unsaved rows from their
    parents: the cached parent object when there is one, else one query for all of them.
    (Rows of a placed model: no static type names their ``community_id`` and ``grid_id``.)"""
    rows = list(objs)
    if not rows:
        return
    model = type(rows[0])
    p = placement_of(model)
    if p is None:
        return
    fk = _parent_fk(model, p)
    missing = []
    for obj in rows:
        parent_id = getattr(obj, fk.attname)
        if parent_id is None and fk.is_cached(obj):
            assigned = fk.get_cached_value(obj)
            if assigned is not None:
                parent_id = assigned.pk  # assigned before it was saved
                setattr(obj, fk.attname, parent_id)
        if parent_id is None:
            obj.grid_id = None
        elif fk.is_cached(obj) and fk.get_cached_value(obj) is not None:
            parent: Any = fk.get_cached_value(obj)  # a placed row, or the root that holds both
            obj.grid_id = parent.grid_id
            if p.community:
                obj.community_id = parent.community_id
        else:
            missing.append(obj)
    if missing:
        known = _parent_ids(model, (getattr(o, fk.attname) for o in missing))
        for obj in missing:
            community, grid = known.get(getattr(obj, fk.attname), (None, None))
            obj.grid_id = grid
            if p.community and community is not None:
                obj.community_id = community


def place_values(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """:func:`place` for rows given as ``{attname: value}`` (the demo's raw inserts)."""
    p = placement_of(model)
    if p is None or not rows:
        return
    attname = _parent_fk(model, p).attname
    known = _parent_ids(model, (r[attname] for r in rows if r.get(attname) is not None))
    for row in rows:
        parent_id = row.get(attname)
        community, grid = (None, None) if parent_id is None else known.get(parent_id, (None, None))
        row["grid_id"] = grid
        if p.community and community is not None:
            row["community_id"] = community


# --- moves -----------------------------------------------------------------------------------


def cascade(model: type[models.Model], pks: Iterable[int] | models.QuerySet[Any]) -> None:
    """Copy the (changed) placement of ``model``'s rows ``pks`` down to every descendant:
    one UPDATE per descendant table, inside the caller's transaction."""
    if not isinstance(pks, models.QuerySet):
        pks = list(pks)
        if not pks:
            return
    with transaction.atomic():
        for child, p, attname in _children(model):
            rows = child._base_manager.filter(**{f"{attname}__in": pks})
            parent = model._base_manager.filter(pk=OuterRef(attname))
            updates: dict[str, Any] = {"grid_id": Subquery(parent.values("grid_id")[:1])}
            if p.community:
                updates["community_id"] = Subquery(parent.values("community_id")[:1])
            rows.update(**updates)
            if _children(child):
                cascade(child, child._base_manager.filter(**{f"{attname}__in": pks}).values("pk"))


def _parent_attname(model: type[models.Model], p: Placement | None) -> str:
    """The column whose change means the row hangs elsewhere now (a root: its own id)."""
    if p is not None:
        return _parent_fk(model, p).attname
    pk = model._meta.pk
    if pk is None:  # an abstract model has none; a row's model is concrete
        raise TypeError(f"{model._meta.label} has no primary key")
    return pk.attname


@cache
def _keys(model: type[models.Model]) -> tuple[str, str, str]:
    """What ``from_db`` remembers of a row (read on the gate scan's path: worked out once)."""
    return (_parent_attname(model, placement_of(model)), "community_id", "grid_id")


class Placed:
    """Mixin (before the Django base) for rows whose placement is copied or copied from."""

    placement: Placement | None = None
    #: The parent's id, community and grid as read (None: not known, as for a new row).
    _placed_as: tuple[Any, ...] | None

    @classmethod
    def from_db(
        cls,
        db: str | None,
        field_names: Collection[str],
        values: Collection[Any],
        *args: Any,
        **kwargs: Any,
    ) -> Self:
        row: Self = super().from_db(  # type: ignore[misc]  # the Model after this mixin
            db, field_names, values, *args, **kwargs
        )
        loaded = row.__dict__
        if not issubclass(cls, models.Model):
            raise TypeError(f"{cls.__name__}: Placed is a mixin for models")
        keys = _keys(cls)
        # Deferred columns: unknown, so the next save() places and compares nothing.
        row._placed_as = tuple(loaded[k] for k in keys) if all(k in loaded for k in keys) else None
        return row

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not isinstance(self, models.Model):
            raise TypeError(f"{type(self).__name__}: Placed is a mixin for models")
        p = placement_of(type(self))
        was = getattr(self, "_placed_as", None)
        parent = _parent_attname(type(self), p)
        # Copy the parent's placement when the row is new or hangs on another parent now;
        # an unchanged parent's own moves reach this row through cascade().
        if p is not None and (was is None or was[0] != getattr(self, parent)):
            place([self])
        now = (getattr(self, parent), self.community_id, self.grid_id)  # type: ignore[attr-defined]
        moved = was is not None and was[1:] != now[1:] and not self._state.adding
        update_fields = kwargs.get("update_fields")
        if moved and update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "community", "grid"}
        if moved:
            with transaction.atomic():  # the row and its descendants, all or nothing
                super().save(*args, **kwargs)  # type: ignore[misc]
                cascade(type(self), [self.pk])
        else:
            super().save(*args, **kwargs)  # type: ignore[misc]
        self._placed_as = now


# --- the check -------------------------------------------------------------------------------


def _differs(column: str, want: str) -> Q:
    """``column`` IS DISTINCT FROM ``want`` (both nullable), on any database."""
    return (
        Q(**{f"{column}__isnull": True, f"{want}__isnull": False})
        | Q(**{f"{column}__isnull": False, f"{want}__isnull": True})
        | (Q(**{f"{column}__isnull": False, f"{want}__isnull": False}) & ~Q(**{column: F(want)}))
    )


def mismatches(model: type[models.Model]) -> models.QuerySet[Any]:
    """Rows of ``model`` whose stored grid (or community) is not what the joins to the root
    say. A row without a root has no grid; its community is its own."""
    p = _placement(model)
    qs = model._base_manager.annotate(
        _want_grid=F(f"{p.root}__grid_id"), _want_community=F(f"{p.root}__community_id")
    )
    bad = _differs("grid_id", "_want_grid")
    if p.community:
        bad |= Q(_want_community__isnull=False) & ~Q(community_id=F("_want_community"))
    return qs.filter(bad)


def repair(model: type[models.Model], pks: list[int]) -> int:
    """Set the rows ``pks`` of ``model`` to what the joins to the root say; the count."""
    p = _placement(model)
    truth = model._base_manager.filter(pk=OuterRef("pk"))
    updates: dict[str, Any] = {
        "grid_id": Subquery(truth.values(f"{p.root}__grid_id")[:1]),
    }
    if p.community:
        updates["community_id"] = Coalesce(
            Subquery(truth.values(f"{p.root}__community_id")[:1]), F("community_id")
        )
    return model._base_manager.filter(pk__in=pks).update(**updates)


def grid_copy() -> models.ForeignKey[Any, Any]:
    """The ``grid`` column of a placed table: a copy of its parent's grid, kept by this
    module, so that a grid worker's rows are found on the table alone (no join)."""
    return models.ForeignKey(
        "areas.Area",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,  # the table's composite indexes start with it
        verbose_name=_("grid"),
    )
