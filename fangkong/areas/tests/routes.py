"""The area pages and the areas API's writes, for the access walk (format:
fangkong/core/tests/walk.py). The tree page and the API's reads are core's (walk_routes.py).

The administrator of the walk's street is the permitted persona; outsiders (the other
community's officer, the other grid's worker) do not see grid a1 or community a: 404.
"""

from __future__ import annotations

from fangkong.areas.tests.factories import AreaFactory
from fangkong.core.tests.walk import Route, World


def build(world: World) -> None:
    """An empty grid of the first community and an empty community beside it: what the
    API's move and close change (grid a1 holds the walk's residents)."""
    street = world.community_a.parent
    world.extra["spare_grid"] = AreaFactory(parent=world.community_a, code="WA9")
    world.extra["spare_community"] = AreaFactory(parent=street, code="WC")


def _spare_grid(w: World) -> dict[str, int]:
    return {"pk": w.extra["spare_grid"].pk}


ROUTES: dict[str, Route] = {
    "areas:detail": Route(kwargs=lambda w: {"pk": w.grid_a1.pk}, permitted="administrator"),
    "areas:add": Route(
        kwargs=lambda w: {"parent_pk": w.community_a.pk},
        permitted="administrator",
        row=lambda w: w.community_a,
    ),
    "areas:edit": Route(kwargs=lambda w: {"pk": w.grid_a1.pk}, permitted="administrator"),
    "areas:move": Route(kwargs=lambda w: {"pk": w.grid_a1.pk}, permitted="administrator"),
    "areas:close": Route(kwargs=lambda w: {"pk": w.grid_a1.pk}, permitted="administrator"),
    "api:area-move": Route(
        kwargs=_spare_grid,
        method="post",
        api=True,
        permitted="administrator",
        row=lambda w: w.extra["spare_grid"],
        data=lambda w: {"parent": w.extra["spare_community"].pk},
    ),
    "api:area-close": Route(
        kwargs=_spare_grid,
        method="post",
        api=True,
        permitted="administrator",
        row=lambda w: w.extra["spare_grid"],
        data=lambda w: {"reason": "合并网格"},
    ),
}

API_WRITES: list[tuple[str, Route]] = [
    (
        "api:area-list",
        Route(
            kind="create",
            method="post",
            ok=201,
            api=True,
            permitted="administrator",
            grid_scoped=False,
            data=lambda w: {"parent": w.community_a.pk, "name": "第九网格", "code": "WA99"},
        ),
    ),
    (
        "api:area-detail",
        Route(
            kwargs=lambda w: {"pk": w.grid_a1.pk},
            method="patch",
            api=True,
            permitted="administrator",
            data=lambda w: {"name": "第一网格（东）"},
        ),
    ),
]
