"""The registry API (/api/v1/): paging, filters, search, writes through services, scope,
token auth, masking, and the query counts of its lists.

Personas come from the root conftest; rows from the registry factories. Requests run in the
default language (Chinese), so error messages are compared with the Chinese catalogue.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from fangkong.accounts.models import ApiToken
from fangkong.core.api import hash_token
from fangkong.core.choices import AccessKind
from fangkong.core.models import AccessEvent, ObjectChange
from fangkong.registry.choices import PersonStatus, PersonTag, Residency
from fangkong.registry.models import Building, Household, Person
from fangkong.registry.services import do_bulk_create_people
from fangkong.registry.tests.factories import (
    BuildingFactory,
    HouseholdFactory,
    PersonFactory,
    valid_id_number,
    valid_mobile,
)

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
ID_NUMBER = valid_id_number()  # 210112 19900307 01x
PHONE = valid_mobile(12345678)  # 13812345678
PEOPLE = reverse("api:person-list")
BUILDINGS = reverse("api:building-list")
HOUSEHOLDS = reverse("api:household-list")
AREAS = reverse("api:area-list")


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


def person_url(person: Person, action: str = "detail") -> str:
    return reverse(f"api:person-{action}", args=[person.pk])


def send(
    client: Client, method: str, url: str, data: dict[str, Any] | None = None, **headers: Any
) -> Any:
    """A JSON request (the test client encodes dicts as JSON for this content type)."""
    return getattr(client, method)(url, data or {}, content_type="application/json", **headers)


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.content[:500]
    return sorted(row["name"] for row in response.json()["results"])


@pytest.fixture
def building_a1(grid_a1: Any, community_a: Any) -> Building:
    return BuildingFactory(grid=grid_a1, community=community_a, number="3", name="三号楼")


@pytest.fixture
def household_a1(building_a1: Building) -> Household:
    return HouseholdFactory(building=building_a1, unit=1, room="301")


@pytest.fixture
def household_a2(grid_a2: Any, community_a: Any) -> Household:
    building = BuildingFactory(grid=grid_a2, community=community_a, number="7")
    return HouseholdFactory(building=building, unit=1, room="701")


@pytest.fixture
def person_a1(household_a1: Household) -> Person:
    return PersonFactory(household=household_a1, name="王秀英", id_number=ID_NUMBER, phone=PHONE)


@pytest.fixture
def person_b1(grid_b1: Any) -> Person:
    return PersonFactory(
        household=HouseholdFactory(building=BuildingFactory(grid=grid_b1)), name="赵敏"
    )


@pytest.fixture
def officer(client: Client, officer_a: Any) -> Client:
    client.force_login(officer_a)
    return client


# --- Paging ---------------------------------------------------------------------------------


def test_a_list_is_paged_with_count_next_previous_and_results(
    officer: Client, household_a1: Household
) -> None:
    for name in ("甲一", "甲二", "甲三"):
        PersonFactory(household=household_a1, name=name)

    first = officer.get(PEOPLE, {"page_size": 2}).json()
    second = officer.get(first["next"]).json()

    assert list(first) == ["count", "count_capped", "next", "previous", "results"]
    assert (first["count"], len(first["results"]), first["previous"]) == (3, 2, None)
    assert (len(second["results"]), second["next"]) == (1, None)
    assert second["previous"] is not None


def test_a_page_holds_at_most_500_rows(officer: Client, community_a: Any) -> None:
    do_bulk_create_people(
        [Person(community=community_a, name=f"居民{n}") for n in range(501)], by=None
    )

    body = officer.get(PEOPLE, {"page_size": 1000}).json()

    assert (body["count"], len(body["results"])) == (501, 500)
    assert body["next"] is not None


def test_a_page_past_the_last_is_not_found_in_the_error_shape(
    officer: Client, person_a1: Person
) -> None:
    response = officer.get(PEOPLE, {"page": 9})

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# --- Filters --------------------------------------------------------------------------------


def test_the_area_filter_takes_a_subtree_of_the_tree(
    officer: Client,
    person_a1: Person,
    household_a2: Household,
    grid_a1: Any,
    grid_a2: Any,
    community_a: Any,
    street: Any,
) -> None:
    PersonFactory(household=household_a2, name="李强")
    without_household = PersonFactory(household=None, community=community_a, name="孙丽")

    assert names(officer.get(PEOPLE, {"area": grid_a1.pk})) == ["王秀英"]
    assert names(officer.get(PEOPLE, {"area": grid_a2.pk})) == ["李强"]
    assert names(officer.get(PEOPLE, {"area": community_a.pk})) == sorted(
        ["王秀英", "李强", without_household.name]
    )
    assert len(names(officer.get(PEOPLE, {"area": street.pk}))) == 3
    assert names(officer.get(PEOPLE, {"area": 999_999})) == []


def test_the_area_filter_shows_nothing_of_another_community(
    officer: Client, person_a1: Person, person_b1: Person, community_b: Any
) -> None:
    assert names(officer.get(PEOPLE, {"area": community_b.pk})) == []


def test_people_are_filtered_by_building_grid_residency_and_status(
    officer: Client, person_a1: Person, household_a2: Household, grid_a2: Any
) -> None:
    tenant = PersonFactory(household=household_a2, name="李强", residency=Residency.TENANT)
    gone = PersonFactory(household=household_a2, name="刘军")
    Person.objects.filter(pk=gone.pk).update(status=PersonStatus.MOVED_OUT)

    building = person_a1.household.building_id
    assert names(officer.get(PEOPLE, {"building": building})) == ["王秀英"]
    assert names(officer.get(PEOPLE, {"grid": grid_a2.pk})) == ["刘军", "李强"]
    assert names(officer.get(PEOPLE, {"residency": "tenant"})) == [tenant.name]
    assert names(officer.get(PEOPLE, {"active": "true"})) == ["李强", "王秀英"]
    assert names(officer.get(PEOPLE, {"active": "false"})) == ["刘军"]
    assert names(officer.get(PEOPLE, {"status": "moved_out"})) == ["刘军"]
    # Unlike the page, an unfiltered list holds every status.
    assert len(names(officer.get(PEOPLE))) == 3


def test_the_tags_filter_takes_codes_separated_by_commas_and_wants_all_of_them(
    officer: Client, household_a1: Household
) -> None:
    PersonFactory(household=household_a1, name="老兵", tags=[PersonTag.VETERAN])
    PersonFactory(
        household=household_a1, name="独居老兵", tags=[PersonTag.VETERAN, PersonTag.ELDERLY_ALONE]
    )

    assert names(officer.get(PEOPLE, {"tags": "veteran"})) == ["独居老兵", "老兵"]
    assert names(officer.get(PEOPLE, {"tags": "veteran,elderly_alone"})) == ["独居老兵"]


def test_an_unknown_filter_value_is_a_400_naming_the_filter(
    officer: Client, person_a1: Person
) -> None:
    for params, field in (
        ({"tags": "veteran,astronaut"}, "tags"),
        ({"residency": "martian"}, "residency"),
    ):
        response = officer.get(PEOPLE, params)

        assert response.status_code == 400
        body = response.json()
        assert (body["code"], list(body["fields"])) == ("invalid", [field])


@pytest.mark.parametrize("params", [{"building": "abc"}, {"area": "1.5"}, {"grid": "-"}])
def test_an_id_filter_takes_whole_numbers_only(
    officer: Client, person_a1: Person, params: dict[str, str]
) -> None:
    response = officer.get(PEOPLE, params)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == list(params)


def test_areas_are_those_of_the_callers_part_of_the_tree(
    client: Client,
    officer_a: Any,
    grid_worker_a1: Any,
    community_a: Any,
    grid_a1: Any,
    grid_a2: Any,
    grid_b1: Any,
) -> None:
    client.force_login(officer_a)

    def codes(params: dict[str, Any]) -> list[str]:
        return [a["code"] for a in client.get(AREAS, params).json()["results"]]

    assert codes({}) == [community_a.code, grid_a1.code, grid_a2.code]
    assert codes({"level": "grid"}) == [grid_a1.code, grid_a2.code]
    assert codes({"parent": community_a.pk, "search": grid_a2.name}) == [grid_a2.code]
    assert client.get(reverse("api:area-detail", args=[grid_b1.pk])).status_code == 404
    client.force_login(grid_worker_a1)
    assert codes({}) == [grid_a1.code]


def test_buildings_and_households_are_filtered_by_area_and_searched_by_number(
    officer: Client, household_a1: Household, household_a2: Household, grid_a1: Any
) -> None:
    building_list = officer.get(BUILDINGS, {"area": grid_a1.pk}).json()["results"]
    assert [b["number"] for b in building_list] == ["3"]
    for query in ("3", "03", "3号楼", "3栋", "三号"):
        found = officer.get(BUILDINGS, {"search": query}).json()["results"]
        assert [b["number"] for b in found] == ["3"], query

    assert [h["room"] for h in officer.get(HOUSEHOLDS, {"search": "701"}).json()["results"]] == [
        "701"
    ]
    assert [
        h["room"] for h in officer.get(HOUSEHOLDS, {"search": "3-1-301"}).json()["results"]
    ] == ["301"]
    by_building = officer.get(HOUSEHOLDS, {"building": household_a2.building_id}).json()
    assert [h["room"] for h in by_building["results"]] == ["701"]


# --- Search ---------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["王秀", "wangxiu", "wxy", "5678", "301"])
def test_search_finds_a_person_by_what_workers_type(
    officer: Client, person_a1: Person, query: str
) -> None:
    neighbour = HouseholdFactory(building=person_a1.household.building, room="302")
    PersonFactory(household=neighbour, name="李强", phone=valid_mobile(11110000))

    assert names(officer.get(PEOPLE, {"search": query})) == ["王秀英"]


def test_search_by_initials_zs_finds_zhang_san(officer: Client, household_a1: Household) -> None:
    PersonFactory(household=household_a1, name="张三")
    PersonFactory(household=household_a1, name="李四")

    assert names(officer.get(PEOPLE, {"search": "zs"})) == ["张三"]
    assert names(officer.get(PEOPLE, {"search": "zhangsan"})) == ["张三"]


SEARCH = reverse("api:person-search")


@pytest.mark.parametrize(
    "query",
    [
        ID_NUMBER,
        ID_NUMBER.lower(),
        PHONE,
        "138 1234 5678",
        "138-1234-5678",
        "+8613812345678",
        "１３８１２３４５６７８",
        f"王秀英{PHONE}",
        "024-23456789",
    ],
)
def test_a_whole_id_number_or_phone_in_a_list_s_url_is_refused_pointing_to_the_post_route(
    officer: Client, person_a1: Person, query: str
) -> None:
    # A URL is kept by every access log on its way: the number must be posted instead.
    response = officer.get(PEOPLE, {"search": query})

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], list(body["fields"])) == ("invalid", ["search"])
    assert "/api/v1/people/search/" in body["message"]
    assert CJK.search(body["message"])
    assert query not in response.content.decode()
    assert not AccessEvent.objects.exists()


@pytest.mark.parametrize("url", [BUILDINGS, HOUSEHOLDS, AREAS, reverse("api:task-list")])
def test_every_api_route_refuses_a_phone_in_any_query_parameter(officer: Client, url: str) -> None:
    response = officer.get(url, {"search": PHONE, "page": "1"})

    assert response.status_code == 400
    assert response.json()["fields"] == {"search": [response.json()["message"]]}


@pytest.mark.parametrize("query", ["5678", "301", "2020-02-01", "1号楼", "13812345"])
def test_harmless_numbers_in_a_url_are_not_mistaken_for_a_phone(
    officer: Client, person_a1: Person, query: str
) -> None:
    assert officer.get(PEOPLE, {"search": query}).status_code == 200


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"id_number": ID_NUMBER.lower()}, ["王秀英"]),
        ({"id_number": ID_NUMBER[:6] + " " + ID_NUMBER[6:]}, ["王秀英"]),
        ({"phone": PHONE}, ["王秀英"]),
        ({"phone": "138 1234 5678"}, ["王秀英"]),
        ({"phone": "13900000000"}, []),
    ],
)
def test_the_search_route_finds_people_by_a_posted_id_number_or_phone(
    officer: Client,
    officer_a: Any,
    person_a1: Person,
    person_b1: Person,
    body: dict[str, str],
    expected: list[str],
) -> None:
    response = send(officer, "post", SEARCH, body)

    assert names(response) == expected
    assert list(response.json()) == ["count", "count_capped", "next", "previous", "results"]
    assert ID_NUMBER not in response.content.decode()
    assert PHONE not in response.content.decode()
    # Each search is an access event naming the kind of number, never the number
    event = AccessEvent.objects.get(kind=AccessKind.SEARCH, actor=officer_a)
    assert event.detail == {"by": next(iter(body))}
    assert ID_NUMBER not in json.dumps(event.detail)


def test_the_search_route_sees_only_the_searcher_s_area(
    client: Client, grid_worker_a2: Any, person_a1: Person
) -> None:
    client.force_login(grid_worker_a2)

    assert names(send(client, "post", SEARCH, {"id_number": ID_NUMBER})) == []


def test_the_search_route_applies_the_list_s_filters(officer: Client, person_a1: Person) -> None:
    Person.objects.filter(pk=person_a1.pk).update(status=PersonStatus.MOVED_OUT)

    assert names(send(officer, "post", f"{SEARCH}?active=true", {"phone": PHONE})) == []
    assert names(send(officer, "post", f"{SEARCH}?active=false", {"phone": PHONE})) == ["王秀英"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "non_field_errors"),
        ({"id_number": ID_NUMBER, "phone": PHONE}, "non_field_errors"),
        ({"id_number": "王秀英"}, "id_number"),
        ({"id_number": PHONE}, "id_number"),
        ({"phone": "5678"}, "phone"),
        ({"phone": ID_NUMBER}, "phone"),
    ],
)
def test_the_search_route_refuses_anything_but_one_whole_number(
    officer: Client, body: dict[str, str], field: str
) -> None:
    response = send(officer, "post", SEARCH, body)

    assert response.status_code == 400
    assert list(response.json()["fields"]) == [field]
    assert CJK.search(response.json()["message"])
    assert not AccessEvent.objects.exists()


def test_the_search_route_is_for_roles_that_see_people(
    client: Client, checkpoint_a: Any, person_a1: Person
) -> None:
    client.force_login(checkpoint_a)

    assert send(client, "post", SEARCH, {"id_number": ID_NUMBER}).status_code == 403
    client.logout()
    assert send(client, "post", SEARCH, {"id_number": ID_NUMBER}).status_code == 401


# --- Writes ---------------------------------------------------------------------------------


def test_an_officer_creates_a_person_and_gets_masks_back(
    officer: Client, officer_a: Any, household_a1: Household
) -> None:
    response = send(
        officer,
        "post",
        PEOPLE,
        {
            "household": household_a1.pk,
            "name": "赵丽",
            "id_number": ID_NUMBER,
            "phone": PHONE,
            "tags": ["veteran"],
            "residency": "tenant",
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id_number"] == ID_NUMBER[:6] + "********" + ID_NUMBER[-4:]
    assert body["phone"] == "138****5678"
    assert (body["sex"], body["tags"], body["community"]) == (
        "M",
        ["veteran"],
        household_a1.community_id,
    )
    assert body["age"] is not None
    assert "birth_date" not in body
    person = Person.objects.get(pk=body["id"])
    change = ObjectChange.objects.get(person_id=person.pk, action="create")
    assert change.actor == officer_a


def test_a_wrong_check_digit_is_a_400_with_a_chinese_message_on_the_id_number(
    officer: Client, household_a1: Household
) -> None:
    bad = ID_NUMBER[:17] + ("1" if ID_NUMBER[17] != "1" else "2")

    response = send(
        officer, "post", PEOPLE, {"household": household_a1.pk, "name": "赵丽", "id_number": bad}
    )

    assert response.status_code == 400
    body = response.json()
    message = zh("The check digit of this ID number is wrong; please check each digit.")
    assert body == {"code": "invalid", "message": message, "fields": {"id_number": [message]}}
    assert CJK.search(body["message"])
    assert not Person.objects.filter(name="赵丽").exists()


def test_a_duplicate_id_number_is_a_400_on_the_id_number(
    officer: Client, person_a1: Person
) -> None:
    response = send(
        officer,
        "post",
        PEOPLE,
        {"household": person_a1.household_id, "name": "王芳", "id_number": ID_NUMBER},
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["id_number"]


def test_a_masked_number_cannot_be_saved_but_sending_back_the_read_mask_keeps_it(
    officer: Client, person_a1: Person
) -> None:
    read = officer.get(person_url(person_a1)).json()

    kept = send(officer, "put", person_url(person_a1), {**read, "name": "王秀兰"})
    other_mask = send(officer, "patch", person_url(person_a1), {"phone": "139****0000"})

    assert kept.status_code == 200, kept.content
    assert kept.json()["id_number"] == read["id_number"]
    assert other_mask.status_code == 400
    assert list(other_mask.json()["fields"]) == ["phone"]
    stored = Person.objects.get(pk=person_a1.pk)
    assert (stored.name, stored.id_number_index, stored.phone_index) == (
        "王秀兰",
        person_a1.id_number_index,
        person_a1.phone_index,
    )


def test_an_update_with_a_stale_version_is_a_409_with_the_current_version(
    officer: Client, person_a1: Person
) -> None:
    first = send(officer, "patch", person_url(person_a1), {"name": "王秀兰", "version": 1})
    stale = send(officer, "patch", person_url(person_a1), {"name": "王秀芳", "version": 1})

    assert (first.status_code, first.json()["version"]) == (200, 2)
    assert stale.status_code == 409
    assert (stale.json()["code"], stale.json()["current_version"]) == ("conflict", 2)
    assert Person.objects.get(pk=person_a1.pk).name == "王秀兰"


def test_a_grid_worker_adds_people_to_their_grid_only(
    client: Client,
    grid_worker_a1: Any,
    household_a1: Household,
    household_a2: Household,
    community_a: Any,
) -> None:
    client.force_login(grid_worker_a1)

    own = send(client, "post", PEOPLE, {"household": household_a1.pk, "name": "周杰"})
    other_grid = send(client, "post", PEOPLE, {"household": household_a2.pk, "name": "周杰"})
    no_household = send(client, "post", PEOPLE, {"community": community_a.pk, "name": "周杰"})

    assert own.status_code == 201
    # Another grid's household is refused as if it did not exist.
    assert other_grid.status_code == 400
    assert list(other_grid.json()["fields"]) == ["household"]
    assert no_household.status_code == 403
    assert Person.objects.filter(name="周杰").count() == 1


def test_an_officer_creates_and_changes_a_building_and_a_household(
    officer: Client, community_a: Any, grid_a1: Any
) -> None:
    building = send(
        officer,
        "post",
        BUILDINGS,
        {
            "community": community_a.pk,
            "grid": grid_a1.pk,
            "number": "12",
            "units": 2,
            "floors": 6,
            "name": "十二号楼",
        },
    )
    assert building.status_code == 201, building.content
    household = send(
        officer,
        "post",
        HOUSEHOLDS,
        {
            "building": building.json()["id"],
            "unit": 2,
            "room": "602",
            "phone": "024-23456789",
        },
    )
    assert household.status_code == 201, household.content
    assert household.json()["phone"] == "024-****6789"
    PersonFactory(household=Household.objects.get(pk=household.json()["id"]))

    changed = send(
        officer,
        "patch",
        reverse("api:building-detail", args=[building.json()["id"]]),
        {"section": "北院", "version": 1},
    )

    assert changed.status_code == 200, changed.content
    assert (changed.json()["section"], changed.json()["version"]) == ("北院", 2)
    assert (changed.json()["household_count"], changed.json()["resident_count"]) == (1, 1)
    again = send(officer, "post", BUILDINGS, {"community": community_a.pk, "number": "12"})
    assert again.status_code == 400
    assert Building.objects.filter(number="12").count() == 1


def test_a_building_cannot_move_to_another_community(
    officer: Client, building_a1: Building, community_b: Any
) -> None:
    response = send(
        officer,
        "patch",
        reverse("api:building-detail", args=[building_a1.pk]),
        {"community": community_b.pk},
    )

    assert response.status_code == 400
    assert list(response.json()["fields"]) == ["community"]


def test_a_person_is_deactivated_with_a_status_date_and_reason(
    officer: Client, person_a1: Person
) -> None:
    url = person_url(person_a1, "deactivate")

    missing = send(officer, "post", url, {"status": "moved_out"})
    done = send(
        officer, "post", url, {"status": "moved_out", "date": "2020-02-01", "reason": "搬到外地"}
    )

    assert missing.status_code == 400
    assert set(missing.json()["fields"]) == {"date", "reason"}
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["is_active"]) == ("moved_out", False)
    assert Person.objects.get(pk=person_a1.pk).status_date == dt.date(2020, 2, 1)


def test_there_is_no_delete(officer: Client, person_a1: Person) -> None:
    assert officer.delete(person_url(person_a1)).status_code == 405
    assert Person.objects.filter(pk=person_a1.pk).exists()


# --- Reveal ---------------------------------------------------------------------------------


def test_a_reveal_with_a_reason_answers_the_numbers_uncached_and_is_logged(
    officer: Client, officer_a: Any, person_a1: Person
) -> None:
    response = send(officer, "post", person_url(person_a1, "reveal"), {"reason": "核实身份"})

    assert response.status_code == 200
    assert response.json() == {"id_number": ID_NUMBER, "phone": PHONE}
    assert "no-store" in response["Cache-Control"]
    event = AccessEvent.objects.get(kind=AccessKind.REVEAL, actor=officer_a)
    assert (event.person_id, event.reason) == (person_a1.pk, "核实身份")


def test_a_reveal_needs_a_reason_the_right_and_the_scope(
    client: Client, officer_a: Any, grid_worker_a1: Any, officer_b: Any, person_a1: Person
) -> None:
    url = person_url(person_a1, "reveal")
    client.force_login(officer_a)
    assert send(client, "post", url, {}).status_code == 400
    assert send(client, "post", url, {"reason": " "}).status_code == 400
    client.force_login(grid_worker_a1)
    assert send(client, "post", url, {"reason": "想看看"}).status_code == 403
    client.force_login(officer_b)
    assert send(client, "post", url, {"reason": "想看看"}).status_code == 404
    assert not AccessEvent.objects.filter(kind=AccessKind.REVEAL).exists()


# --- Scope and rights -----------------------------------------------------------------------


def test_another_communitys_rows_are_not_found(
    client: Client, officer_b: Any, person_a1: Person
) -> None:
    client.force_login(officer_b)
    household, building = person_a1.household, person_a1.household.building

    for url in (
        person_url(person_a1),
        reverse("api:household-detail", args=[household.pk]),
        reverse("api:building-detail", args=[building.pk]),
    ):
        assert client.get(url).status_code == 404
        response = send(client, "patch", url, {"notes": "x"})
        assert response.status_code == 404
        assert response.json() == {"code": "not_found", "message": zh("Not found."), "fields": {}}
    assert client.get(PEOPLE).json()["count"] == 0


def test_a_district_official_reads_but_may_not_create(
    client: Client, district_official: Any, person_a1: Person
) -> None:
    client.force_login(district_official)

    assert names(client.get(PEOPLE)) == ["王秀英"]
    response = send(client, "post", PEOPLE, {"household": person_a1.household_id, "name": "周杰"})

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert CJK.search(response.json()["message"])
    assert send(client, "patch", person_url(person_a1), {"name": "x"}).status_code == 403


# --- Authentication -------------------------------------------------------------------------


def _token(user: Any, key: str = "a-test-token-of-enough-length-0123456789") -> str:
    ApiToken.objects.create(user=user, key_hash=hash_token(key), prefix=key[:8])
    return key


def test_a_bearer_token_authenticates_reads_and_writes_without_csrf(
    officer_a: Any, household_a1: Household
) -> None:
    client = Client(enforce_csrf_checks=True)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {_token(officer_a)}"}

    listed = client.get(PEOPLE, **auth)
    created = send(client, "post", PEOPLE, {"household": household_a1.pk, "name": "周杰"}, **auth)

    assert listed.status_code == 200
    assert created.status_code == 201, created.content
    assert ObjectChange.objects.get(person_id=created.json()["id"]).actor == officer_a


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", "Bearer", "Basic abc"])
def test_no_or_a_wrong_token_is_a_401_in_the_error_shape(
    client: Client, officer_a: Any, header: str | None
) -> None:
    _token(officer_a)
    headers = {"HTTP_AUTHORIZATION": header} if header else {}

    response = client.get(PEOPLE, **headers)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    body = response.json()
    assert (body["code"], body["fields"]) == ("not_authenticated", {})
    assert CJK.search(body["message"])


def test_session_writes_need_the_csrf_token(officer_a: Any, household_a1: Household) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer_a)

    response = send(client, "post", PEOPLE, {"household": household_a1.pk, "name": "周杰"})

    assert response.status_code == 403
    assert not Person.objects.filter(name="周杰").exists()


# --- The canary -----------------------------------------------------------------------------

CANARY_ID = valid_id_number(birth=dt.date(1971, 5, 23), sex="F", area="210112", seq=484)
CANARY_PHONE = "13987650322"


def test_a_canary_written_through_the_api_comes_back_only_from_the_reveal(
    officer: Client, household_a1: Household
) -> None:
    # Given a person created through the API with the canary
    created = send(
        officer,
        "post",
        PEOPLE,
        {
            "household": household_a1.pk,
            "name": "钱七",
            "id_number": CANARY_ID,
            "phone": CANARY_PHONE,
        },
    )
    assert created.status_code == 201
    url = person_url(Person.objects.get(pk=created.json()["id"]))
    # When it is changed, listed, read and searched for in every way
    changed = send(officer, "patch", url, {"phone": CANARY_PHONE, "notes": "核对"})
    answers = [
        created,
        changed,
        officer.get(url),
        officer.get(PEOPLE),
        officer.get(HOUSEHOLDS),
        officer.get(BUILDINGS),
    ]
    for query in (CANARY_PHONE[-4:], "钱"):
        found = officer.get(PEOPLE, {"search": query})
        assert names(found) == ["钱七"], query
        answers.append(found)
    for body in ({"id_number": CANARY_ID}, {"phone": CANARY_PHONE}):
        found = send(officer, "post", reverse("api:person-search"), body)
        assert names(found) == ["钱七"], body
        answers.append(found)
    # Then no answer holds it in plaintext, nor do the audit rows
    for response in answers:
        text = response.content.decode()
        assert CANARY_ID not in text, response.request
        assert CANARY_PHONE not in text, response.request
    audit = [f"{c.before} {c.after} {c.object_repr}" for c in ObjectChange.objects.all()]
    audit += [f"{e.detail} {e.reason} {e.object_repr}" for e in AccessEvent.objects.all()]
    assert not [row for row in audit if CANARY_ID in row or CANARY_PHONE in row]
    # And only the reveal gives it back
    revealed = send(officer, "post", f"{url}reveal/", {"reason": "核实身份"})
    assert revealed.json() == {"id_number": CANARY_ID, "phone": CANARY_PHONE}


# --- Query counts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    # Areas are scoped by id: the ids of the areas below the user's are one more query.
    [(PEOPLE, 5), (HOUSEHOLDS, 5), (BUILDINGS, 5), (AREAS, 6)],
)
def test_a_list_costs_the_same_queries_for_more_rows(
    officer: Client,
    household_a1: Household,
    url: str,
    expected: int,
    django_assert_num_queries: Any,
) -> None:
    # Queries: session, user, the user's area (scope), count, the page.
    PersonFactory(household=household_a1, tags=[PersonTag.VETERAN])
    with django_assert_num_queries(expected):
        assert officer.get(url).status_code == 200

    for _ in range(4):
        building = BuildingFactory(
            grid=household_a1.building.grid, community=household_a1.community
        )
        PersonFactory(household=HouseholdFactory(building=building), tags=[PersonTag.CHRONIC])
    with django_assert_num_queries(expected):
        assert len(officer.get(url).json()["results"]) >= 5 or url == AREAS


def test_the_people_page_and_the_api_filter_through_one_filterset(
    officer: Client, person_a1: Person, household_a2: Household
) -> None:
    from fangkong.registry.api import PersonViewSet
    from fangkong.registry.views import PersonListView

    assert PersonListView.filterset_class is PersonViewSet.filterset_class
    gone = PersonFactory(household=household_a2, name="刘军", residency=person_a1.residency)
    Person.objects.filter(pk=gone.pk).update(status=PersonStatus.MOVED_OUT)
    page = officer.get(reverse("registry:person_list"), {"residency": person_a1.residency})
    # The page's default (active people) is the page's: the API's same query has every status.
    assert "刘军" not in page.content.decode()
    api = names(officer.get(PEOPLE, {"residency": person_a1.residency}))
    assert "刘军" in api
    assert "王秀英" in api
    assert "王秀英" in page.content.decode()
