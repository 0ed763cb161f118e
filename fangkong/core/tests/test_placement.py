"""The community and grid ids copied onto every table a grid worker sees by grid
(``core.placement``): a grid worker's filter joins nothing, the copies follow every move,
and ``check_scope`` finds and repairs a copy that went wrong."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Model
from django.utils import timezone

from fangkong.access.choices import ExemptionKind
from fangkong.access.models import GateEvent, Pass, Visitor
from fangkong.access.services import do_create_exemption, do_suspend_household_passes
from fangkong.access.tests.factories import CheckpointFactory, VisitorFactory, issue_pass, scan
from fangkong.accounts.choices import Role
from fangkong.accounts.tests.factories import UserFactory
from fangkong.areas.tests.factories import CommunityFactory, GridFactory
from fangkong.core.models import ObjectChange
from fangkong.core.placement import mismatches, placed_models
from fangkong.core.querysets import restrict, scope_filter
from fangkong.health.models import Case, Contact, Disinfection, HealthReport, Quarantine
from fangkong.health.tests.factories import (
    CaseFactory,
    ContactFactory,
    DisinfectionFactory,
    QuarantineFactory,
    ReportFactory,
)
from fangkong.inquiries.tests.factories import InquiryFactory
from fangkong.registry.models import Building, Household, Person
from fangkong.registry.services import do_update_building, do_update_household, do_update_person
from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory, PersonFactory
from fangkong.selfservice.tests.factories import issue_link, propose_phone

pytestmark = pytest.mark.django_db


@pytest.fixture
def place() -> dict[str, Any]:
    """A community with two grids and a building in the first, with rows of every kind."""
    community = CommunityFactory()
    first, second = GridFactory(parent=community), GridFactory(parent=community)
    building = BuildingFactory(community=community, grid=first)
    household = HouseholdFactory(building=building)
    person = PersonFactory(household=household)
    item = issue_pass(household)
    do_create_exemption(
        household=household,
        by=None,
        kind=ExemptionKind.MEDICAL,
        document="单位证明",
        ends_on=timezone.localdate(),
    )
    do_suspend_household_passes(household, source="office", reason="test", until=None, by=None)
    gate = CheckpointFactory(community=community)
    scan(gate, item.token, "in")
    VisitorFactory(checkpoint=gate, household=household)
    case = CaseFactory(person=person)
    ContactFactory(case=case)
    QuarantineFactory(person=PersonFactory(household=household))
    quarantined = Quarantine.objects.get(person__household=household).person
    ReportFactory(person=quarantined)
    DisinfectionFactory(community=community, building=building)
    InquiryFactory(community=community, household=household)
    propose_phone(issue_link(household)[0])  # a link, a proposal and their activity rows
    return {
        "community": community,
        "first": first,
        "second": second,
        "building": building,
        "household": household,
        "person": person,
    }


def _grids(model: type[Model], **where: Any) -> set[int | None]:
    return set(model.objects.filter(**where).values_list("grid_id", flat=True))


def test_every_row_below_a_building_gets_its_grid_when_it_is_created(place: dict) -> None:
    grid = place["first"].pk
    for model in placed_models():
        assert model.objects.exists(), model  # the fixture made one of each
        assert _grids(model) == {grid}, model
        assert not mismatches(model).exists(), model


def test_a_grid_workers_filter_reads_each_table_alone_without_a_join(place: dict) -> None:
    worker = UserFactory(role=Role.GRID_WORKER, area=place["first"])
    for model in [Building, *placed_models()]:
        if worker.has_action(model, "view"):
            queryset = restrict(model, worker)
        else:  # the rule alone, for the tables this role has no right to
            queryset = scope_filter(model.objects.all(), worker.scope())
        sql = str(queryset.query)
        assert "JOIN" not in sql, (model, sql)
        assert "grid_id" in sql, (model, sql)


def test_moving_a_building_to_another_grid_moves_every_row_below_it(place: dict) -> None:
    do_update_building(place["building"], by=None, grid=place["second"])
    for model in placed_models():
        assert _grids(model) == {place["second"].pk}, model
    worker = UserFactory(role=Role.GRID_WORKER, area=place["second"])
    assert restrict(Person, worker).filter(pk=place["person"].pk).exists()
    former = UserFactory(role=Role.GRID_WORKER, area=place["first"])
    assert not restrict(Person, former).exists()


def test_a_building_taken_out_of_every_grid_leaves_its_rows_with_no_grid(place: dict) -> None:
    do_update_building(place["building"], by=None, grid=None)
    for model in (
        Household,
        Person,
        Pass,
        GateEvent,
        Visitor,
        Case,
        Contact,
        HealthReport,
        Disinfection,
    ):
        assert _grids(model) == {None}, model


def test_moving_a_household_to_another_building_moves_its_people_and_passes(place: dict) -> None:
    other = BuildingFactory(community=place["community"], grid=place["second"])
    household = place["household"]
    do_update_household(household, by=None, building=other)
    second = place["second"].pk
    assert _grids(Household, pk=household.pk) == {second}
    assert _grids(Person, household=household) == {second}
    assert _grids(Pass, household=household) == {second}
    assert _grids(GateEvent, household=household) == {second}
    assert _grids(HealthReport, person__household=household) == {second}
    # The case stays with the building it was recorded at.
    assert _grids(Case) == {place["first"].pk}


def test_moving_a_person_to_another_household_moves_their_reports(place: dict) -> None:
    other = HouseholdFactory(
        building=BuildingFactory(community=place["community"], grid=place["second"])
    )
    reported = HealthReport.objects.get().person
    do_update_person(reported, by=None, household=other)
    assert _grids(Person, pk=reported.pk) == {place["second"].pk}
    assert _grids(HealthReport) == {place["second"].pk}


def test_bulk_create_copies_the_parents_grid() -> None:
    grid = GridFactory()
    building = BuildingFactory(community=grid.parent, grid=grid)
    made = Household.objects.bulk_create(
        [
            Household(community=building.community, building=building, unit=1, room=str(n))
            for n in (101, 102)
        ]
    )
    assert {h.grid_id for h in made} == {grid.pk}
    assert _grids(Household) == {grid.pk}


def _check(*args: str) -> tuple[str, CommandError | None]:
    out = io.StringIO()
    try:
        call_command("check_scope", *args, stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def test_check_scope_says_a_clean_database_is_clean(place: dict) -> None:
    out, error = _check()
    assert error is None
    assert "registry.Person: 0 row(s) disagree" in out
    assert "Every scoped table agrees with its parents." in out


def test_check_scope_finds_a_planted_mismatch_and_fix_repairs_it(place: dict) -> None:
    person = place["person"]
    Person.objects.filter(pk=person.pk).update(grid=place["second"])
    Pass.objects.filter(household=place["household"]).update(grid=None)

    out, error = _check()
    assert error is not None
    assert f"registry.Person: 1 row(s) disagree (ids {person.pk})" in out
    assert "access.Pass: 1 row(s) disagree" in out
    assert "health.Case: 0 row(s) disagree" in out

    out, error = _check("--fix")
    assert error is None, out
    assert f"registry.Person: 1 row(s) disagreed (ids {person.pk}), repaired" in out
    assert _grids(Person, pk=person.pk) == {place["first"].pk}
    assert _grids(Pass) == {place["first"].pk}
    audit = ObjectChange.objects.filter(object_repr__startswith="scope columns repaired")
    assert sorted(audit.values_list("object_repr", flat=True)) == [
        "scope columns repaired: access.Pass",
        "scope columns repaired: registry.Person",
    ]
    assert audit.get(object_repr__endswith="registry.Person").after == {
        "rows": 1,
        "ids": [person.pk],
    }
    assert _check() == (_check()[0], None)  # clean again


def test_check_scope_repairs_a_community_that_disagrees_with_the_household(place: dict) -> None:
    elsewhere = CommunityFactory()
    item = Pass.objects.get()
    Pass.objects.filter(pk=item.pk).update(community=elsewhere)
    assert list(mismatches(Pass).values_list("pk", flat=True)) == [item.pk]
    _out, error = _check("--fix")
    assert error is None
    item.refresh_from_db()
    assert item.community_id == place["community"].pk
