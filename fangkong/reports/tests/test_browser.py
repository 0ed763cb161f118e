"""Each demo role's home on a phone (360×740, in Chinese, Debian's Chromium): its main action
lies inside the first screen, and the chief records a patrol from there in three taps."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from fangkong.accounts.models import User
from fangkong.core.tests.browser import NEEDS_CHROMIUM, assert_fits_phone, log_in
from fangkong.staff.models import PatrolVisit

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

FOLD = 740

#: Each demo role and the element its home must show above the fold: the one thing it does.
MAIN_ACTIONS = (
    ("demo-grid1", "[data-main-action]", "拨打下一户"),
    ("demo-gate", "[data-main-action]", "扫码"),
    ("demo-health", "[data-main-action]", "今日健康工作"),
    ("demo-community", "[data-community] [data-figure=overdue_tasks]", "逾期任务"),
    ("demo-street", "[data-community] [data-patrol]", "巡查"),
    ("demo-district", "[data-community] [data-patrol]", "巡查"),
)


def above_the_fold(page: Any, selector: str) -> bool:
    box = page.locator(selector).first.bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= FOLD


def test_each_roles_main_action_is_on_its_first_screen(demo: None, phone: Any) -> None:
    for username, selector, text in MAIN_ACTIONS:
        log_in(phone, username, settings.DEMO_PASSWORD)
        phone.goto(phone.base_url + "/")
        assert_fits_phone(phone)
        assert text in phone.locator(selector).first.inner_text(), username
        assert above_the_fold(phone, selector), f"{username}: {selector} below the fold"
        # The menu is one button; the links stay hidden until it is opened
        assert not phone.locator(".menu-links").is_visible()


def test_the_chief_records_a_patrol_from_the_home_page_in_three_taps(
    demo: None, phone: Any
) -> None:
    chief = User.objects.get(username="demo-district")
    before = PatrolVisit.objects.count()
    log_in(phone, "demo-district", settings.DEMO_PASSWORD)
    phone.goto(phone.base_url + "/")

    # Tap 1: the patrols of the community with gates (在水一方社区)
    phone.locator("[data-community]", has_text="在水一方").locator("[data-patrol]").click()
    # Tap 2: record a patrol at the first gate
    phone.get_by_role("link", name="登记这个卡点的巡查").first.click()
    phone.wait_for_load_state()
    assert "/patrols/add/" in phone.url
    assert_fits_phone(phone)
    # The gate's roster is ticked already; the findings are on the first screens, not three
    # screens of checkboxes down
    phone.get_by_label("没有登记本").check()
    # Tap 3: save
    phone.get_by_role("button", name="保存").click()
    phone.wait_for_load_state()

    assert PatrolVisit.objects.count() == before + 1
    visit = PatrolVisit.objects.order_by("-pk").first()
    assert visit.by_user == chief
    assert visit.finding_list == ["no_registration_book"]
