"""The jurisdiction tree: materialised paths, what lies in what, the scope an area gives its
users, and the tree page each role sees."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.areas.services import do_create_area
from fangkong.areas.tests.factories import CommunityFactory, GridFactory
from fangkong.core.choices import ChangeAction
from fangkong.core.models import ObjectChange

pytestmark = pytest.mark.django_db


# --- The tree -------------------------------------------------------------------------------


def test_an_areas_path_is_its_parents_path_and_its_own_id(
    city: Area, district: Area, street: Area, community_a: Area, grid_a1: Area
) -> None:
    assert city.path == f"/{city.pk}/"
    assert grid_a1.path == f"{community_a.path}{grid_a1.pk}/"
    assert grid_a1.ancestor_ids() == [city.pk, district.pk, street.pk, community_a.pk, grid_a1.pk]
    assert list(grid_a1.ancestors()) == [city, district, street, community_a, grid_a1]
    assert (city.depth, community_a.depth, grid_a1.depth) == (1, 4, 5)


def test_creating_an_area_writes_one_change_row(community_a: Area, administrator: Any) -> None:
    grid = do_create_area(
        level=AreaLevel.GRID, name="第九网格", code="G9", parent=community_a, by=administrator
    )

    row = ObjectChange.objects.get(content_type__model="area", object_id=str(grid.pk))
    assert row.action == ChangeAction.CREATE
    assert row.actor_id == administrator.pk


def test_an_area_must_be_one_level_below_its_parent(street: Area) -> None:
    with pytest.raises(ValidationError):
        do_create_area(level=AreaLevel.GRID, name="跳级", code="SKIP", parent=street, by=None)


def test_descendants_are_the_subtree_with_or_without_the_area_itself(
    community_a: Area, grid_a1: Area, grid_a2: Area, grid_b1: Area
) -> None:
    assert set(community_a.descendants()) == {grid_a1, grid_a2}
    assert set(community_a.descendants(include_self=True)) == {community_a, grid_a1, grid_a2}


def test_the_community_of_a_grid_is_its_parent_and_a_street_has_none(
    street: Area, community_a: Area, grid_a1: Area
) -> None:
    assert grid_a1.community == community_a
    assert community_a.community == community_a
    assert street.community is None


# --- lies_in and scope_below ----------------------------------------------------------------


def test_an_area_lies_in_itself_and_its_ancestors_only(
    street: Area, community_a: Area, community_b: Area, grid_a1: Area
) -> None:
    assert grid_a1.lies_in(grid_a1)
    assert grid_a1.lies_in(community_a)
    assert grid_a1.lies_in(street)
    assert not grid_a1.lies_in(community_b)
    assert not community_a.lies_in(grid_a1)


def test_lies_in_compares_ids_not_path_prefixes() -> None:
    # "/1/" is a string prefix of "/12/": area 12 must not lie in area 1.
    one, twelve = Area(pk=1, path="/1/"), Area(pk=12, path="/12/")
    below_twelve = Area(pk=5, path="/12/5/")

    assert not twelve.lies_in(one)
    assert below_twelve.lies_in(twelve)
    assert not below_twelve.lies_in(one)


def test_a_grids_scope_is_its_grid_and_no_whole_community(community_a: Area, grid_a1: Area) -> None:
    scope = grid_a1.scope_below()

    assert scope.grids == {grid_a1.pk}
    assert scope.communities == frozenset()
    assert scope.grid_communities == {community_a.pk}
    assert not scope.above_community


def test_a_communitys_scope_is_itself(community_a: Area, grid_a1: Area) -> None:
    scope = community_a.scope_below()

    assert scope.communities == {community_a.pk}
    assert scope.grids == frozenset()
    assert grid_a1.pk in scope.subtree()[0]


def test_a_streets_scope_is_every_community_below_it_and_no_other(
    street: Area, community_a: Area, community_b: Area, grid_a1: Area
) -> None:
    elsewhere = CommunityFactory()

    scope = street.scope_below()

    assert scope.communities == {community_a.pk, community_b.pk}
    assert elsewhere.pk not in scope.communities
    assert scope.above_community
    ids, paths = scope.subtree()
    assert {street.pk, community_a.pk, grid_a1.pk} <= set(ids)
    assert elsewhere.pk not in ids
    assert all(path.startswith(street.path) for path in paths)


# --- The tree page --------------------------------------------------------------------------


def _names(response: Any) -> list[str]:
    return [row["area"].name for row in response.context["rows"]]


def test_a_community_officer_sees_their_community_and_its_grids_and_no_other(
    client: Any,
    officer_a: Any,
    community_a: Area,
    grid_a1: Area,
    grid_a2: Area,
    community_b: Area,
    grid_b1: Area,
) -> None:
    client.force_login(officer_a)

    response = client.get(reverse("areas:tree"))

    assert response.status_code == 200
    assert _names(response) == [community_a.name, grid_a1.name, grid_a2.name]
    assert [len(row["indent"]) for row in response.context["rows"]] == [0, 1, 1]
    assert reverse("registry:community", args=[community_a.pk]) in response.text
    assert community_b.name not in response.text


def test_a_street_official_sees_the_street_and_every_community_below_it(
    client: Any,
    street_official: Any,
    street: Area,
    community_a: Area,
    community_b: Area,
    grid_b1: Area,
) -> None:
    other_street_community = CommunityFactory()
    client.force_login(street_official)

    names = _names(client.get(reverse("areas:tree")))

    assert names[0] == street.name
    assert {community_a.name, community_b.name, grid_b1.name} <= set(names)
    assert other_street_community.name not in names


def test_a_grid_worker_sees_only_their_grid(
    client: Any, grid_worker_a1: Any, community_a: Area, grid_a1: Area, grid_a2: Area
) -> None:
    client.force_login(grid_worker_a1)

    assert _names(client.get(reverse("areas:tree"))) == [grid_a1.name]


def test_the_tree_page_sends_anonymous_visitors_to_log_in(client: Any) -> None:
    response = client.get(reverse("areas:tree"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_grid_created_later_appears_under_its_community(
    client: Any, officer_a: Any, community_a: Area, grid_a1: Area
) -> None:
    late = GridFactory(parent=community_a, name="新网格")
    client.force_login(officer_a)

    names = _names(client.get(reverse("areas:tree")))

    assert names.index(late.name) > names.index(community_a.name)
