"""Browser walk on a phone-sized screen (360×740) in Debian's Chromium, through Playwright.

A grid worker logs in, walks community → building → household → person and sees only their
grid; every page of the registry fits the screen (no sideways scrolling) and every tap target
is at least 44 px in both directions.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from fangkong.accounts.models import User
from fangkong.registry.models import Building, Household, Person

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM) and not os.environ.get("CI"),
        reason="Debian's chromium is not installed (CI installs it)",
    ),
]

# Elements a finger must hit. Hidden inputs and elements inside closed <details> are skipped.
TAP_TARGETS_TOO_SMALL = """
() => [...document.querySelectorAll(
    'a, button, input:not([type=hidden]), select, textarea, summary')]
  .filter(el => el.offsetParent !== null)
  .map(el => { const r = el.getBoundingClientRect();
               return {tag: el.tagName, text: (el.innerText || el.name || '').slice(0, 30),
                       w: Math.round(r.width), h: Math.round(r.height)}; })
  .filter(r => r.w < 44 || r.h < 44)
"""
SIDEWAYS = "() => document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's sync API runs an event loop
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def demo(transactional_db: None) -> None:
    call_command("seed_demo", verbosity=0)


@pytest.fixture
def phone(browser: Any, live_server: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN",
                                  is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    page.base_url = live_server.url  # type: ignore[attr-defined]
    yield page
    context.close()


def log_in(page: Any, username: str) -> None:
    page.goto(page.base_url + "/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", settings.DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, "login failed"


def assert_fits_phone(page: Any) -> None:
    assert page.evaluate(SIDEWAYS) <= 0, f"{page.url} scrolls sideways"
    small = page.evaluate(TAP_TARGETS_TOO_SMALL)
    assert not small, f"{page.url} has tap targets under 44 px: {small[:5]}"


def test_a_grid_worker_walks_from_community_to_person_and_sees_only_their_grid(
    demo: None, phone: Any
) -> None:
    # Given the demo community and its first grid worker on a phone
    grid_worker = User.objects.get(username="demo-grid1")
    log_in(phone, "demo-grid1")
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


def test_every_registry_page_fits_a_phone_for_the_community_officer(
    demo: None, phone: Any
) -> None:
    officer = User.objects.get(username="demo-community")
    community = officer.community
    building = Building.objects.filter(community=community).first()
    household = Household.objects.filter(building=building).first()
    person = Person.objects.filter(household=household).first()
    log_in(phone, "demo-community")
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
