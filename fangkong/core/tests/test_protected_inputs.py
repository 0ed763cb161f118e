"""A form shown again after an error never echoes a typed full ID number or phone: every page
that takes one (registry people and households, health contacts, visitors, staff members)
re-shows the input empty, with the mask of what was typed (core.widgets)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fangkong.core.personal_data import mask_id_number, mask_phone
from fangkong.core.widgets import id_number_input, phone_input
from fangkong.health.tests.factories import CaseFactory, family
from fangkong.registry.tests.factories import (
    BuildingFactory,
    HouseholdFactory,
    PersonFactory,
    next_id_number,
    valid_mobile,
)
from fangkong.staff.tests.factories import CheckpointFactory

pytestmark = pytest.mark.django_db


def test_the_input_renders_no_value_and_the_mask_of_what_was_typed() -> None:
    number, phone = next_id_number(), valid_mobile()

    id_html = id_number_input().render("id_number", number)
    phone_html = phone_input().render("phone", phone)

    assert number not in id_html
    assert f'placeholder="{mask_id_number(number)}"' in id_html
    assert "value=" not in id_html
    assert phone not in phone_html
    assert f'placeholder="{mask_phone(phone)}"' in phone_html
    assert 'inputmode="tel"' in phone_html
    assert "placeholder" not in id_number_input().render("id_number", "")


def _refused_again(client: Client, url: str, data: dict[str, Any], number: str, phone: str) -> str:
    """POST a form that must come back with an error; the page it shows again."""
    response = client.post(url, data)
    assert response.status_code in (200, 400), response.status_code  # the form again
    assert response.context["form"].errors
    page = response.content.decode()
    assert number not in page
    assert phone not in page
    return page


def test_the_person_form_does_not_echo_the_numbers(
    client: Client, officer_a: Any, grid_a1: Any
) -> None:
    household = family(grid_a1, 0)
    number, phone = next_id_number(), valid_mobile()
    client.force_login(officer_a)

    # No name: refused, shown again
    page = _refused_again(
        client,
        reverse("registry:person_add", args=[household.pk]),
        {
            "name": "",
            "id_type": "resident_id",
            "id_number": number,
            "sex": "U",
            "phone": phone,
            "residency": "permanent",
        },
        number,
        phone,
    )

    assert mask_id_number(number) in page
    assert mask_phone(phone) in page


def test_the_household_form_does_not_echo_the_landline(
    client: Client, officer_a: Any, grid_a1: Any
) -> None:
    building = BuildingFactory(grid=grid_a1, community=grid_a1.parent)
    taken = HouseholdFactory(building=building)
    landline = "024-23456789"
    client.force_login(officer_a)

    # A room that already has a household: refused by the service, shown again
    page = _refused_again(
        client,
        reverse("registry:household_add", args=[building.pk]),
        {"unit": taken.unit, "room": taken.room, "phone": landline, "is_active": "on"},
        "23456789",
        "23456789",
    )

    assert mask_phone(landline) in page


def test_the_contact_form_does_not_echo_the_numbers(
    client: Client, health_a: Any, grid_a1: Any, community_b: Any
) -> None:
    case = CaseFactory(
        person=PersonFactory(household=family(grid_a1, 0)), isolated_on=timezone.localdate()
    )
    number, phone = next_id_number(), valid_mobile()
    client.force_login(health_a)

    # A hand-over without the contact's name: refused, shown again
    page = _refused_again(
        client,
        reverse("health:contact_add", args=[case.pk]),
        {
            "kind": "close",
            "last_exposure": timezone.localdate().isoformat(),
            "other_community": community_b.pk,
            "name": "",
            "id_number": number,
            "phone": phone,
        },
        number,
        phone,
    )

    assert mask_id_number(number) in page


def test_the_visitor_form_does_not_echo_the_numbers(
    client: Client, checkpoint_a: Any, community_a: Any, grid_a1: Any
) -> None:
    gate = CheckpointFactory(community=community_a)
    household = family(grid_a1, 0)
    number, phone = next_id_number(), valid_mobile()
    client.force_login(checkpoint_a)

    # No such room: refused, shown again
    page = _refused_again(
        client,
        reverse("access:visitor_add"),
        {
            "checkpoint": gate.pk,
            "name": "访客",
            "phone": phone,
            "id_number": number,
            "building": household.building_id,
            "unit": household.unit,
            "room": "no-such-room",
            "purpose": "探亲",
            "temperature": "36.5",
        },
        number,
        phone,
    )

    assert mask_phone(phone) in page


def test_the_staff_member_form_does_not_echo_the_phone(
    client: Client, officer_a: Any, community_a: Any
) -> None:
    phone = valid_mobile()
    client.force_login(officer_a)

    # No name, no organisation: refused, shown again
    page = _refused_again(
        client,
        reverse("staff:member_add", args=[community_a.pk]),
        {"name": "", "phone": phone},
        phone,
        phone,
    )

    assert mask_phone(phone) in page
