"""The search's query plans: each kind of search reads through an index, never the whole
person table, on both databases.

A few hundred people in six communities. SQLite has no statistics here and plans by its
rules. PostgreSQL would rightly read so small a table whole (by a sequential scan, or by
walking an index without a condition), so its plans are taken with sequential and plain index
scans off: only bitmap scans remain, and a bitmap scan needs a condition its index serves; where
no index can serve one, a (disabled, but still chosen) sequential scan appears. That is what
these tests look for, and which index serves each search.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.db import connection, transaction

from fangkong.accounts.models import User
from fangkong.areas.models import Area
from fangkong.areas.tests.factories import CommunityFactory, GridFactory
from fangkong.registry.models import Household, Person
from fangkong.registry.search import search_people
from fangkong.registry.services import do_bulk_create_people
from fangkong.registry.tests.factories import (
    GIVEN_NAMES,
    SURNAMES,
    BuildingFactory,
    HouseholdFactory,
    PersonFactory,
    valid_mobile,
)

pytestmark = pytest.mark.django_db

COMMUNITIES = 6
HOUSEHOLDS_PER_COMMUNITY = 12
PEOPLE_PER_HOUSEHOLD = 4  # 6 × 12 × 4 = 288 people, and a few more


@pytest.fixture
def registry(community_a: Area, grid_a1: Area, street: Area) -> None:
    communities = [community_a, *(CommunityFactory(parent=street) for _ in range(COMMUNITIES - 1))]
    n = 0
    home = None
    for community in communities:
        grid = grid_a1 if community == community_a else GridFactory(parent=community)
        buildings = [
            BuildingFactory(
                community=community,
                grid=grid,
                number=str(i),
                section="东园",
                name=f"东园{i}号楼",
                units=2,
                floors=6,
            )
            for i in (1, 11)
        ]
        home = home or buildings[0]  # community A's 东园1号楼
        households = Household.objects.bulk_create(
            [
                Household(
                    community=community,
                    building=buildings[i % 2],
                    unit=1 + i % 2,
                    floor=1 + i // 4,
                    room=f"{1 + i // 4}0{1 + i % 4}",
                    number=f"{buildings[i % 2].number}-{1 + i % 2}-{1 + i // 4}0{1 + i % 4}",
                )
                for i in range(HOUSEHOLDS_PER_COMMUNITY)
            ]
        )
        people = []
        for household in households:
            for _ in range(PEOPLE_PER_HOUSEHOLD):
                name = SURNAMES[n % len(SURNAMES)] + GIVEN_NAMES[(n // 7) % len(GIVEN_NAMES)]
                people.append(Person(community=community, household=household, name=name))
                n += 1
        do_bulk_create_people(people, by=None)
    PersonFactory(
        household=HouseholdFactory(building=home, unit=2, room="601"),
        name="王秀英",
        phone=valid_mobile(30005678),
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


@pytest.fixture
def no_seqscan() -> Iterator[None]:
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        for kind in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{kind} = off")
        yield


def plan(user: User, query: str) -> str:
    people = search_people(
        Person.objects.restrict(user).select_related("household__building"), query
    )
    sql, params = people.query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return "\n".join(row[-1] for row in cursor.fetchall())
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def full_scans_of_people(text: str) -> list[str]:
    """Lines of a plan that read the person table (or the name grams) whole."""
    if connection.vendor == "sqlite":
        return re.findall(r"^SCAN registry_person\b.*$", text, re.MULTILINE)
    return re.findall(r"Seq Scan on registry_person\b.*$", text, re.MULTILINE)


#: A search of the user's communities' rows through an index led by community_id.
IN_SCOPE = {
    "sqlite": r"SEARCH U0 USING (COVERING )?INDEX \w+ \(community_id=\?",
    "postgresql": r"Index Cond: \(community_id = ",
}

#: Each kind of search, and the index that must serve it on each database.
CASES = [
    (
        "王秀英",
        "name (three characters)",
        {"sqlite": "registry_person_name_gram", "postgresql": "person_name_trgm_idx"},
    ),
    (
        "秀英",
        "name (two characters)",
        {"sqlite": "registry_person_name_gram", "postgresql": "person_name_trgm_idx"},
    ),
    (
        "王",
        "surname",
        {"sqlite": "registry_person_name_gram", "postgresql": "person_name_trgm_idx"},
    ),
    ("wxy", "initials", {"sqlite": "name_initials", "postgresql": "name_initials"}),
    ("wangxiu", "pinyin", {"sqlite": "name_pinyin", "postgresql": "name_pinyin"}),
    (
        "5678",
        "phone's last four",
        {"sqlite": "phone_last4_index", "postgresql": "phone_last4_index"},
    ),
    # An address: from the building's number or from the room, whichever the planner prefers.
    (
        "东园1号楼2单元601室",
        "address as printed",
        {"sqlite": "building_number_idx", "postgresql": "building_number_idx|household_room_idx"},
    ),
    (
        "1-2-601",
        "address, short",
        {"sqlite": "building_number_idx", "postgresql": "building_number_idx|household_room_idx"},
    ),
    ("601", "room", {"sqlite": "household_room_idx", "postgresql": "household_room_idx"}),
    (
        "-- --",
        "punctuation",
        {"sqlite": "household_number_idx", "postgresql": "household_number_idx"},
    ),
]


@pytest.mark.parametrize(("query", "kind", "index"), CASES, ids=[c[1] for c in CASES])
def test_each_search_reads_through_an_index_not_the_whole_person_table(
    registry: None,
    officer_a: User,
    district_official: User,
    no_seqscan: None,
    query: str,
    kind: str,
    index: dict[str, str],
) -> None:
    for user in (officer_a, district_official):
        text = plan(user, query)
        assert full_scans_of_people(text) == [], f"{kind}:\n{text}"
        # The branch's own index, or the user's communities through restrict()'s indexed
        # community_id, which the planner may prefer on a small table: bounded either way.
        served = f"{index[connection.vendor]}|{IN_SCOPE[connection.vendor]}"
        assert re.search(served, text), f"{kind}:\n{text}"


def test_the_search_finds_what_the_plans_are_for(registry: None, officer_a: User) -> None:
    people = Person.objects.restrict(officer_a)
    for query in ("王秀英", "秀英", "wxy", "5678", "东园1号楼2单元601室", "1-2-601"):
        assert "王秀英" in [p.name for p in search_people(people, query)], query
