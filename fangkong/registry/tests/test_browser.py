"""Browser walk on a phone-sized screen (360×740) in Debian's Chromium, through Playwright.

A grid worker logs in, walks community → building → household → person and sees only their
grid; every page of the registry fits the screen (no sideways scrolling) and every tap target
is at least 44 px in both directions.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from fangkong.accounts.models import User
from fangkong.core.tests.browser import NEEDS_CHROMIUM, assert_fits_phone, log_in
from fangkong.registry.models import Building, Household, Person

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]


def test_a_grid_worker_walks_from_community_to_person_and_sees_only_their_grid(
    demo: None, phone: Any
) -> None:
    # Given the demo community and its first grid worker on a phone
    grid_worker = User.objects.get(username="demo-grid1")
    log_in(phone, "demo-grid1", settings.DEMO_PASSWORD)
    assert_fits_phone(phone)

    # When they open their community's buildings
    community = grid_worker.community
    phone.goto(f"{phone.base_url}/registry/community/{community.pk}/")
    assert_fits_phone(phone)

    # Then only the buildings of their grid are there
    own = list(Building.objects.filter(grid=grid_worker.area))
    others = list(Building.objects.filter(community=community).exclude(grid=grid_worker.area))
    body = phone.inner_text("main")
    assert own
    assert others
    for building in own:
        assert building.name in body
    for building in others:
        assert building.name not in body

    # When they walk building → household → person
    phone.click(f"a.tile:has-text('{own[0].name}')")
    phone.wait_for_load_state()
    assert_fits_phone(phone)
    household = Household.objects.filter(building=own[0]).order_by("unit", "room").first()
    phone.click(f"a[href='/registry/households/{household.pk}/']")
    phone.wait_for_load_state()
    assert_fits_phone(phone)
    person = Person.objects.filter(household=household).first()
    phone.click(f"a[href='/registry/people/{person.pk}/']")
    phone.wait_for_load_state()
    assert_fits_phone(phone)

    # Then the person's page shows masked numbers only
    assert person.name in phone.inner_text("main")
    assert person.id_number_mask in phone.content()

    # And a household of another grid is not found
    other_household = Household.objects.filter(building=others[0]).first()
    response = phone.goto(f"{phone.base_url}/registry/households/{other_household.pk}/")
    assert response.status == 404


def test_every_registry_page_fits_a_phone_for_the_community_officer(demo: None, phone: Any) -> None:
    officer = User.objects.get(username="demo-community")
    community = officer.community
    building = Building.objects.filter(community=community).first()
    household = Household.objects.filter(building=building).first()
    person = Person.objects.filter(household=household).first()
    log_in(phone, "demo-community", settings.DEMO_PASSWORD)
    pages = [
        "/",
        "/areas/",
        f"/registry/community/{community.pk}/",
        f"/registry/buildings/{building.pk}/",
        f"/registry/buildings/{building.pk}/edit/",
        f"/registry/community/{community.pk}/buildings/add/",
        f"/registry/households/{household.pk}/",
        f"/registry/households/{household.pk}/edit/",
        f"/registry/buildings/{building.pk}/households/add/",
        f"/registry/people/{person.pk}/",
        f"/registry/people/{person.pk}/edit/",
        f"/registry/people/{person.pk}/deactivate/",
        f"/registry/households/{household.pk}/people/add/",
        "/registry/people/?q=1",
        "/core/audit/",
    ]
    for path in pages:
        response = phone.goto(phone.base_url + path)
        assert response.status == 200, path
        assert_fits_phone(phone)
