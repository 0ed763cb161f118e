"""Factories for buildings, households and people, and valid ID numbers and phones.

Rows are created through the registry services with ``by=None`` (system work), so pinyin,
encryption, blind indexes, masks and the audit row are the real thing.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import factory

from fangkong.areas.models import Area
from fangkong.areas.tests.factories import CommunityFactory, GridFactory
from fangkong.registry.choices import Relation, Residency
from fangkong.registry.models import Building, Household, Person
from fangkong.registry.services import do_create_building, do_create_household, do_create_person

# ISO 7064 MOD 11-2, as GB 11643-1999 defines the resident ID's check digit. Written out here
# rather than taken from python-stdnum so the tests do not trust the library they check.
_ID_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
_ID_CHECK = "10X98765432"

_id_counter = itertools.count()
_mobile_counter = itertools.count()

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN_NAMES = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰"]


def id_check_digit(first17: str) -> str:
    """The 18th character of a resident ID number whose first 17 digits are given."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def valid_id_number(
    birth: dt.date = dt.date(1990, 3, 7), sex: str = "M", area: str = "210112", seq: int = 12
) -> str:
    """An 18-character resident ID number with a correct check digit.

    ``seq`` (0–999) is the order code; its last digit is adjusted so that it is odd for men
    and even for women, as on a real card.
    """
    order = seq % 1000
    if (order % 2 == 1) != (sex == "M"):
        order ^= 1  # flip the lowest bit: same decade of order codes, right parity
    first17 = f"{area}{birth:%Y%m%d}{order:03d}"
    return first17 + id_check_digit(first17)


def next_id_number() -> str:
    """A fresh valid ID number (distinct birth dates and order codes across a test run)."""
    n = next(_id_counter)
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=(n * 97) % 27000)
    return valid_id_number(birth=birth, sex="MF"[n % 2], seq=n % 1000)


def valid_mobile(seq: int | None = None) -> str:
    """A valid mainland mobile number, ``138`` followed by eight digits."""
    n = next(_mobile_counter) if seq is None else seq
    return f"138{n % 100_000_000:08d}"


def _community_of(grid: Area | None) -> Area:
    return grid.parent if grid is not None else CommunityFactory()


class BuildingFactory(factory.django.DjangoModelFactory):
    """A building in a grid of a fresh community (pass ``grid=`` or ``community=``)."""

    class Meta:
        model = Building

    grid = factory.SubFactory(GridFactory)
    community = factory.LazyAttribute(lambda o: _community_of(o.grid))
    number = factory.Sequence(lambda n: str(n + 1))
    units = 2
    floors = 6

    @classmethod
    def _create(cls, model_class: type[Building], *args: Any, **kwargs: Any) -> Building:
        return do_create_building(by=None, **kwargs)


class HouseholdFactory(factory.django.DjangoModelFactory):
    """A household in unit 1 of a building; its room number counts up."""

    class Meta:
        model = Household

    building = factory.SubFactory(BuildingFactory)
    unit = 1
    floor = 1
    room = factory.Sequence(lambda n: str(101 + n))

    @classmethod
    def _create(cls, model_class: type[Household], *args: Any, **kwargs: Any) -> Household:
        return do_create_household(by=None, **kwargs)


class PersonFactory(factory.django.DjangoModelFactory):
    """A permanent resident of a household, with a valid ID number and mobile.

    Pass ``household=None, community=...`` for a person who belongs to no household.
    """

    class Meta:
        model = Person

    household = factory.SubFactory(HouseholdFactory)
    community = factory.LazyAttribute(
        lambda o: o.household.community if o.household is not None else CommunityFactory()
    )
    name = factory.Sequence(
        lambda n: SURNAMES[n % len(SURNAMES)] + GIVEN_NAMES[n % len(GIVEN_NAMES)]
    )
    relation = Relation.OTHER
    residency = Residency.PERMANENT
    id_number = factory.LazyFunction(next_id_number)
    phone = factory.LazyFunction(valid_mobile)

    @classmethod
    def _create(cls, model_class: type[Person], *args: Any, **kwargs: Any) -> Person:
        return do_create_person(by=None, **kwargs)
