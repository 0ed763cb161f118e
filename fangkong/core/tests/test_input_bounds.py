"""Bounds on input (issue 11, item 10): what the API, the pages' forms and the schema refuse.

Names with bidi overrides or zero-width characters, a million-character note, a birth date in
year 1, a phone with letters after it, ``"household": 1.5``, a building of 2,147,483,648
units: each is a 400 with the field named (a form error on a page), never stored. Text is
stored NFC. The validators themselves are tested in ``test_validators``; the importers in
their apps' import tests.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fangkong.registry.forms import BuildingForm, PersonForm
from fangkong.registry.models import Building, Person
from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory, PersonFactory
from fangkong.staff.forms import PlanForm

pytestmark = pytest.mark.django_db

PEOPLE = reverse("api:person-list")
BUILDINGS = reverse("api:building-list")
SCHEMA_URL = "/api/v1/openapi.json"


@pytest.fixture
def api(client: Client, officer_a: Any) -> Client:
    client.force_login(officer_a)
    return client


@pytest.fixture
def household(community_a: Any, grid_a1: Any) -> Any:
    building = BuildingFactory(community=community_a, grid=grid_a1, number="7")
    return HouseholdFactory(building=building, room="301")


def post(api: Client, url: str, data: dict[str, Any], method: str = "post") -> Any:
    return getattr(api, method)(url, json.dumps(data), content_type="application/json")


def refused_field(response: Any) -> set[str]:
    assert response.status_code == 400, response.content[:500]
    body = response.json()
    assert body["code"] == "invalid"
    return set(body["fields"])


# --- The API --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "char",
    ["\u202e", "\u2066", "\u200b", "\ufeff", "\u2060", "\x07"],
    ids=["RLO", "LRI", "ZWSP", "BOM", "WJ", "BEL"],
)
def test_the_api_refuses_a_name_with_a_bidi_or_zero_width_character(
    api: Client, household: Any, char: str
) -> None:
    response = post(api, PEOPLE, {"household": household.pk, "name": f"张{char}三"})

    assert refused_field(response) == {"name"}
    assert not Person.objects.filter(name__startswith="张").exists()


def test_the_api_refuses_a_million_character_note(api: Client, household: Any) -> None:
    person = PersonFactory(household=household)

    # ASCII: a megabyte, under the request size limit (a bigger body is a 413 before this).
    response = post(
        api,
        reverse("api:person-detail", args=[person.pk]),
        {"notes": "x" * 1_000_000},
        method="patch",
    )

    assert refused_field(response) == {"notes"}
    person.refresh_from_db()
    assert person.notes == ""


@pytest.mark.parametrize("birth_date", ["0001-01-01", "1889-12-31", "tomorrow"])
def test_the_api_refuses_a_birth_date_before_1890_or_in_the_future(
    api: Client, household: Any, birth_date: str
) -> None:
    if birth_date == "tomorrow":
        birth_date = (timezone.localdate() + dt.timedelta(days=1)).isoformat()

    response = post(
        api,
        PEOPLE,
        {
            "household": household.pk,
            "name": "李四",
            "id_type": "passport",
            "birth_date": birth_date,
        },
    )

    assert refused_field(response) == {"birth_date"}


def test_the_api_refuses_a_phone_with_letters_rather_than_stripping_them(
    api: Client, household: Any
) -> None:
    response = post(
        api, PEOPLE, {"household": household.pk, "name": "王五", "phone": "13800138000abc"}
    )

    assert refused_field(response) == {"phone"}
    assert not Person.objects.filter(name="王五").exists()


@pytest.mark.parametrize("reference", [1.5, True, "1.5"], ids=["1.5", "true", "'1.5'"])
def test_the_api_refuses_a_row_id_that_is_not_a_whole_number(
    api: Client, household: Any, reference: Any
) -> None:
    # Household ids are whole numbers: 1.5 must not quietly become household 1.
    if reference is not True:
        reference = float(household.pk) + 0.5 if reference == 1.5 else f"{household.pk}.5"

    response = post(api, PEOPLE, {"household": reference, "name": "赵六"})

    assert refused_field(response) == {"household"}
    assert not Person.objects.filter(name="赵六").exists()


def test_a_row_id_written_as_a_whole_number_string_is_still_accepted(
    api: Client, household: Any
) -> None:
    response = post(api, PEOPLE, {"household": str(household.pk), "name": "钱七"})

    assert response.status_code == 201, response.content[:500]


@pytest.mark.parametrize(
    ("field", "value"), [("units", 2_147_483_648), ("units", 100), ("floors", 201), ("units", 0)]
)
def test_the_api_refuses_a_building_beyond_the_bounds_of_real_buildings(
    api: Client, community_a: Any, field: str, value: int
) -> None:
    response = post(api, BUILDINGS, {"community": community_a.pk, "number": "88", field: value})

    assert refused_field(response) == {field}
    assert not Building.objects.filter(number="88").exists()


def test_the_api_stores_names_in_nfc(api: Client, household: Any) -> None:
    response = post(api, PEOPLE, {"household": household.pk, "name": "Rene\u0301 \uf900"})

    assert response.status_code == 201, response.content[:500]
    assert Person.objects.get(pk=response.json()["id"]).name == "René \u8c48"


def test_the_api_refuses_a_year_1_date_instead_of_failing(api: Client, community_a: Any) -> None:
    response = post(
        api,
        reverse("api:task-list"),
        {
            "community": community_a.pk,
            "kind": "general",
            "title": "核对名单",
            "due": "0001-01-01T00:00:00Z",
        },
    )

    assert refused_field(response) == {"due"}


# --- The pages' forms -----------------------------------------------------------------------


def test_a_page_form_refuses_a_name_with_a_zero_width_space(officer_a: Any, household: Any) -> None:
    form = PersonForm(
        data={
            "name": "孙\u200b八",
            "relation": "other",
            "residency": "permanent",
            "id_type": "resident_id",
            "household": household.pk,
        },
        user=officer_a,
        community=household.community,
    )

    assert not form.is_valid()
    assert "name" in form.errors


def test_a_page_form_bounds_free_text_and_keeps_line_breaks_in_it(
    officer_a: Any, community_a: Any
) -> None:
    data = {"number": "9", "units": "1", "floors": "6"}
    too_long = BuildingForm(
        data={**data, "notes": "备" * 2001}, user=officer_a, community=community_a
    )
    two_lines = BuildingForm(
        data={**data, "notes": "第一行\r\n第二行"}, user=officer_a, community=community_a
    )

    assert "notes" in too_long.errors
    assert two_lines.is_valid(), two_lines.errors
    assert two_lines.cleaned_data["notes"] == "第一行\r\n第二行"


def test_a_page_form_gives_text_to_the_service_in_nfc(officer_a: Any, community_a: Any) -> None:
    form = BuildingForm(
        data={"number": "9", "units": "1", "floors": "6", "name": "\uf900园"},
        user=officer_a,
        community=community_a,
    )

    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == "\u8c48园"


# --- The schema says so ---------------------------------------------------------------------


def test_every_input_field_in_the_schema_has_a_bound(api: Client) -> None:
    schema = api.get(SCHEMA_URL).json()
    unbounded = []
    for name, component in schema["components"]["schemas"].items():
        if not name.endswith("Request") or name == "ScanRequestRequest":
            continue  # the scan's own fields are the access engineer's (issue 11, item 8)
        for field, spec in component.get("properties", {}).items():
            kind = spec.get("type")
            free_string = kind == "string" and not (
                {"enum", "pattern", "maxLength"} & set(spec)
                or spec.get("format") in {"date", "date-time", "uuid", "binary"}
            )
            if (
                free_string
                or (kind == "integer" and not {"minimum", "maximum"} <= set(spec))
                or (kind == "array" and "maxItems" not in spec)
            ):
                unbounded.append(f"{name}.{field}")

    assert unbounded == [], unbounded


def test_a_prevention_plan_may_run_to_pages_but_not_without_end() -> None:
    pages = PlanForm(data={"title": "防控方案", "text": "一、总体要求\n" * 2000})
    endless = PlanForm(data={"title": "防控方案", "text": "字" * 50_001})

    assert pages.is_valid(), pages.errors  # 14,000 characters: more than a note's 2,000
    assert "text" in endless.errors
