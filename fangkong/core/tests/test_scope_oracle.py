"""``restrict()`` against a brute-force oracle, over random trees, users and rows.

The oracle is the scope rule written the slow, obvious way, from area paths in Python: a row
is in a user's scope when the area it sits on (its grid where it has one, else its community,
else its own area) lies at or below the user's area; a row placed on an area *above* the user
reaches them for viewing when its model says so; a grid worker also sees their community's
community-wide staff rows. ``restrict()`` must give exactly the same rows, from indexed ids.

Some buildings then move to another grid of their community (or to none) through the
registry's service: the grid ids copied onto their households, people and passes
(``core.placement``) must follow, so ``restrict()`` still agrees with the oracle, which reads
the grid through the joins, fresh from the database.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangkong.access.models import Pass
from fangkong.access.tests.factories import issue_pass
from fangkong.accounts.choices import Role
from fangkong.accounts.tests.factories import UserFactory
from fangkong.areas.models import Area
from fangkong.areas.tests.factories import (
    CommunityFactory,
    DistrictFactory,
    GridFactory,
    StreetFactory,
)
from fangkong.core.querysets import restrict
from fangkong.registry.models import Building, Household, Person
from fangkong.registry.services import do_update_building
from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory, PersonFactory
from fangkong.screening.models import Campaign
from fangkong.screening.tests.factories import CampaignFactory
from fangkong.staff.models import Task
from fangkong.staff.querysets import SEES_ALL_RIGHT
from fangkong.staff.tests.factories import TaskFactory

#: Which role a user of each level has (a grid's user is a grid worker, and so on).
ROLE_AT = {
    "district": Role.DISTRICT_OFFICIAL,
    "street": Role.STREET_OFFICIAL,
    "community": Role.COMMUNITY_OFFICER,
    "grid": Role.GRID_WORKER,
}

trees = st.lists(  # streets, each a list of communities, each a number of grids
    st.lists(st.integers(min_value=0, max_value=2), min_size=1, max_size=3),
    min_size=1,
    max_size=2,
)


def _under(path: str, above: str) -> bool:
    return path.startswith(above)


def oracle(user: Any, row: Any) -> bool:
    """The slow, obvious answer from paths (see the module doc)."""
    mine = user.area.path
    if isinstance(row, Building | Household | Person | Pass):
        building = (
            row
            if isinstance(row, Building)
            else (
                row.building
                if isinstance(row, Household)
                else row.household.building
                if row.household_id
                else None
            )
        )
        grid = building.grid if building is not None and building.grid_id else None
        return (grid is not None and _under(grid.path, mine)) or _under(row.community.path, mine)
    if isinstance(row, Campaign):
        return _under(row.area.path, mine) or _under(mine, row.area.path)
    if isinstance(row, Task):
        if not user.has_action(*SEES_ALL_RIGHT):
            return row.assignee_id == user.pk  # a role that sees only its own tasks
        if _under(row.area.path, mine) or _under(row.community.path, mine):
            return True
        # A grid worker sees the community's own tasks (community-wide rows).
        return row.area_id == row.community_id and _under(mine, row.community.path)
    raise AssertionError(type(row))


@pytest.mark.django_db
@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(shape=trees, data=st.data())
def test_restrict_gives_the_rows_a_brute_force_oracle_gives(
    shape: list[list[int]], data: Any
) -> None:
    with transaction.atomic():
        district = DistrictFactory()
        areas: list[Area] = [district]
        communities: list[Area] = []
        grids: list[Area] = []
        for grid_counts in shape:
            street = StreetFactory(parent=district)
            areas.append(street)
            for count in grid_counts:
                community = CommunityFactory(parent=street)
                communities.append(community)
                areas.append(community)
                for _ in range(count):
                    grid = GridFactory(parent=community)
                    grids.append(grid)
                    areas.append(grid)
        draw = data.draw
        rows: list[Any] = []
        for _ in range(draw(st.integers(min_value=1, max_value=6), label="buildings")):
            community = draw(st.sampled_from(communities))
            own_grids = [g for g in grids if g.parent_id == community.pk]
            grid = draw(st.sampled_from([None, *own_grids]))
            building = BuildingFactory(community=community, grid=grid)
            household = HouseholdFactory(building=building)
            rows += [
                building,
                household,
                PersonFactory(household=household),
                PersonFactory(community=community, household=None),
                issue_pass(household),
            ]
        for building in draw(
            st.lists(st.sampled_from([r for r in rows if isinstance(r, Building)]), unique=True),
            label="moved",
        ):
            own_grids = [g for g in grids if g.parent_id == building.community_id]
            do_update_building(
                building, by=None, grid=draw(st.sampled_from([None, *own_grids]), label="to")
            )
        # The oracle reads every row as stored now, through the joins.
        rows = [type(r).objects.get(pk=r.pk) for r in rows]
        for _ in range(draw(st.integers(min_value=0, max_value=3), label="campaigns")):
            area = draw(st.sampled_from([a for a in areas if a.level != "grid"]))
            rows.append(CampaignFactory(area=area))
        for _ in range(draw(st.integers(min_value=0, max_value=3), label="tasks")):
            community = draw(st.sampled_from(communities))
            own = [community, *[g for g in grids if g.parent_id == community.pk]]
            rows.append(TaskFactory(community=community, area=draw(st.sampled_from(own))))
        users = [
            UserFactory(role=ROLE_AT[area.level], area=area)
            for area in draw(
                st.lists(st.sampled_from(areas), min_size=1, max_size=4), label="users"
            )
        ]

        for user in users:
            for model in (Building, Household, Person, Pass, Campaign, Task):
                if not user.has_action(model, "view"):
                    continue
                expected = {r.pk for r in rows if isinstance(r, model) and oracle(user, r)}
                got = set(
                    restrict(model, user)
                    .filter(pk__in=[r.pk for r in rows if isinstance(r, model)])
                    .values_list("pk", flat=True)
                )
                assert got == expected, (model.__name__, user.role, user.area.path)
        transaction.set_rollback(True)
