"""The people search: every branch through an index, addresses as printed, exact first.

An estate of two sections in community A (东园 buildings 1 and 2, 西园 building 11) and a
building 1 in community B, so that 1-2-301 exists three times and 11-2-301 once.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from fangkong.accounts.models import User
from fangkong.areas.models import Area
from fangkong.core.retention import purge_expired
from fangkong.registry import name_grams
from fangkong.registry.choices import PersonStatus
from fangkong.registry.filtersets import PersonFilterSet
from fangkong.registry.models import Building, Household, Person
from fangkong.registry.search import MAX_LENGTH, parse_address, search_people
from fangkong.registry.services import do_bulk_create_people, do_update_person
from fangkong.registry.tests.factories import (
    BuildingFactory,
    HouseholdFactory,
    PersonFactory,
    valid_mobile,
)

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
PEOPLE_API = reverse("api:person-list")
HOUSEHOLDS_API = reverse("api:household-list")


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


@dataclass
class Estate:
    wang: Person  # 东园1号楼 2-301
    zhang: Person  # 东园1号楼 1-101
    li: Person  # 西园11号楼 2-301
    zhao: Person  # 东园2号楼 2-301
    other: Person  # community B, 1号楼 2-301
    household: Household  # 王秀英's


@pytest.fixture
def estate(community_a: Area, community_b: Area, grid_a1: Area, grid_b1: Area) -> Estate:
    def building(community: Area, grid: Area, number: str, section: str = "") -> Building:
        name = f"{section}{number}号楼" if section else ""
        return BuildingFactory(
            community=community,
            grid=grid,
            number=number,
            section=section,
            name=name,
            units=3,
            floors=6,
        )

    east1 = building(community_a, grid_a1, "1", "东园")
    east2 = building(community_a, grid_a1, "2", "东园")
    west11 = building(community_a, grid_a1, "11", "西园")
    b1 = building(community_b, grid_b1, "1")
    wang_home = HouseholdFactory(building=east1, unit=2, floor=3, room="301")
    return Estate(
        wang=PersonFactory(household=wang_home, name="王秀英", phone=valid_mobile(20005678)),
        zhang=PersonFactory(
            household=HouseholdFactory(building=east1, unit=1, room="101"), name="张三"
        ),
        li=PersonFactory(
            household=HouseholdFactory(building=west11, unit=2, room="301"), name="李强"
        ),
        zhao=PersonFactory(
            household=HouseholdFactory(building=east2, unit=2, room="301"), name="赵敏"
        ),
        other=PersonFactory(
            household=HouseholdFactory(building=b1, unit=2, room="301"), name="王秀英"
        ),
        household=wang_home,
    )


def found(user: User, query: str) -> list[str]:
    """Names found by the search as ``user`` sees the registry, in the order given."""
    people = Person.objects.restrict(user)
    return [p.name for p in search_people(people, query)]


# --- Addresses ------------------------------------------------------------------------------


def test_an_address_as_the_pages_print_it_finds_the_household(
    officer_a: User, estate: Estate
) -> None:
    with translation.override("zh-hans"):
        printed = estate.household.label  # 东园1号楼2单元301室

    assert printed == "东园1号楼2单元301室"
    assert found(officer_a, printed) == ["王秀英"]


@pytest.mark.parametrize(
    "query",
    [
        "1号楼2单元301",
        "1号楼2单元301室",
        "1-2-301",
        "1 - 2 - 301",
        "１－２－３０１",
        "东园1-2-301",
        "01号楼2单元301",
    ],
)
def test_short_forms_of_an_address_find_only_that_household(
    officer_a: User, estate: Estate, query: str
) -> None:
    # 西园11号楼 2-301 ends with "1-2-301" too; a substring match found it.
    assert found(officer_a, query) == ["王秀英"]


def test_a_building_finds_everyone_in_it_and_nobody_in_the_other_section(
    officer_a: User, estate: Estate
) -> None:
    assert sorted(found(officer_a, "东园1号楼")) == ["张三", "王秀英"]
    assert found(officer_a, "西园11号楼") == ["李强"]
    assert sorted(found(officer_a, "1号楼2单元")) == ["王秀英"]


def test_a_district_official_finds_the_address_in_every_community(
    district_official: User, estate: Estate
) -> None:
    assert found(district_official, "1-2-301") == ["王秀英", "王秀英"]


def test_the_address_parser_reads_building_unit_and_room() -> None:
    address = parse_address("东园1号楼2单元301室")
    assert (address.section, address.building, address.unit, address.room) == (
        "东园",
        "1",
        2,
        "301",
    )
    assert parse_address("1-2-301").section == ""
    assert parse_address("东园1号楼").unit is None
    assert parse_address("王秀英") is None


def test_the_household_api_finds_an_address_without_the_look_alike(
    client: Client, officer_a: User, estate: Estate
) -> None:
    client.force_login(officer_a)
    for query in ("1-2-301", "东园1号楼2单元301室"):
        rows = client.get(HOUSEHOLDS_API, {"search": query}).json()["results"]
        assert [r["id"] for r in rows] == [estate.household.pk], query


# --- Names, pinyin, phones, numbers ---------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("王秀英", ["王秀英"]),
        ("王秀", ["王秀英"]),  # surname and first character
        ("秀英", ["王秀英"]),  # the given name
        ("王", ["王秀英"]),  # one 汉字: a surname
        ("wangxiuying", ["王秀英"]),
        ("wxy", ["王秀英"]),
        ("WXY", ["王秀英"]),
        ("zs", ["张三"]),
        ("5678", ["王秀英"]),  # a phone's last four digits
        ("101", ["张三"]),  # a room
    ],
)
def test_each_branch_finds_the_person_within_scope(
    officer_a: User, estate: Estate, query: str, expected: list[str]
) -> None:
    assert found(officer_a, query) == expected


def test_a_household_number_is_found_by_equality(officer_a: User, estate: Estate) -> None:
    Household.objects.filter(pk=estate.zhang.household_id).update(number="HH-0042")
    assert found(officer_a, "HH-0042") == ["张三"]
    assert found(officer_a, "HH-004") == []


def test_a_name_of_three_characters_is_found_inside_a_longer_name(
    officer_a: User, estate: Estate
) -> None:
    PersonFactory(household=estate.household, name="欧阳秀英子")
    assert found(officer_a, "阳秀英") == ["欧阳秀英子"]


def test_a_latin_name_is_found_by_part_in_any_case(officer_a: User, estate: Estate) -> None:
    PersonFactory(household=estate.household, name="John Smith")
    assert found(officer_a, "john smith") == ["John Smith"]
    assert found(officer_a, "SMITH") == ["John Smith"]


def test_exact_hits_come_before_partial_ones(officer_a: User, estate: Estate) -> None:
    # Registered after 王秀英, in a household after hers: the list order would put it last.
    later = HouseholdFactory(building=estate.li.household.building, unit=3, room="601")
    PersonFactory(household=later, name="王秀")
    assert found(officer_a, "王秀") == ["王秀", "王秀英"]


def test_the_search_keeps_the_list_s_filters(officer_a: User, estate: Estate) -> None:
    Person.objects.filter(pk=estate.wang.pk).update(status=PersonStatus.MOVED_OUT)
    people = Person.objects.restrict(officer_a).filter(status=PersonStatus.ACTIVE)
    assert list(search_people(people, "王秀英")) == []


# --- The name index on SQLite stays right ---------------------------------------------------


def grams_of(person: Person) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT gram FROM {name_grams.TABLE} WHERE person_id = %s",  # noqa: S608
            [person.pk],
        )
        return {gram for (gram,) in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL uses a pg_trgm index")
def test_the_name_grams_follow_every_write_of_a_name(
    officer_a: User, estate: Estate, community_a: Area
) -> None:
    assert grams_of(estate.wang) == {"^王", "王秀", "秀英"}

    do_update_person(estate.wang, by=None, name="王秀兰")
    assert grams_of(estate.wang) == {"^王", "王秀", "秀兰"}
    assert found(officer_a, "秀英") == []

    [bulk] = do_bulk_create_people(
        [Person(community=community_a, household=estate.household, name="Ann Lee")], by=None
    )
    assert grams_of(bulk) == {"^a", "an", "nn", "n ", " l", "le", "ee"}

    # The retention purge blanks or deletes people with plain UPDATEs and DELETEs.
    Person.objects.filter(pk=estate.zhang.pk).update(name="")
    assert grams_of(estate.zhang) == set()
    Person.objects.filter(pk=bulk.pk).delete()
    assert grams_of(bulk) == set()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL uses a pg_trgm index")
def test_lost_triggers_are_put_back_and_the_table_refilled(estate: Estate) -> None:
    assert name_grams.missing_triggers(connection) == []  # as every migration left them
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TRIGGER {name_grams.TRIGGERS[0]}")
        cursor.execute(f"DELETE FROM {name_grams.TABLE}")  # noqa: S608

    assert name_grams.ensure(connection) is True
    assert name_grams.missing_triggers(connection) == []
    assert grams_of(estate.wang) == {"^王", "王秀", "秀英"}


def test_the_retention_purge_leaves_no_name_to_find(officer_a: User, estate: Estate) -> None:
    Person.objects.filter(pk=estate.wang.pk).update(
        status=PersonStatus.MOVED_OUT, status_date=dt.date(2000, 1, 1)
    )
    purge_expired()
    assert found(officer_a, "王秀") == []


# --- Bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["a", "1", "Ｚ"])
def test_one_letter_or_digit_is_refused_in_the_api_with_a_chinese_message(
    client: Client, officer_a: User, estate: Estate, query: str
) -> None:
    client.force_login(officer_a)
    response = client.get(PEOPLE_API, {"search": query})

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], list(body["fields"])) == ("invalid", ["search"])
    assert CJK.search(body["fields"]["search"][0])


def test_ten_thousand_characters_are_refused_before_any_query(
    client: Client, officer_a: User, estate: Estate
) -> None:
    client.force_login(officer_a)
    response = client.get(PEOPLE_API, {"search": "王" * 10_000})
    assert response.status_code == 400
    assert str(MAX_LENGTH) in response.json()["fields"]["search"][0]

    page = client.get(reverse("registry:person_list"), {"q": "1" * 10_000})
    assert page.status_code == 200
    assert list(page.context["object_list"]) == []
    assert zh("Search for at most %(max)s characters.") % {"max": MAX_LENGTH} in (
        page.content.decode()
    )


def test_the_people_page_explains_a_refused_search_and_lists_nobody(
    client: Client, officer_a: User, estate: Estate
) -> None:
    client.force_login(officer_a)
    page = client.get(reverse("registry:person_list"), {"q": "a"})

    assert page.status_code == 200
    assert list(page.context["object_list"]) == []
    message = zh("Type at least two characters (one Chinese character finds a surname).")
    assert CJK.search(message)
    assert message in page.content.decode()


def test_a_refused_search_exports_nobody(officer_a: User, estate: Estate) -> None:
    people = Person.objects.restrict(officer_a)
    assert list(PersonFilterSet({"q": "1"}, queryset=people).qs) == []


def test_one_chinese_character_is_a_surname_search(
    client: Client, officer_a: User, estate: Estate
) -> None:
    client.force_login(officer_a)
    response = client.get(PEOPLE_API, {"search": "张"})
    assert [p["name"] for p in response.json()["results"]] == ["张三"]
