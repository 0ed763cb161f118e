"""The registry pages: community → building → household → person, as the roles use them.

Personas (``officer_a``, ``grid_worker_a1``…) come from the root conftest; registry rows from
``fangkong/registry/tests/factories.py``. Requests run in the default language (Chinese);
expected messages are looked up in the Chinese catalogue rather than written out here.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from fangkong.accounts.choices import Role
from fangkong.accounts.tests.factories import UserFactory
from fangkong.core.choices import AccessKind
from fangkong.core.models import AccessEvent
from fangkong.core.personal_data import mask_id_number
from fangkong.core.tests.helpers import person_form_data
from fangkong.registry.choices import PersonStatus, PersonTag
from fangkong.registry.models import Building, Person
from fangkong.registry.stats import registry_figures
from fangkong.registry.tests.factories import (
    BuildingFactory,
    HouseholdFactory,
    PersonFactory,
    valid_id_number,
    valid_mobile,
)

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")
ID_NUMBER = valid_id_number()  # 210112 19900307 01x: the birth date sits in the middle
PHONE = valid_mobile(12345678)  # 13812345678


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


@pytest.fixture
def household_a1(grid_a1: Any, community_a: Any) -> Any:
    building = BuildingFactory(grid=grid_a1, community=community_a, number="3", name="三号楼")
    return HouseholdFactory(building=building, unit=1, room="301")


@pytest.fixture
def person_a1(household_a1: Any) -> Person:
    return PersonFactory(household=household_a1, name="王秀英", id_number=ID_NUMBER, phone=PHONE)


# --- Adding and editing people --------------------------------------------------------------


def test_a_wrong_check_digit_shows_the_chinese_error_on_the_id_number_field(
    client: Any, officer_a: Any, household_a1: Any
) -> None:
    # Given an officer adding a person with one digit mistyped
    client.force_login(officer_a)
    good = valid_id_number()
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    url = reverse("registry:person_add", args=[household_a1.pk])

    # When they save
    response = client.post(
        url,
        person_form_data(household=household_a1.pk, id_number=bad),
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    # Then the form comes back with the error, in Chinese, on the ID number field
    assert response.status_code == 200
    expected = zh("The check digit of this ID number is wrong; please check each digit.")
    assert CJK.search(expected), "the Chinese catalogue lacks this message"
    assert response.context["form"].errors["id_number"] == [expected]
    assert expected in response.content.decode()
    # And what they typed is not put back in full, only its mask to retype it; nothing saved
    assert bad not in response.content.decode()
    assert mask_id_number(bad) in response.content.decode()
    assert not Person.objects.filter(name="赵丽").exists()


def test_an_officer_adds_a_person_and_lands_on_their_page(
    client: Any, officer_a: Any, household_a1: Any
) -> None:
    client.force_login(officer_a)
    response = client.post(
        reverse("registry:person_add", args=[household_a1.pk]),
        person_form_data(
            household=household_a1.pk,
            id_number=ID_NUMBER,
            phone=PHONE,
            tags=[PersonTag.ELDERLY_ALONE],
        ),
    )
    person = Person.objects.get(name="赵丽")
    assert response.status_code == 302
    assert response["Location"] == person.get_absolute_url()
    assert person.household == household_a1
    assert person.tag_list == [PersonTag.ELDERLY_ALONE]
    assert person.id_number_mask == "210112********" + ID_NUMBER[-4:]


def test_the_second_of_two_concurrent_editors_gets_a_conflict_and_keeps_their_input(
    client: Any, officer_a: Any, community_a: Any, person_a1: Person
) -> None:
    # Given two officers who opened the same person's form (version 1)
    colleague = UserFactory(role=Role.COMMUNITY_OFFICER, area=community_a)
    url = reverse("registry:person_edit", args=[person_a1.pk])
    client.force_login(officer_a)
    assert client.get(url).context["form"]["version"].value() == person_a1.version
    stale_version = person_a1.version

    # When the first saves a change
    client.force_login(colleague)
    first = client.post(url, person_form_data(person_a1, notes="第一位的备注"))
    assert first.status_code == 302

    # And the second submits their own change on the stale version
    client.force_login(officer_a)
    second_input = person_form_data(
        person_a1, name="王秀英改", notes="第二位的备注", version=stale_version
    )
    response = client.post(url, second_input)

    # Then they see the conflict message, with their input still in the form
    assert response.status_code == 200
    form = response.context["form"]
    assert form.non_field_errors() == [
        zh(
            "Someone else changed this record while you were editing it. Your input is shown "
            "again below; check the current values and save again."
        )
    ]
    html = response.content.decode()
    assert 'value="王秀英改"' in html
    assert "第二位的备注" in html
    # And the first change is intact
    person_a1.refresh_from_db()
    assert (person_a1.name, person_a1.notes) == ("王秀英", "第一位的备注")

    # When they save again from the re-shown form (it now carries the current version)
    second_input["version"] = form["version"].value()
    assert client.post(url, second_input).status_code == 302
    person_a1.refresh_from_db()
    assert (person_a1.name, person_a1.notes) == ("王秀英改", "第二位的备注")


def test_blank_id_number_and_phone_keep_the_stored_values(
    client: Any, officer_a: Any, person_a1: Person
) -> None:
    client.force_login(officer_a)
    url = reverse("registry:person_edit", args=[person_a1.pk])
    response = client.post(url, person_form_data(person_a1, notes="改了备注"))
    assert response.status_code == 302
    person = Person.objects.get(pk=person_a1.pk)
    assert person.id_number_index == person_a1.id_number_index
    assert person.phone_index == person_a1.phone_index
    assert person.birth_date == person_a1.birth_date


# --- Personal data --------------------------------------------------------------------------


def test_pages_show_masks_never_the_id_number_phone_or_birth_date(
    client: Any, officer_a: Any, person_a1: Person
) -> None:
    client.force_login(officer_a)
    pages = [
        reverse("registry:person_detail", args=[person_a1.pk]),
        reverse("registry:person_edit", args=[person_a1.pk]),
        reverse("registry:household_detail", args=[person_a1.household_id]),
        reverse("registry:person_list") + "?q=王秀英",
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert person_a1.name in html, url
        assert ID_NUMBER not in html, url
        assert PHONE not in html, url
        assert "1990-03-07" not in html, url
        assert "138****5678" in html, url
    detail = client.get(pages[0]).content.decode()
    assert "210112********" + ID_NUMBER[-4:] in detail
    assert reverse("core:audit_list") + f"?person={person_a1.pk}" in detail


def test_a_reveal_with_a_reason_shows_the_numbers_once_and_is_logged(
    client: Any, officer_a: Any, person_a1: Person
) -> None:
    client.force_login(officer_a)
    url = reverse("registry:person_reveal", args=[person_a1.pk])

    response = client.post(url, {"reason": "核实身份，准备发放出入证"})

    assert response.status_code == 200
    html = response.content.decode()
    assert ID_NUMBER in html
    assert PHONE in html
    assert "no-store" in response["Cache-Control"]
    event = AccessEvent.objects.get()
    assert (event.kind, event.actor, event.person_id) == (
        AccessKind.REVEAL,
        officer_a,
        person_a1.pk,
    )
    assert event.reason == "核实身份，准备发放出入证"
    assert ID_NUMBER not in str(event.detail)


def test_a_reveal_needs_a_reason_and_a_post(client: Any, officer_a: Any, person_a1: Person) -> None:
    client.force_login(officer_a)
    url = reverse("registry:person_reveal", args=[person_a1.pk])
    assert client.get(url).status_code == 405

    response = client.post(url, {"reason": ""})

    assert response.status_code == 400
    assert response.context["reveal_form"].errors["reason"]
    assert ID_NUMBER not in response.content.decode()
    assert not AccessEvent.objects.exists()


def test_only_users_with_the_reveal_right_see_the_reveal_form(
    client: Any, officer_a: Any, grid_worker_a1: Any, health_a: Any, person_a1: Person
) -> None:
    url = reverse("registry:person_detail", args=[person_a1.pk])
    reveal_url = reverse("registry:person_reveal", args=[person_a1.pk])
    for user, sees_form in ((officer_a, True), (health_a, True), (grid_worker_a1, False)):
        client.force_login(user)
        assert (reveal_url in client.get(url).content.decode()) is sees_form, user
    client.force_login(grid_worker_a1)
    assert client.post(reveal_url, {"reason": "想看看"}).status_code == 403
    assert not AccessEvent.objects.exists()


def test_searching_by_id_number_uses_the_blind_index_and_is_logged(
    client: Any, officer_a: Any, person_a1: Person
) -> None:
    client.force_login(officer_a)
    response = client.post(reverse("registry:person_list"), {"q": ID_NUMBER.lower()})
    assert [p.pk for p in response.context["object_list"]] == [person_a1.pk]
    assert AccessEvent.objects.filter(kind=AccessKind.SEARCH, actor=officer_a).count() == 1


@pytest.mark.parametrize(
    "query",
    ["王秀", "wangxiu", "wxy", "5678", PHONE, "138 1234 5678", "301", "3-1-301"],
)
def test_the_search_box_finds_a_person_by_what_workers_type(
    client: Any, officer_a: Any, person_a1: Person, query: str
) -> None:
    PersonFactory(
        household=HouseholdFactory(building=person_a1.household.building),
        name="李强",
        phone=valid_mobile(11110000),
    )
    client.force_login(officer_a)
    # The search box posts; a harmless query is sent on to the list's URL.
    response = client.post(reverse("registry:person_list"), {"q": query}, follow=True)
    assert [p.name for p in response.context["object_list"]] == ["王秀英"]


@pytest.mark.parametrize("query", [ID_NUMBER, PHONE, "139 8765 0321"])
def test_a_whole_id_number_or_phone_typed_into_the_address_bar_is_refused(
    client: Any, officer_a: Any, person_a1: Person, query: str
) -> None:
    client.force_login(officer_a)
    response = client.get(reverse("registry:person_list"), {"q": query})

    assert response.status_code == 400
    page = response.content.decode()
    assert zh("Search with the search box") in page
    assert CJK.search(page)
    assert query not in page
    assert not AccessEvent.objects.exists()


def test_the_people_list_shows_active_people_unless_asked(
    client: Any, officer_a: Any, person_a1: Person
) -> None:
    gone = PersonFactory(household=person_a1.household, name="刘军")
    Person.objects.filter(pk=gone.pk).update(status=PersonStatus.MOVED_OUT)
    client.force_login(officer_a)
    url = reverse("registry:person_list")

    def names(params: dict[str, str]) -> set[str]:
        return {p.name for p in client.get(url, params).context["object_list"]}

    assert names({}) == {"王秀英"}
    assert names({"q": "刘"}) == set()
    assert names({"status": "moved_out"}) == {"刘军"}
    assert names({"status": "all"}) == {"王秀英", "刘军"}


def test_the_people_list_costs_the_same_queries_for_more_rows(
    client: Any, officer_a: Any, person_a1: Person
) -> None:
    client.force_login(officer_a)
    url = reverse("registry:person_list")
    client.get(url)  # warm the session and content types

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    few = queries()
    for _ in range(5):
        PersonFactory(
            household=HouseholdFactory(building=person_a1.household.building),
            tags=[PersonTag.VETERAN],
        )
    assert queries() == few


# --- Scope ----------------------------------------------------------------------------------


def test_a_grid_worker_sees_only_their_grids_buildings_on_the_community_page(
    client: Any, grid_worker_a1: Any, community_a: Any, grid_a1: Any, grid_a2: Any
) -> None:
    own = BuildingFactory(grid=grid_a1, community=community_a, name="一网格楼")
    other = BuildingFactory(grid=grid_a2, community=community_a, name="二网格楼")
    PersonFactory(household=HouseholdFactory(building=own))
    PersonFactory(household=HouseholdFactory(building=other))
    client.force_login(grid_worker_a1)

    response = client.get(reverse("registry:community", args=[community_a.pk]))

    assert response.status_code == 200
    assert [b.name for b in response.context["buildings"]] == ["一网格楼"]
    html = response.content.decode()
    assert "一网格楼" in html
    assert "二网格楼" not in html
    assert (response.context["total_households"], response.context["total_residents"]) == (1, 1)
    assert client.get(other.get_absolute_url()).status_code == 404


def test_the_community_page_counts_in_one_query_however_many_buildings(
    client: Any, officer_a: Any, community_a: Any, grid_a1: Any
) -> None:
    client.force_login(officer_a)
    url = reverse("registry:community", args=[community_a.pk])
    building = BuildingFactory(grid=grid_a1, community=community_a, section="北区")
    household = HouseholdFactory(building=building)
    PersonFactory(household=household)
    PersonFactory(household=household)
    client.get(url)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.context["total_residents"] >= 2
        return len(ctx.captured_queries)

    few = queries()
    for _ in range(3):
        PersonFactory(
            household=HouseholdFactory(
                building=BuildingFactory(grid=grid_a1, community=community_a, section="南区")
            )
        )
    assert queries() == few


def test_users_of_another_community_get_not_found(
    client: Any, officer_b: Any, person_a1: Person, community_a: Any
) -> None:
    client.force_login(officer_b)
    household = person_a1.household
    for url in (
        reverse("registry:community", args=[community_a.pk]),
        reverse("registry:building_detail", args=[household.building_id]),
        reverse("registry:household_detail", args=[household.pk]),
        reverse("registry:person_detail", args=[person_a1.pk]),
        reverse("registry:person_edit", args=[person_a1.pk]),
        reverse("registry:person_deactivate", args=[person_a1.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(
            reverse("registry:person_reveal", args=[person_a1.pk]), {"reason": "好奇"}
        ).status_code
        == 404
    )


def test_officials_above_the_community_see_pages_without_edit_buttons(
    client: Any, street_official: Any, person_a1: Person
) -> None:
    client.force_login(street_official)
    response = client.get(person_a1.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("registry:person_edit", args=[person_a1.pk]) not in html
    assert reverse("registry:person_reveal", args=[person_a1.pk]) not in html
    assert client.get(reverse("registry:person_edit", args=[person_a1.pk])).status_code == 403


# --- Deactivation ---------------------------------------------------------------------------


def test_deactivating_a_person_needs_a_reason(
    client: Any, officer_a: Any, person_a1: Person
) -> None:
    client.force_login(officer_a)
    url = reverse("registry:person_deactivate", args=[person_a1.pk])
    data = {
        "status": PersonStatus.MOVED_OUT,
        "date": "2020-02-01",
        "reason": "",
        "version": person_a1.version,
    }

    response = client.post(url, data)

    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == [zh("Give a reason.")]
    person_a1.refresh_from_db()
    assert person_a1.status == PersonStatus.ACTIVE

    data["reason"] = "房屋出售，迁往外地"
    response = client.post(url, data)

    assert response.status_code == 302
    person_a1.refresh_from_db()
    assert person_a1.status == PersonStatus.MOVED_OUT
    assert person_a1.status_reason == "房屋出售，迁往外地"
    # The person leaves the figures but keeps their page
    page = client.get(person_a1.get_absolute_url())
    assert page.status_code == 200
    assert reverse("registry:person_deactivate", args=[person_a1.pk]) not in page.content.decode()


# --- Reactivation ---------------------------------------------------------------------------


def _deactivated(person: Person, officer: Any) -> Person:
    from fangkong.registry.services import do_deactivate_person

    return do_deactivate_person(
        person,
        status=PersonStatus.MOVED_OUT,
        date=dt.date(2020, 2, 1),
        reason="房屋出售，迁往外地",
        by=officer,
    )


def test_a_deactivated_persons_page_brings_them_back_with_a_reason(
    client: Any, officer_a: Any, person_a1: Person
) -> None:
    moved = _deactivated(person_a1, officer_a)
    client.force_login(officer_a)
    url = reverse("registry:person_reactivate", args=[moved.pk])

    page = client.get(moved.get_absolute_url())
    assert f'action="{url}"' in page.content.decode()
    assert zh("Reactivate") in page.content.decode()

    response = client.post(url, {"reason": "", "version": moved.version})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"] == [zh("Give a reason.")]
    moved.refresh_from_db()
    assert not moved.is_active

    response = client.post(url, {"reason": "又搬回来了", "version": moved.version})
    assert response.status_code == 302
    assert response["Location"] == moved.get_absolute_url()
    moved.refresh_from_db()
    assert moved.is_active
    assert moved.status_reason == "又搬回来了"
    # Back in the registry: deactivation is offered again, reactivation no more
    html = client.get(moved.get_absolute_url()).content.decode()
    assert reverse("registry:person_deactivate", args=[moved.pk]) in html
    assert url not in html


def test_a_stale_reactivation_shows_the_form_again_with_the_conflict(
    client: Any, officer_a: Any, person_a1: Person
) -> None:
    moved = _deactivated(person_a1, officer_a)
    client.force_login(officer_a)

    response = client.post(
        reverse("registry:person_reactivate", args=[moved.pk]),
        {"reason": "又搬回来了", "version": moved.version - 1},
    )

    assert response.status_code == 400
    assert response.context["form"].non_field_errors()
    moved.refresh_from_db()
    assert not moved.is_active


@pytest.mark.parametrize("persona", ["health_a", "street_official"])
def test_reactivation_is_refused_with_its_reason_to_roles_without_the_right(
    client: Any, request: Any, officer_a: Any, person_a1: Person, persona: str
) -> None:
    from fangkong.registry.services import reactivation_refused

    moved = _deactivated(person_a1, officer_a)
    client.force_login(request.getfixturevalue(persona))
    url = reverse("registry:person_reactivate", args=[moved.pk])

    assert url not in client.get(moved.get_absolute_url()).content.decode()
    response = client.post(url, {"reason": "又搬回来了", "version": moved.version})

    assert response.status_code == 403
    with translation.override("zh-hans"):
        assert reactivation_refused() in response.content.decode()
    moved.refresh_from_db()
    assert not moved.is_active


def test_a_grid_worker_brings_back_a_person_of_their_grid_not_of_another(
    client: Any,
    officer_a: Any,
    grid_worker_a1: Any,
    grid_worker_a2: Any,
    officer_b: Any,
    checkpoint_a: Any,
    person_a1: Person,
) -> None:
    moved = _deactivated(person_a1, officer_a)
    url = reverse("registry:person_reactivate", args=[moved.pk])
    # Checkpoint staff see no registry rows at all: the person is not there for them.
    for outsider in (grid_worker_a2, officer_b, checkpoint_a):
        client.force_login(outsider)
        assert (
            client.post(url, {"reason": "又搬回来了", "version": moved.version}).status_code == 404
        )

    client.force_login(grid_worker_a1)
    assert client.post(url, {"reason": "又搬回来了", "version": moved.version}).status_code == 302
    moved.refresh_from_db()
    assert moved.is_active


# --- Buildings and households ---------------------------------------------------------------


def test_an_officer_adds_a_building_and_a_household(
    client: Any, officer_a: Any, community_a: Any, grid_a1: Any
) -> None:
    client.force_login(officer_a)
    response = client.post(
        reverse("registry:building_add", args=[community_a.pk]),
        {
            "number": "12",
            "name": "",
            "section": "东区",
            "grid": grid_a1.pk,
            "units": 2,
            "floors": 6,
            "notes": "",
            "version": "",
        },
    )
    assert response.status_code == 302
    building = Building.objects.get(community=community_a, number="12")
    assert response["Location"] == building.get_absolute_url()

    response = client.post(
        reverse("registry:household_add", args=[building.pk]),
        {
            "unit": 3,
            "floor": 1,
            "room": "101",
            "number": "",
            "phone": "",
            "is_active": "on",
            "notes": "",
            "version": "",
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["unit"]

    response = client.post(
        reverse("registry:household_add", args=[building.pk]),
        {
            "unit": 2,
            "floor": 1,
            "room": "101",
            "number": "",
            "phone": "024-23456789",
            "is_active": "on",
            "notes": "",
            "version": "",
        },
    )
    assert response.status_code == 302
    household = building.households.get()
    assert household.number == "12-2-101"
    assert household.phone_mask == "024-****6789"
    page = client.get(building.get_absolute_url()).content.decode()
    assert household.get_absolute_url() in page
    assert "23456789" not in page


def test_a_grid_worker_cannot_add_buildings_to_the_whole_community(
    client: Any, grid_worker_a1: Any, community_a: Any
) -> None:
    client.force_login(grid_worker_a1)
    page = client.get(reverse("registry:community", args=[community_a.pk])).content.decode()
    assert reverse("registry:building_add", args=[community_a.pk]) not in page
    response = client.get(reverse("registry:building_add", args=[community_a.pk]))
    assert response.status_code == 403


def test_a_grid_worker_adds_a_person_to_a_household_of_their_grid(
    client: Any, grid_worker_a1: Any, household_a1: Any
) -> None:
    client.force_login(grid_worker_a1)
    response = client.post(
        reverse("registry:person_add", args=[household_a1.pk]),
        person_form_data(household=household_a1.pk, name="周杰"),
    )
    assert response.status_code == 302
    assert Person.objects.get(name="周杰").household == household_a1
    # but not a person without a household: that is the whole community's register
    community = household_a1.community
    url = reverse("registry:person_add_no_household", args=[community.pk])
    assert client.get(url).status_code == 403


# --- Figures for the home page --------------------------------------------------------------


def test_registry_figures_count_only_what_the_user_sees(
    grid_worker_a1: Any,
    officer_a: Any,
    community_a: Any,
    grid_a1: Any,
    grid_a2: Any,
    django_assert_max_num_queries: Any,
) -> None:
    own = HouseholdFactory(building=BuildingFactory(grid=grid_a1, community=community_a))
    other = HouseholdFactory(building=BuildingFactory(grid=grid_a2, community=community_a))
    PersonFactory(household=own, tags=[PersonTag.ELDERLY_ALONE])
    PersonFactory(household=own)
    PersonFactory(household=other)

    with django_assert_max_num_queries(7):
        mine = registry_figures(grid_worker_a1)
    everything = registry_figures(officer_a)

    assert (mine["buildings"], mine["households"], mine["people"]) == (1, 1, 2)
    assert mine["elderly_alone"] == 1
    assert [c["pk"] for c in mine["communities"]] == [community_a.pk]
    assert (everything["buildings"], everything["people"]) == (2, 3)
    assert registry_figures(officer_a, area=grid_a2)["people"] == 1
