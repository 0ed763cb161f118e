"""Issue 14's call list and contact picker on a phone (360×740) in Debian's Chromium.

The grid worker's third unanswered call tells them the household goes to a door visit, and
the call list then shows it at the top with its attempt count. The health officer picks a
close contact who lives outside the case's household by name, on the same screen size, and
the case page's "start quarantine" button is readable (contrast at least 4.5:1).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone, translation

from fangkong.core.tests.browser import NEEDS_CHROMIUM, assert_fits_phone, log_in
from fangkong.health.models import Contact
from fangkong.health.tests.factories import CaseFactory, family
from fangkong.registry.tests.factories import PersonFactory
from fangkong.screening.choices import Outcome
from fangkong.screening.services import do_record_call
from fangkong.screening.tests.factories import (
    assignment_of,
    good_answers,
    started_campaign,
    street_of_households,
)

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

#: WCAG's contrast ratio of an element's text colour on its background colour.
CONTRAST = """(el) => {
  const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const s = getComputedStyle(el);
  const a = lum(rgb(s.color)), b = lum(rgb(s.backgroundColor));
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def _label(household: Any) -> str:
    """The household as the Chinese page prints it."""
    with translation.override("zh-hans"):
        return str(household.label)


def _above_the_fold(page: Any, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["y"] + box["height"] <= 740


@pytest.mark.django_db(transaction=True)
def test_the_third_failed_call_sends_the_household_to_a_door_visit_at_the_top(
    phone: Any, community_a: Any, grid_a1: Any, grid_worker_a1: Any
) -> None:
    # Given six households on the grid worker's list, the last one called twice already
    households = street_of_households(grid_a1, 6)
    campaign = started_campaign(community_a)
    last = assignment_of(campaign, households[-1])
    base = phone.base_url
    log_in(phone, grid_worker_a1.username)

    # When they call it a third time and nobody picks up (three taps: list, row, 无人接听)
    for n in range(3):
        phone.goto(base + f"/screening/calls/{last.pk}/")
        phone.click("button[value=no_answer]")
        phone.wait_for_load_state()
        if n < 2:
            assert "上门" not in phone.locator(".messages").inner_text()

    # Then the message says the household now goes to a door visit, on the first screen
    message = phone.locator(".messages")
    assert "上门走访" in message.inner_text()
    assert _above_the_fold(phone, ".messages")
    # And the next household opened is the one after it in list order (wrapping to the top)
    assert f"/screening/calls/{assignment_of(campaign, households[0]).pk}/" in phone.url

    # And the call list shows door visits first, with the attempt count, above the fold
    phone.goto(base + "/screening/calls/")
    assert_fits_phone(phone)
    door = phone.locator("ul.scr-door li").first
    assert _label(households[-1]) in door.inner_text()
    assert "3 次" in door.inner_text()
    assert _above_the_fold(phone, "ul.scr-door li")
    headings = phone.locator("main h2").all_inner_texts()
    assert headings[0].startswith("上门走访")


@pytest.mark.django_db(transaction=True)
def test_the_health_officer_picks_a_contact_by_name_on_a_phone(
    phone: Any, grid_a1: Any, health_a: Any
) -> None:
    # Given a case, and a neighbour in another household of the community
    case = CaseFactory(
        person=PersonFactory(household=family(grid_a1, 0)), isolated_on=timezone.localdate()
    )
    neighbour = PersonFactory(household=family(grid_a1, 0), name="欧阳娜娜")
    PersonFactory(household=family(grid_a1, 0), name="欧阳修")
    base = phone.base_url
    log_in(phone, health_a.username)

    # When the health officer opens the case and adds a contact, finding them by name
    phone.goto(base + f"/health/cases/{case.pk}/")
    assert_fits_phone(phone)
    phone.goto(base + f"/health/cases/{case.pk}/contacts/add/")
    assert_fits_phone(phone)
    assert _above_the_fold(phone, "#pick-q")
    phone.fill("#pick-q", "欧阳娜")
    phone.click("form.hl-pick button[type=submit]")
    phone.wait_for_load_state()
    assert_fits_phone(phone)

    # Then the neighbour is offered with their room and a masked ID number, and no namesake
    options = phone.locator("input[name=person]")
    assert options.count() == 1
    label = phone.locator("label:has(input[name=person])").first.inner_text()
    assert "欧阳娜娜" in label
    assert _label(neighbour.household) in label
    assert neighbour.id_number_mask in label
    options.first.check()
    phone.select_option("select[name=kind]", "close")
    phone.fill("input[name=how]", "同乘电梯")
    phone.click("form.form:not(.hl-pick) button.primary")
    phone.wait_for_load_state()

    # And the contact is recorded
    contact = Contact.objects.get(case=case)
    assert contact.person_id == neighbour.pk
    assert f"/health/contacts/{contact.pk}/" in phone.url


@pytest.mark.django_db(transaction=True)
def test_start_quarantine_on_an_alert_row_is_readable(
    phone: Any, community_a: Any, grid_a1: Any, grid_worker_a1: Any, health_a: Any
) -> None:
    # Given a screening alert (contact with a case) waiting on the health officer's today page
    (household,) = street_of_households(grid_a1, 1)
    campaign = started_campaign(community_a)
    do_record_call(
        assignment_of(campaign, household),
        by=grid_worker_a1,
        outcome=Outcome.ANSWERED,
        answers=good_answers(contact="yes"),
    )
    log_in(phone, health_a.username)

    phone.goto(phone.base_url + "/health/")

    # Then its "start quarantine" button reads at least 4.5:1 (it was dark on red, 2.42:1)
    start = phone.locator("#alerts a.button.primary").first
    assert start.inner_text().strip() == "开始隔离"
    assert start.evaluate(CONTRAST) >= 4.5
    assert_fits_phone(phone)
