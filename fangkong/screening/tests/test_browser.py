"""A caller works through three households on a phone (360×740) in Debian's Chromium.

One household answers (the question about the return date shows only after "yes" to
travel), one does not pick up (the next household opens by itself), one has a fever: a
temperature out of range is refused with the input kept, then the alert is raised. Every
page fits the screen, every tap target is at least 44 px, and no full phone number is in
any page.
"""

from __future__ import annotations

from typing import Any

import pytest

from fangkong.core.personal_data import decrypt
from fangkong.core.tests.browser import NEEDS_CHROMIUM, assert_fits_phone, log_in
from fangkong.registry.models import Person
from fangkong.screening.choices import AssignmentStatus
from fangkong.screening.models import Alert
from fangkong.screening.tests.factories import (
    assignment_of,
    started_campaign,
    street_of_households,
)

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]


def _full_numbers(households: list[Any]) -> list[str]:
    people = Person.objects.filter(household__in=households)
    return [decrypt(p.phone_cipher) for p in people if p.phone_cipher]


def _page_has_no_full_number(page: Any, numbers: list[str]) -> None:
    html = page.content()
    assert not [n for n in numbers if n in html], f"{page.url} shows a full phone number"


@pytest.mark.django_db(transaction=True)
def test_a_caller_works_through_three_households_on_a_phone(
    phone: Any, community_a: Any, grid_a1: Any, grid_worker_a1: Any, officer_a: Any
) -> None:
    # Given three households on the grid worker's list
    households = street_of_households(grid_a1, 3, people=2)
    campaign = started_campaign(community_a)
    numbers = _full_numbers(households)
    base = phone.base_url

    log_in(phone, grid_worker_a1.username)

    # When they open today's list
    phone.goto(base + "/screening/calls/")
    assert_fits_phone(phone)
    rows = phone.locator("ul.scr-rows a")
    assert rows.count() == 3

    # Household 1: the call button goes through the logged route; the number is not in the page
    rows.first.click()
    phone.wait_for_load_state()
    assert_fits_phone(phone)
    _page_has_no_full_number(phone, numbers)
    # (posted from the page's own form data: a browser would open the dialler on tel:)
    call_form = phone.locator("form:has(button.scr-dial)").first
    dial = call_form.get_attribute("action")
    token = call_form.locator("input[name=csrfmiddlewaretoken]").get_attribute("value")
    redirect = phone.request.post(
        base + dial,
        form={"csrfmiddlewaretoken": token},
        headers={"Referer": phone.url},
        max_redirects=0,
    )
    assert redirect.status == 302
    assert redirect.headers["location"].startswith("tel:")

    # ... it answers: the questionnaire, with the return date asked only after "yes"
    phone.click("a[href*='outcome=answered']")
    phone.wait_for_load_state()
    assert_fits_phone(phone)
    return_date = phone.locator(".scr-q[data-name=return_date]")
    assert return_date.is_hidden()
    phone.click("label.scr-opt:has(input[name=travelled][value=yes])")
    assert return_date.is_visible()
    phone.click("label.scr-opt:has(input[name=travelled][value=no])")
    assert return_date.is_hidden()
    phone.click("label.scr-opt:has(input[name=contact][value=no])")
    phone.fill("input[name=temperature]", "36.6")
    phone.click("form.scr-questions button[type=submit]")
    phone.wait_for_load_state()

    # Household 2 opens by itself; nobody picks up
    assert f"/screening/calls/{assignment_of(campaign, households[1]).pk}/" in phone.url
    assert_fits_phone(phone)
    phone.click("button[value=no_answer]")
    phone.wait_for_load_state()

    # Household 3: a temperature out of range is refused, the input kept; then a fever
    assert f"/screening/calls/{assignment_of(campaign, households[2]).pk}/" in phone.url
    phone.click("a[href*='outcome=answered']")
    phone.wait_for_load_state()
    phone.click("label.scr-opt:has(input[name=travelled][value=no])")
    phone.click("label.scr-opt:has(input[name=contact][value=no])")
    phone.fill("input[name=temperature]", "44")
    phone.click("form.scr-questions button[type=submit]")
    phone.wait_for_load_state()
    assert phone.locator(".scr-q.has-error[data-name=temperature]").count() == 1
    assert phone.locator("input[name=contact][value=no]").is_checked()
    assert_fits_phone(phone)
    phone.fill("input[name=temperature]", "38.2")
    phone.click("form.scr-questions button[type=submit]")
    phone.wait_for_load_state()

    # Then the list is done for now, and the officer's figures follow
    assert phone.url.endswith("/screening/calls/")
    assert_fits_phone(phone)
    statuses = [assignment_of(campaign, h).status for h in households]
    assert statuses == [
        AssignmentStatus.REACHED,
        AssignmentStatus.PENDING,
        AssignmentStatus.REACHED,
    ]
    assert Alert.objects.get().household == households[2]
