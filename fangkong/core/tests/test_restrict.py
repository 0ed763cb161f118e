"""restrict(user, action): every role sees the rows of its area, and does what DESIGN.md allows."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser

from fangkong.accounts.models import User
from fangkong.areas.models import Area
from fangkong.core.models import TickRun
from fangkong.core.querysets import restrict
from fangkong.core.scope import Scope
from fangkong.registry.models import Building, Household, Person
from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory, PersonFactory


@dataclass
class Registry:
    """One building, household and resident per grid, and a person with no household in A."""

    building_a1: Building
    building_a2: Building
    building_b1: Building
    household_a1: Household
    household_a2: Household
    household_b1: Household
    resident_a1: Person
    resident_a2: Person
    resident_b1: Person
    homeless_a: Person

    def buildings(self, *names: str) -> set[Building]:
        return {getattr(self, f"building_{n}") for n in names}

    def households(self, *names: str) -> set[Household]:
        return {getattr(self, f"household_{n}") for n in names}

    def residents(self, *names: str) -> set[Person]:
        return {getattr(self, f"resident_{n}") for n in names}


@pytest.fixture
def registry(grid_a1: Area, grid_a2: Area, grid_b1: Area, community_a: Area) -> Registry:
    buildings = {
        name: BuildingFactory(grid=grid)
        for name, grid in (("a1", grid_a1), ("a2", grid_a2), ("b1", grid_b1))
    }
    households = {name: HouseholdFactory(building=b) for name, b in buildings.items()}
    residents = {name: PersonFactory(household=h) for name, h in households.items()}
    return Registry(
        building_a1=buildings["a1"],
        building_a2=buildings["a2"],
        building_b1=buildings["b1"],
        household_a1=households["a1"],
        household_a2=households["a2"],
        household_b1=households["b1"],
        resident_a1=residents["a1"],
        resident_a2=residents["a2"],
        resident_b1=residents["b1"],
        homeless_a=PersonFactory(household=None, community=community_a),
    )


def visible(model: type, user: object, action: str = "view") -> set:
    return set(model.objects.restrict(user, action))


# --- Seeing rows ------------------------------------------------------------------------------


def test_a_community_officer_sees_the_registry_of_their_community_only(
    registry: Registry, officer_a: User
) -> None:
    assert visible(Building, officer_a) == registry.buildings("a1", "a2")
    assert visible(Household, officer_a) == registry.households("a1", "a2")
    assert visible(Person, officer_a) == registry.residents("a1", "a2") | {registry.homeless_a}


def test_an_officer_of_another_community_sees_none_of_community_a(
    registry: Registry, officer_b: User
) -> None:
    assert visible(Building, officer_b) == registry.buildings("b1")
    assert visible(Household, officer_b) == registry.households("b1")
    assert visible(Person, officer_b) == registry.residents("b1")


def test_a_grid_worker_sees_only_households_of_their_grid(
    registry: Registry, grid_worker_a1: User
) -> None:
    assert visible(Building, grid_worker_a1) == registry.buildings("a1")
    assert visible(Household, grid_worker_a1) == registry.households("a1")
    assert visible(Person, grid_worker_a1) == registry.residents("a1")


def test_a_grid_worker_does_not_see_a_person_without_household(
    registry: Registry, grid_worker_a1: User, grid_worker_a2: User
) -> None:
    assert registry.homeless_a not in visible(Person, grid_worker_a1)
    assert registry.homeless_a not in visible(Person, grid_worker_a2)


def test_a_grid_worker_does_not_see_a_building_without_grid(
    community_a: Area, grid_worker_a1: User, officer_a: User
) -> None:
    building = BuildingFactory(grid=None, community=community_a)

    assert building not in visible(Building, grid_worker_a1)
    assert building in visible(Building, officer_a)


@pytest.mark.parametrize("official", ["district_official", "street_official"])
def test_district_and_street_officials_see_both_communities(
    registry: Registry, official: str, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(official)

    assert visible(Building, user) == registry.buildings("a1", "a2", "b1")
    assert visible(Household, user) == registry.households("a1", "a2", "b1")
    assert visible(Person, user) == (registry.residents("a1", "a2", "b1") | {registry.homeless_a})


def test_a_health_officer_sees_the_people_of_their_community(
    registry: Registry, health_a: User
) -> None:
    assert visible(Person, health_a) == registry.residents("a1", "a2") | {registry.homeless_a}


@pytest.mark.parametrize("persona", ["checkpoint_a", "volunteer_a"])
@pytest.mark.parametrize("model", [Building, Household, Person])
def test_checkpoint_staff_and_volunteers_see_no_registry_rows(
    registry: Registry, persona: str, model: type, request: pytest.FixtureRequest
) -> None:
    assert visible(model, request.getfixturevalue(persona)) == set()


@pytest.mark.parametrize("user", [None, AnonymousUser()], ids=["none", "anonymous"])
def test_an_anonymous_user_sees_nothing(registry: Registry, user: object) -> None:
    for model in (Building, Household, Person):
        assert visible(model, user) == set()


def test_a_disabled_account_sees_nothing(registry: Registry, officer_a: User) -> None:
    officer_a.is_active = False

    assert visible(Person, officer_a) == set()


def test_a_superuser_sees_everything(registry: Registry, superuser: User) -> None:
    assert visible(Building, superuser) == registry.buildings("a1", "a2", "b1")
    assert visible(Person, superuser) == set(Person.objects.all())
    assert len(visible(Person, superuser)) == 4


def test_restricting_for_an_action_the_role_lacks_gives_no_rows(
    registry: Registry, district_official: User, grid_worker_a1: User
) -> None:
    assert visible(Person, district_official, "change") == set()
    assert visible(Person, grid_worker_a1, "reveal") == set()
    assert visible(Person, grid_worker_a1, "change") == registry.residents("a1")


def test_the_functional_form_restricts_a_model_class_and_a_queryset(
    registry: Registry, officer_a: User
) -> None:
    assert set(restrict(Person, officer_a)) == visible(Person, officer_a)
    assert set(restrict(Person.objects.filter(household__isnull=False), officer_a)) == (
        registry.residents("a1", "a2")
    )


def test_a_model_without_a_scope_rule_cannot_be_restricted(superuser: User) -> None:
    with pytest.raises(TypeError, match="scope_rule"):
        restrict(TickRun, superuser)


def test_an_area_id_never_matches_a_longer_number(community_a: Area) -> None:
    # An area's scope is its own id and its ancestors' ids, not a string prefix: area 1
    # covers /1/7/ and not /12/.
    scope = Scope(area_id=1)
    assert scope.covers_area([1, 7])
    assert not scope.covers_area([12])


# --- Who may do what (DESIGN.md) ------------------------------------------------------------

REGISTRY_ACTIONS = ("view", "add", "change", "deactivate", "reveal", "export", "import")

#: The registry rights of each role, from DESIGN.md's "Who may do what".
EXPECTED_REGISTRY_RIGHTS = {
    # sees masked, changes nothing in the registry, no row reveals
    "district_official": {"view"},
    "street_official": {"view"},
    # registry, imports; reveals with reason; exports
    "officer_a": set(REGISTRY_ACTIONS),
    # reveals with reason; changes health status only (not the registry)
    "health_a": {"view", "reveal"},
    # registry of own grids; phones only through the logged call route (no reveal)
    "grid_worker_a1": {"view", "add", "change", "deactivate"},
    "checkpoint_a": set(),
    "volunteer_a": set(),
    # areas and accounts only: no resident's row
    "administrator": set(),
    "superuser": set(REGISTRY_ACTIONS),
}


@pytest.mark.parametrize("persona", EXPECTED_REGISTRY_RIGHTS)
@pytest.mark.parametrize("model", [Building, Household, Person])
def test_each_role_has_the_registry_rights_design_md_gives_it(
    persona: str, model: type, request: pytest.FixtureRequest
) -> None:
    user = request.getfixturevalue(persona)

    allowed = {action for action in REGISTRY_ACTIONS if user.has_action(model, action)}

    assert allowed == EXPECTED_REGISTRY_RIGHTS[persona]


def test_a_district_official_cannot_change_the_registry(district_official: User) -> None:
    assert district_official.has_action(Person, "view")
    assert not district_official.has_action(Person, "change")


def test_a_community_officer_can_reveal_and_export(officer_a: User) -> None:
    assert officer_a.has_action(Person, "reveal")
    assert officer_a.has_action(Person, "export")


def test_a_grid_worker_can_change_but_not_reveal(grid_worker_a1: User) -> None:
    assert grid_worker_a1.has_action(Person, "change")
    assert not grid_worker_a1.has_action(Person, "reveal")
    assert not grid_worker_a1.has_action(Person, "export")


def test_a_health_officer_can_reveal(health_a: User) -> None:
    assert health_a.has_action(Person, "reveal")
