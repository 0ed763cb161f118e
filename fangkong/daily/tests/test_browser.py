"""The daily report on a phone (360×740, in Chinese, Debian's Chromium): demo-community
submits today's report, and demo-street sees it among its communities' reports."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from fangkong.core.tests.browser import NEEDS_CHROMIUM, assert_fits_phone, log_in
from fangkong.daily.models import DailyReport

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]


def test_the_officer_submits_todays_report_and_the_street_sees_it(demo: None, phone: Any) -> None:
    # The demo: three of 五三街道's four communities have reported, 在水一方社区 not yet
    log_in(phone, "demo-community", settings.DEMO_PASSWORD)
    phone.goto(phone.base_url + "/")
    phone.locator("[data-daily-report]").click()
    phone.wait_for_load_state()
    assert_fits_phone(phone)
    assert "今日日报" in phone.locator("h1").inner_text()

    phone.get_by_label("当日重点事项").fill("完成门岗巡查，居民情绪平稳。")
    phone.get_by_role("button", name="提交日报").click()
    phone.wait_for_load_state()

    assert "日报已提交" in phone.content()
    report = DailyReport.objects.get(area__name="在水一方社区", is_current=True)
    assert report.key_events == "完成门岗巡查，居民情绪平稳。"

    log_in(phone, "demo-street", settings.DEMO_PASSWORD)
    phone.goto(phone.base_url + "/daily/")
    assert_fits_phone(phone)
    text = phone.locator("main").inner_text()
    street = report.area.parent
    communities = street.children.filter(level="community").count()
    submitted = DailyReport.objects.filter(area__parent=street, is_current=True).count()
    assert f"已提交：{submitted} / {communities}" in text
    assert submitted == 4  # the demo's three, and this one
    row = phone.locator(f"[data-area='{report.area_id}']")
    assert "已提交" in row.inner_text()
