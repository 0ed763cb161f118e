"""The daily report on a phone (360×740, in Chinese, Debian's Chromium): demo-community
submits today's report, and demo-street sees it among its communities' reports; demo-street
sets its deadline, sees which community is late, submits the street's report and downloads
the street summary filled from the shipped template (its cells read back)."""

from __future__ import annotations

from typing import Any

import openpyxl
import pytest
from django.conf import settings

from fangkong.areas.models import Area
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


def test_the_street_sees_who_is_late_and_downloads_its_summary_filled_from_the_template(
    demo: None, phone: Any, tmp_path: Any
) -> None:
    # demo-community submits today's report from the home page
    log_in(phone, "demo-community", settings.DEMO_PASSWORD)
    phone.goto(phone.base_url + "/")
    phone.locator("[data-daily-report]").click()
    phone.wait_for_load_state()
    phone.get_by_label("当日重点事项").fill("核酸检测顺利完成。")
    phone.get_by_role("button", name="提交日报").click()
    phone.wait_for_load_state()
    assert "日报已提交" in phone.content()
    community = DailyReport.objects.get(area__name="在水一方社区", is_current=True)
    street = community.area.parent
    assert street is not None

    # demo-street sets its deadline to midnight: every community not in is late now
    log_in(phone, "demo-street", settings.DEMO_PASSWORD)
    phone.goto(phone.base_url + "/daily/")
    phone.locator("[data-deadline-link]").click()
    phone.wait_for_load_state()
    assert_fits_phone(phone)
    phone.get_by_label("超过此时间未报即逾期（当地时间）").fill("00:00")
    phone.get_by_role("button", name="保存截止时间").click()
    phone.wait_for_load_state()
    assert "截止时间已保存" in phone.content()
    assert_fits_phone(phone)

    # it sees who submitted, who is late, and the totals
    children = list(Area.objects.filter(parent=street, level="community").order_by("path"))
    submitted = {
        r.area_id: r for r in DailyReport.objects.filter(area__parent=street, is_current=True)
    }
    late = [c for c in children if c.pk not in submitted]
    assert late  # the demo's communities that have not reported
    text = phone.locator("main").inner_text()
    assert f"已提交：{len(submitted)} / {len(children)}" in text
    for area in late:
        late_row = phone.locator(f"[data-area='{area.pk}']")
        assert late_row.get_attribute("data-state") == "late"
        assert "自 00:00 起逾期" in late_row.inner_text()
    households = sum(r.figures.get("households.total", 0) for r in submitted.values())
    total = phone.locator("[data-rollup] tbody tr").nth(1).locator("[data-total]")
    assert total.inner_text() == str(households)  # 户数: the sum of the submitted reports

    # submits the street's report and downloads the street summary from its page
    phone.get_by_label("当日重点事项").fill("街道各社区运行平稳。")
    phone.get_by_role("button", name="提交日报").click()
    phone.wait_for_load_state()
    assert_fits_phone(phone)
    link = phone.locator("[data-template]").filter(has_text="街道各社区日报汇总表")
    with phone.expect_download() as download:
        link.click()
    saved = tmp_path / "summary.xlsx"
    download.value.save_as(saved)

    sheet = openpyxl.load_workbook(saved).active
    rows = {sheet.cell(row=r, column=2).value: r for r in range(4, 4 + len(children))}
    assert list(rows) == [c.name for c in children]  # one row per community, in order
    for child in children:
        row = rows[child.name]
        state = sheet.cell(row=row, column=3).value
        value = sheet.cell(row=row, column=4).value
        if child.pk in submitted:
            assert state == "已提交"
            assert value == submitted[child.pk].figures["households.total"]
        else:
            assert state == "未提交"
            assert value is None
    total_row = 4 + len(children)
    assert sheet.cell(row=total_row, column=1).value == "合计"
    assert sheet.cell(row=total_row, column=4).value == households
    assert "街道各社区运行平稳。" in str(sheet.cell(row=total_row + 2, column=1).value)
    assert sheet["A1"].value == f"{street.name}各社区疫情防控日报汇总表"
