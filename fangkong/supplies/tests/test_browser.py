"""The officer on a phone-sized screen (360×740) in Debian's Chromium, through Playwright:
a donation recorded in boxes, bottles sent to a gate, the balance at the office and at the
gate, and the donation's trail: every page in Chinese, fitting the screen."""

from __future__ import annotations

from typing import Any

import pytest

from fangkong.core.tests.browser import NEEDS_CHROMIUM, assert_fits_phone, log_in
from fangkong.staff.tests.factories import CheckpointFactory
from fangkong.supplies import services
from fangkong.supplies.models import Donation
from fangkong.supplies.tests.factories import disinfectant

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]


def test_the_officer_records_boxes_sends_bottles_to_a_gate_and_follows_the_trail(
    phone: Any, officer_a: Any, community_a: Any
) -> None:
    # Given the office's disinfectant (boxes of 30 bottles) and the north gate
    item = disinfectant(community_a)
    office = services.office_of(community_a)
    gate = services.place_of_checkpoint(CheckpointFactory(community=community_a, name="北门"))
    today = community_a.local_today().isoformat()
    log_in(phone, officer_a.username)

    # When the officer records a donation of 4 boxes from the balances page
    phone.goto(phone.base_url + "/supplies/")
    assert_fits_phone(phone)
    phone.click("a[href='/supplies/donations/new/']")
    assert_fits_phone(phone)
    phone.select_option("select[name=donor_kind]", "company")
    phone.fill("input[name=donor_name]", "某驾校")
    phone.select_option("select[name=veteran]", "veteran_run")
    phone.fill("input[name=donated_on]", today)
    phone.select_option("select[name=place]", str(office.pk))
    phone.select_option("select[name=item_1]", str(item.pk))
    phone.fill("input[name=quantity_1]", "4")
    phone.select_option("select[name=unit_1]", "box")
    phone.click("form.form button[type=submit]")
    phone.wait_for_load_state()
    gift = Donation.objects.get()
    assert f"/supplies/donations/{gift.pk}/" in phone.url

    # And sends 25 bottles to the gate
    phone.goto(phone.base_url + "/supplies/ledger/transfer/")
    assert_fits_phone(phone)
    phone.select_option("select[name=source]", str(office.pk))
    phone.select_option("select[name=target]", str(gate.pk))
    phone.select_option("select[name=item]", str(item.pk))
    phone.fill("input[name=quantity]", "25")
    phone.select_option("select[name=unit]", "bottle")
    phone.fill("input[name=day]", today)
    phone.fill("input[name=signed_by]", "李四")
    phone.click("form.form button[type=submit]")
    phone.wait_for_load_state()

    # Then the balances show 95 bottles at the office and 25 at the gate, in Chinese
    phone.goto(phone.base_url + "/supplies/")
    assert_fits_phone(phone)
    text = phone.locator("main").inner_text()
    assert "消毒液: 95瓶" in text, text
    assert "北门" in text, text
    assert "消毒液: 25瓶" in text, text
    assert "Stock" not in text

    # And the donation's trail shows the bottles leaving the office for the gate
    phone.goto(phone.base_url + f"/supplies/donations/{gift.pk}/")
    assert_fits_phone(phone)
    trail = phone.locator("table").inner_text()
    assert "北门" in trail, trail
    assert "-25" in trail, trail
    assert "120" in trail, trail
