"""Exact searches on ID numbers and phones go through blind indexes and never decrypt a row."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest

from fangkong.accounts.models import User
from fangkong.areas.models import Area
from fangkong.core.choices import AccessKind
from fangkong.core.models import AccessEvent
from fangkong.core.personal_data import phone_index, phone_last4_index
from fangkong.registry.models import Person
from fangkong.registry.services import find_people_by_id_number
from fangkong.registry.tests.factories import HouseholdFactory, PersonFactory, valid_id_number

ID_NUMBER = valid_id_number(birth=dt.date(1962, 10, 1), sex="M", seq=31)


@pytest.fixture
def wang(grid_a1: Area) -> Person:
    household = HouseholdFactory(building__grid=grid_a1)
    return PersonFactory(
        household=household, name="王强", id_number=ID_NUMBER, phone="139 0000 5678"
    )


@pytest.fixture
def neighbours(grid_a1: Area) -> list[Person]:
    household = HouseholdFactory(building__grid=grid_a1)
    return [PersonFactory(household=household, phone=f"1370000{n:04d}") for n in range(3)]


def refuse_to_decrypt(*args: object, **kwargs: object) -> None:
    raise AssertionError("a blind-index search must not decrypt")


def test_a_search_by_id_number_finds_the_person(
    wang: Person, neighbours: list[Person], officer_a: User
) -> None:
    found = find_people_by_id_number(Person.objects.restrict(officer_a), ID_NUMBER, by=officer_a)

    assert list(found) == [wang]


def test_a_search_by_id_number_is_logged_without_the_number(wang: Person, officer_a: User) -> None:
    list(find_people_by_id_number(Person.objects.restrict(officer_a), ID_NUMBER, by=officer_a))

    event = AccessEvent.objects.get()
    assert (event.kind, event.actor, event.area_path) == (
        AccessKind.SEARCH,
        officer_a,
        officer_a.area.path,
    )
    assert ID_NUMBER not in f"{event.detail}{event.reason}{event.object_repr}"


def test_a_search_by_id_number_never_decrypts(
    wang: Person, neighbours: list[Person], officer_a: User
) -> None:
    # given decryption that fails loudly, wherever it is called from
    with (
        mock.patch("fangkong.core.personal_data.decrypt", side_effect=refuse_to_decrypt),
        mock.patch("fangkong.registry.services.decrypt", side_effect=refuse_to_decrypt),
        mock.patch("fangkong.core.personal_data._fernet", side_effect=refuse_to_decrypt),
    ):
        # when an officer searches by ID number, typed with a lower-case x and spaces
        found = list(
            find_people_by_id_number(
                Person.objects.restrict(officer_a),
                f" {ID_NUMBER[:6]} {ID_NUMBER[6:]} ".lower(),
                by=officer_a,
            )
        )

    # then the person is found all the same
    assert found == [wang]


def test_a_search_by_id_number_stays_inside_the_searchers_scope(
    wang: Person, officer_b: User
) -> None:
    found = find_people_by_id_number(Person.objects.restrict(officer_b), ID_NUMBER, by=officer_b)

    assert list(found) == []


def test_a_phone_is_found_by_its_last_four_digits(wang: Person, neighbours: list[Person]) -> None:
    with mock.patch("fangkong.core.personal_data._fernet", side_effect=refuse_to_decrypt):
        found = list(Person.objects.filter(phone_last4_index=phone_last4_index("5678")))

    assert found == [wang]


def test_a_phone_is_found_by_its_full_number_however_it_is_written(wang: Person) -> None:
    for written in ("13900005678", "+86 139 0000 5678", "139-0000-5678"):
        assert list(Person.objects.filter(phone_index=phone_index(written))) == [wang]
