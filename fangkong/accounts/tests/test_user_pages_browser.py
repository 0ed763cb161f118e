"""The accounts pages on a phone-sized screen (360×740, Chinese, Debian's Chromium): an
officer finds the accounts in the menu, signs up a volunteer and reads the one-time password
off the page, then deactivates the account with a reason. Every page fits the screen and
axe finds nothing serious (as core's accessibility test asks of every page).

``FANGKONG_SCREENSHOTS=<dir>`` keeps a screenshot of each page there (never committed)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from fangkong.accounts.models import User
from fangkong.core.tests.browser import NEEDS_CHROMIUM, assert_fits_phone, log_in
from fangkong.core.tests.test_accessibility import violations

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]


def looks_right(page: Any, name: str) -> None:
    """The page fits the phone, axe finds nothing serious, and a screenshot if asked."""
    assert_fits_phone(page)
    assert not violations(page), violations(page)
    if folder := os.environ.get("FANGKONG_SCREENSHOTS"):
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_an_officer_signs_up_a_volunteer_and_deactivates_the_account_on_a_phone(
    phone: Any, officer_a: Any, grid_worker_a1: Any, grid_a1: Any
) -> None:
    # Given the officer, logged in on a phone
    log_in(phone, officer_a.username)

    # When they open the accounts from the menu
    phone.click("summary:has-text('菜单')")
    phone.click(".menu-links a:has-text('账号')")
    phone.wait_for_load_state()
    assert phone.url.endswith(reverse("accounts:user_list"))
    assert phone.is_visible(f"text={grid_worker_a1.full_name}")
    looks_right(phone, "user_list")

    # And sign up a volunteer of grid a1
    phone.click("a.button:has-text('添加')")
    looks_right(phone, "user_create")
    phone.fill("input[name=full_name]", "王秀英")
    phone.select_option("select[name=role]", "volunteer")
    phone.select_option("select[name=area]", str(grid_a1.pk))
    phone.click("button[type=submit].primary")
    phone.wait_for_load_state()

    # Then the one-time password is on the page, once
    password = phone.inner_text("dd code >> nth=1").strip()
    created = User.objects.get(full_name="王秀英")
    assert created.check_password(password)
    looks_right(phone, "user_password")

    # And on the account's page they deactivate it with a reason
    phone.click("a.button.primary")
    phone.wait_for_load_state()
    assert password not in phone.content()
    looks_right(phone, "user_detail")
    phone.fill("input[name=reason]", "志愿服务结束")
    phone.click("button:has-text('停用账号')")
    phone.wait_for_load_state()
    created.refresh_from_db()
    assert not created.is_active
    assert phone.is_visible("text=志愿服务结束")
    looks_right(phone, "user_detail_deactivated")
