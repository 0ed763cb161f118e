"""The dashboards on a phone (360×740, in Chinese, Debian's Chromium): the demo's community,
street and district each read on one narrow screen, the key numbers on the first one, every
chart drawn by the vendored ECharts with no breach of the CSP, and its numbers one tap away."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from fangkong.core.tests.browser import NEEDS_CHROMIUM, assert_fits_phone, log_in
from fangkong.core.tests.test_accessibility import violations

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

FOLD = 740


def test_each_level_reads_on_a_phone_with_its_charts_and_their_tables(
    demo: None, phone: Any
) -> None:
    problems: list[str] = []
    phone.on(
        "console",
        lambda message: problems.append(message.text) if message.type == "error" else None,
    )
    phone.on("pageerror", lambda error: problems.append(str(error)))
    for username in ("demo-community", "demo-street", "demo-district"):
        log_in(phone, username, settings.DEMO_PASSWORD)
        phone.goto(phone.base_url + "/dashboard/")
        phone.wait_for_selector("[data-chart][data-drawn] canvas")
        assert_fits_phone(phone)
        assert "数据看板" in phone.locator("h1").inner_text()
        # The key numbers on the first screen, with 30 days stored behind them
        box = phone.locator("[data-number=in_quarantine]").bounding_box()
        assert box is not None
        assert box["y"] + box["height"] <= FOLD, username
        assert phone.locator("[data-number=in_quarantine] .n").inner_text().strip() != "—"
        # Four charts, each drawn, none wider than the screen
        assert phone.locator("[data-chart][data-drawn] canvas").count() == 4, username
        width = phone.locator("[data-chart=chart-cases] canvas").first.bounding_box()["width"]
        assert width <= 360
        # One tap shows a chart's numbers as a table
        table = phone.locator("[data-trend=exits]")
        assert not table.is_visible()
        phone.locator("section", has=table).locator("summary").click()
        assert table.is_visible()
        assert table.locator("tbody tr").count() == 30
        assert_fits_phone(phone)
        assert not violations(phone), username  # axe: nothing serious, charts drawn
    assert not problems, problems


def test_the_page_reads_without_javascript(demo: None, browser: Any, live_server: Any) -> None:
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, locale="zh-CN", java_script_enabled=False
    )
    page = context.new_page()
    page.base_url = live_server.url
    log_in(page, "demo-street", settings.DEMO_PASSWORD)
    page.goto(live_server.url + "/dashboard/")
    # No chart, and no empty box where it would be: the tables carry the numbers
    assert page.locator("[data-chart] canvas").count() == 0
    assert page.locator("[data-chart=chart-cases]").bounding_box()["height"] == 0
    page.locator("section", has=page.locator("[data-trend=cases]")).locator("summary").click()
    assert page.locator("[data-trend=cases] tbody tr").count() == 30
    assert_fits_phone(page)
    context.close()
