"""The household page on an old phone: 360×740, in Chinese, JavaScript switched off. The
household opens its slip's link, reads its pass and sends a temperature."""

from __future__ import annotations

from typing import Any

import pytest

from fangkong.core.tests.browser import NEEDS_CHROMIUM, assert_fits_phone
from fangkong.health.models import HealthReport
from fangkong.selfservice.tests.conftest import make_home

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]


@pytest.fixture
def phone_context_options() -> dict[str, Any]:
    return {"java_script_enabled": False}


def test_a_household_reads_its_page_and_reports_without_javascript(
    phone: Any, grid_a1: Any, grid_worker_a1: Any
) -> None:
    home = make_home(grid_a1)
    phone.goto(phone.base_url + f"/s/{home.token}/")
    phone.wait_for_load_state()
    assert phone.url.endswith("/s/home/")
    text = phone.locator("main").inner_text()
    assert home.household.label in text
    assert "可以外出" in text
    assert "剩余外出次数" in text
    assert "健康监测" in text
    assert_fits_phone(phone)

    phone.get_by_label("体温（℃）").fill("36.8")
    phone.get_by_role("button", name="提交打卡").click()
    phone.wait_for_load_state()
    assert "打卡已收到" in phone.content()
    report = HealthReport.objects.get(person=home.monitored)
    assert str(report.temperature) == "36.8"

    # Asking a question posts without JavaScript; the question shows on the page.
    phone.get_by_label("您的问题").fill("小区什么时候解封？")
    phone.get_by_role("button", name="提交问题").click()
    phone.wait_for_load_state()
    assert "问题已提交" in phone.content()
    assert "小区什么时候解封？" in phone.content()

    # The large-text switch posts without JavaScript too.
    phone.get_by_role("button", name="大字").click()
    phone.wait_for_load_state()
    assert phone.locator("body.large").count() == 1
    assert_fits_phone(phone)
