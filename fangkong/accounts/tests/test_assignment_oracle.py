"""Rights per assignment against a brute-force oracle, over random assignment sets.

A user holds their own assignment and a few more (roles × areas × dates). The oracle is the
rule written the slow, obvious way: a user may do an action to a row, or in an area, iff one
assignment in force today has a role that allows it and an area at or above the row's place
(for a row that reaches down, such as a street's campaign, viewing it from below counts too).
``restrict()``, ``require()``/``may()`` and ``has_action`` must agree with it everywhere.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
from fangkong.accounts.roles import ROLE_LEVELS, role_allows
from fangkong.accounts.tests.factories import UserFactory, lend
from fangkong.areas.models import Area
from fangkong.areas.tests.factories import (
    CommunityFactory,
    DistrictFactory,
    GridFactory,
    StreetFactory,
)
from fangkong.core.querysets import may, restrict
from fangkong.registry.models import Person
from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory, PersonFactory
from fangkong.screening.models import Campaign
from fangkong.screening.tests.factories import CampaignFactory

ACTIONS = ("view", "add", "change", "reveal", "import", "export")
MODELS: tuple[type[Any], ...] = (Person, Campaign, Area)
#: Day offsets from today an assignment may start or end on (None: open).
DAYS = st.sampled_from([None, -3, -1, 0, 1, 3])

trees = st.lists(st.integers(min_value=0, max_value=2), min_size=1, max_size=3)


def under(path: str, above: str) -> bool:
    return path.startswith(above)


def place_of(row: Any) -> tuple[str, ...]:
    """The paths a row sits on: a person's grid and community, a campaign's or area's own."""
    if isinstance(row, Person):
        building = row.household.building if row.household_id else None
        grid = building.grid if building is not None and building.grid_id else None
        return tuple(p for p in (grid.path if grid else None, row.community.path) if p)
    if isinstance(row, Campaign):
        return (row.area.path,)
    return (row.path,)


def oracle(grants: list[tuple[str, Area]], row: Any, action: str) -> bool:
    label = type(row)._meta.label_lower
    for role, area in grants:
        if not role_allows(role, label, action):
            continue
        if any(under(path, area.path) for path in place_of(row)):
            return True
        if isinstance(row, Campaign) and action == "view" and under(area.path, row.area.path):
            return True
    return False


def in_force(starts: int | None, ends: int | None) -> bool:
    return (starts is None or starts <= 0) and (ends is None or ends >= 0)


@pytest.mark.django_db
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(shape=trees, data=st.data())
def test_rights_are_the_union_over_assignments_in_force_per_assignment(
    shape: list[int], data: Any
) -> None:
    with transaction.atomic():
        draw = data.draw
        district = DistrictFactory()
        street = StreetFactory(parent=district)
        areas: list[Area] = [district, street]
        communities: list[Area] = []
        grids: list[Area] = []
        for count in shape:
            community = CommunityFactory(parent=street)
            communities.append(community)
            areas.append(community)
            for _ in range(count):
                grid = GridFactory(parent=community)
                grids.append(grid)
                areas.append(grid)
        today = district.local_today()
        rows: list[Any] = list(areas)
        for community in communities:
            own_grids = [g for g in grids if g.parent_id == community.pk]
            grid = draw(st.sampled_from([None, *own_grids]), label="grid")
            household = HouseholdFactory(building=BuildingFactory(community=community, grid=grid))
            rows += [
                PersonFactory(household=household),
                PersonFactory(community=community, household=None),
            ]
        for area in draw(st.lists(st.sampled_from([street, *communities]), max_size=2)):
            rows.append(CampaignFactory(area=area))
        rows = [type(r).objects.get(pk=r.pk) for r in rows]

        own_area = draw(st.sampled_from(areas), label="own area")
        own_roles = [r for r in Role.values if own_area.level in ROLE_LEVELS[r]]
        own_role = draw(st.sampled_from(own_roles), label="own role")
        user = UserFactory(role=own_role, area=own_area)
        grants: list[tuple[str, Area]] = [(own_role, own_area)]
        for _ in range(draw(st.integers(min_value=0, max_value=3), label="assignments")):
            role = draw(st.sampled_from(Role.values), label="role")
            places = [a for a in areas if a.level in ROLE_LEVELS[role]]
            area = draw(st.sampled_from(places), label="area")
            starts, ends = draw(DAYS, label="starts"), draw(DAYS, label="ends")
            if starts is not None and ends is not None and ends < starts:
                starts, ends = ends, starts
            lend(
                user,
                role,
                area,
                starts_on=None if starts is None else today + dt.timedelta(days=starts),
                ends_on=None if ends is None else today + dt.timedelta(days=ends),
            )
            if in_force(starts, ends):
                grants.append((role, area))
        user = User.objects.select_related("area").get(pk=user.pk)

        for model in MODELS:
            label = model._meta.label_lower
            mine = [r for r in rows if isinstance(r, model)]
            for action in ACTIONS:
                assert user.has_action(model, action) == any(
                    role_allows(role, label, action) for role, _area in grants
                ), (label, action, grants)
                expected = {r.pk for r in mine if oracle(grants, r, action)}
                got = set(
                    restrict(model, user, action)
                    .filter(pk__in=[r.pk for r in mine])
                    .values_list("pk", flat=True)
                )
                assert got == expected, (label, action, grants)
                for area in areas:
                    allowed = any(
                        role_allows(role, label, action) and under(area.path, place.path)
                        for role, place in grants
                    )
                    assert may(user, model, action, area) == allowed, (
                        label,
                        action,
                        area.path,
                        grants,
                    )
        transaction.set_rollback(True)
