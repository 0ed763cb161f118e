"""Two-step login on a phone-sized screen (360×740) in Debian's Chromium, through Playwright.

An officer sets up an authenticator app from their account page (the test reads the key off
the page and computes the app's code itself), then logs in with the password and a code; an
officer resets a grid worker's app. Every page fits the screen (no sideways scrolling) and
every tap target is at least 44 px in both directions.

A code works once: django-otp refuses a code of a 30-second step already used. The app's
codes here are those of the current step, and the next step's after one was used (the server
accepts a step either side of its own).
"""

from __future__ import annotations

import os
import time
from base64 import b32decode
from typing import Any

import pytest
from django.urls import reverse
from django_otp.oath import totp

from fangkong.accounts.models import AuthenticatorDevice
from fangkong.accounts.services import do_issue_api_token
from fangkong.accounts.tests.factories import PASSWORD, AuthenticatorDeviceFactory
from fangkong.core.tests.browser import NEEDS_CHROMIUM, assert_fits_phone, log_in

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

ACCOUNT = reverse("accounts:account")
LOGIN = reverse("accounts:login")
CODE = reverse("accounts:login_code")
HOME = reverse("reports:home")
USERS = reverse("accounts:two_factor_users")
TOKENS = reverse("accounts:api_tokens")

STEP = 30  # seconds: django-otp's default, which the device uses
WRONG_CODE_IN_CHINESE = "验证码不正确或已过期，请输入验证器应用当前显示的6位数字。"


@pytest.fixture(autouse=True)
def no_back_off(settings: Any) -> None:
    """django-otp waits 1, 2, 4… seconds after each wrong code; a test does not. (The live
    server runs in this process, so it sees the setting.)"""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def key_on_page(page: Any) -> bytes:
    """The key the account page shows (base32 in groups of four), as the app stores it."""
    text = page.inner_text("code.secret").replace(" ", "").strip().upper()
    return b32decode(text + "=" * (-len(text) % 8))


def app_code(key: bytes, steps_ahead: int = 0) -> str:
    """What an authenticator app with ``key`` shows now (or ``steps_ahead`` steps later)."""
    return f"{totp(key, step=STEP, digits=6, drift=steps_ahead):06d}"


def wait_for_a_fresh_step(margin: float = 3.0) -> None:
    """Do not type a code in the last seconds of its step: it would be checked in the next."""
    left = STEP - time.time() % STEP
    if left < margin:
        time.sleep(left + 0.2)


def submit(page: Any, selector: str) -> None:
    page.click(selector)
    page.wait_for_load_state()


def test_an_officer_sets_up_two_step_login_by_reading_the_key_and_confirming_a_code(
    phone: Any, officer_a: Any
) -> None:
    # Given an officer on their account page, where two-step login is off
    log_in(phone, "officer_a")
    phone.goto(phone.base_url + ACCOUNT)
    assert_fits_phone(phone)

    # When they start setting it up
    submit(phone, "form[action$='/me/two-factor/start/'] button[type=submit]")

    # Then the page shows the QR code and the key, within the screen
    assert phone.url.endswith(ACCOUNT)
    qr = phone.locator("#two-factor .qr svg")
    assert qr.is_visible()
    box = qr.bounding_box()
    assert box is not None
    assert box["width"] >= 120
    assert box["x"] + box["width"] <= 360
    key = key_on_page(phone)
    assert key == AuthenticatorDevice.objects.get(user=officer_a).bin_key
    assert_fits_phone(phone)

    # When they type the code their app shows
    wait_for_a_fresh_step()
    phone.fill("form[action$='/me/two-factor/confirm/'] input[name=code]", app_code(key))
    submit(phone, "form[action$='/me/two-factor/confirm/'] button[type=submit]")

    # Then two-step login is on, and the key is no longer shown
    assert phone.url.endswith(ACCOUNT)
    assert "已开启" in phone.inner_text("#two-factor")
    assert phone.locator("code.secret").count() == 0
    assert AuthenticatorDevice.objects.get(user=officer_a).confirmed
    assert_fits_phone(phone)


def test_once_set_up_logging_in_asks_for_the_code_refuses_a_wrong_one_and_lets_the_right_in(
    phone: Any, officer_a: Any
) -> None:
    # Given an officer who set up two-step login with the key the page showed
    log_in(phone, "officer_a")
    phone.goto(phone.base_url + ACCOUNT)
    submit(phone, "form[action$='/me/two-factor/start/'] button[type=submit]")
    key = key_on_page(phone)
    wait_for_a_fresh_step()
    phone.fill("form[action$='/me/two-factor/confirm/'] input[name=code]", app_code(key))
    submit(phone, "form[action$='/me/two-factor/confirm/'] button[type=submit]")
    assert AuthenticatorDevice.objects.get(user=officer_a).confirmed

    # When they log out and log in again with the password
    submit(phone, "form[action$='/accounts/logout/'] button")
    assert phone.locator("form[action$='/accounts/logout/']").count() == 0
    phone.goto(phone.base_url + LOGIN)
    phone.fill("input[name=username]", "officer_a")
    phone.fill("input[name=password]", PASSWORD)
    submit(phone, "button[type=submit]")

    # Then they are asked for the code, on a page that fits the phone
    assert phone.url.endswith(CODE)
    assert phone.get_attribute("input[name=code]", "autocomplete") == "one-time-code"
    assert_fits_phone(phone)

    # When they type a wrong code
    nearby = {app_code(key, steps) for steps in (-1, 0, 1, 2)}
    wrong = next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in nearby)
    phone.fill("input[name=code]", wrong)
    submit(phone, "form.form button[type=submit]")

    # Then the page says so in Chinese and they are still out
    assert phone.url.endswith(CODE)
    assert phone.inner_text(".errorbox").strip() == WRONG_CODE_IN_CHINESE
    assert_fits_phone(phone)
    assert phone.goto(phone.base_url + HOME).url.startswith(phone.base_url + LOGIN)
    phone.goto(phone.base_url + CODE)  # the code step is still waiting for them
    assert AuthenticatorDevice.objects.get(user=officer_a).throttling_failure_count == 1

    # When they type the right code (the next step's: the current one was used to confirm)
    phone.fill("input[name=code]", app_code(key, steps_ahead=1))
    submit(phone, "form.form button[type=submit]")

    # Then they are on the home page, logged in
    assert phone.url == phone.base_url + HOME
    assert phone.locator("form[action$='/accounts/logout/']").count() == 1
    assert_fits_phone(phone)
    phone.goto(phone.base_url + ACCOUNT)
    assert phone.url.endswith(ACCOUNT)
    assert_fits_phone(phone)  # with the form to remove the app


def test_an_officer_resets_the_two_step_login_of_a_grid_worker_of_their_community(
    phone: Any, officer_a: Any, grid_worker_a1: Any
) -> None:
    # Given a grid worker of the officer's community with an authenticator app
    AuthenticatorDeviceFactory(user=grid_worker_a1)

    # When the officer follows the link from their account page to the two-step users page
    log_in(phone, "officer_a")
    phone.goto(phone.base_url + ACCOUNT)
    submit(phone, f"main a[href='{USERS}']")

    # Then the worker is listed, on a page that fits the phone
    assert phone.url.endswith(USERS)
    card = phone.locator("article.card", has_text="grid_worker_a1")
    assert card.count() == 1
    assert_fits_phone(phone)

    # When they reset the worker's app
    submit(phone, "article.card:has-text('grid_worker_a1') button[type=submit]")

    # Then the app is gone, the page says so and lists nobody
    assert phone.url.endswith(USERS)
    assert not AuthenticatorDevice.objects.filter(user=grid_worker_a1).exists()
    assert str(grid_worker_a1) in phone.inner_text(".messages")
    assert phone.locator("article.card").count() == 0
    assert_fits_phone(phone)

    # And the worker logs in with the password alone
    log_in(phone, "grid_worker_a1")
    assert phone.url == phone.base_url + HOME


def test_an_officer_revokes_a_workers_api_token_on_a_phone(
    phone: Any, officer_a: Any, grid_worker_a1: Any
) -> None:
    # Given a grid worker of the officer's community with an API token
    token, _ = do_issue_api_token(grid_worker_a1, by=None, description="网格扫码")

    # When the officer follows the link from their account page to the tokens page
    log_in(phone, "officer_a")
    phone.goto(phone.base_url + ACCOUNT)
    submit(phone, f"main a[href='{TOKENS}']")

    # Then the token is listed by its prefix, owner and purpose, on a page that fits the phone
    assert phone.url.endswith(TOKENS)
    row = phone.locator("tbody tr", has_text="网格扫码")
    assert f"{token.prefix}…" in row.inner_text()
    assert_fits_phone(phone)

    # When they revoke it, it stops working and leaves the list
    submit(phone, "tbody tr:has-text('网格扫码') button[type=submit]")
    assert phone.url.endswith(TOKENS)
    assert f"{token.prefix}…" in phone.inner_text(".messages")
    assert phone.locator("tbody tr", has_text="网格扫码").count() == 0
    assert_fits_phone(phone)
    token.refresh_from_db()
    assert token.revoked is not None


def test_an_officer_lends_a_user_and_ends_it_on_a_phone(
    phone: Any, officer_a: Any, grid_a1: Any, community_a: Any
) -> None:
    from fangkong.accounts.choices import Role
    from fangkong.accounts.models import Assignment
    from fangkong.accounts.tests.factories import UserFactory

    # Given a volunteer of community A, and their officer on the assignments page
    worker = UserFactory(role=Role.VOLUNTEER, area=community_a, full_name="借调人")
    log_in(phone, officer_a.username, PASSWORD)
    page = phone.base_url + reverse("accounts:user_assignments", args=[worker.pk])
    phone.goto(page)
    assert_fits_phone(phone)
    # When they lend the volunteer to grid a1 as a grid worker until a later day
    phone.select_option("select[name=role]", Role.GRID_WORKER)
    phone.select_option("select[name=area]", str(grid_a1.pk))
    phone.fill("input[name=ends_on]", "2099-03-15")
    phone.click("button.primary")
    phone.wait_for_load_state()
    # Then the assignment is listed as in force, and the page still fits
    assert "生效" in phone.inner_text("main")
    assert_fits_phone(phone)
    if os.environ.get("KEEP_SCREENSHOT"):  # to look at it: KEEP_SCREENSHOT=/tmp/a.png
        phone.screenshot(path=os.environ["KEEP_SCREENSHOT"], full_page=True)
    # When they end it, it is listed as ended
    phone.click("text=结束任职")
    phone.wait_for_load_state()
    assert "已结束" in phone.inner_text("main")
    assert Assignment.objects.get(user=worker).ended_at is not None
