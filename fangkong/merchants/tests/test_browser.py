"""A customer signs a shop's register from its QR poster on a phone-sized screen (360×740)
in Debian's Chromium, through Playwright, with JavaScript off as on an old phone: the page is
in Chinese, fits the screen, its targets are big enough to tap, and the entry is stored."""

from __future__ import annotations

from typing import Any

import pytest

from fangkong.core.tests.browser import NEEDS_CHROMIUM, assert_fits_phone
from fangkong.merchants import register_tokens
from fangkong.merchants.models import RegisterEntry
from fangkong.merchants.tests.factories import MerchantFactory

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]


@pytest.fixture
def phone_context_options() -> dict[str, Any]:
    return {"java_script_enabled": False}


def test_a_customer_signs_in_through_the_qr_page_on_a_phone(phone: Any, community_a: Any) -> None:
    # Given an open supermarket that takes temperatures at the door
    shop = MerchantFactory(area=community_a, name="惠民超市", takes_temperature=True)
    url = f"{phone.base_url}/merchants/r/{register_tokens.register_token(shop.register_nonce)}/"

    # When a customer opens the poster's link and signs in
    phone.goto(url)
    assert phone.locator("h1").inner_text() == "惠民超市"
    assert "进店前请登记" in phone.content()
    assert_fits_phone(phone)
    phone.fill("input[name=name]", "孙八")
    phone.fill("input[name=phone]", "138 0013 8000")
    phone.fill("input[name=temperature]", "36.5")
    phone.click("button[type=submit]")

    # Then the page thanks them and the register holds the entry, phone masked
    assert "登记成功" in phone.locator("[data-signed-in]").inner_text()
    assert_fits_phone(phone)
    entry = RegisterEntry.objects.get()
    assert entry.name == "孙八"
    assert entry.phone_mask == "138****8000"
    assert str(entry.temperature) == "36.5"
