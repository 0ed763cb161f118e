"""Going live without a shell (issue 15), end to end on a phone (360×740) in Chromium.

``demo-admin`` (the street's administrator, as ``seed_demo`` makes it) has a community with
two grids and a building in each; imports five staff accounts from an .xlsx; downloads the
sheet of one-time passwords (once: a second download is refused). One of the new grid
workers logs in with the printed password, is made to choose their own, and then sees their
grid's building and not the other grid's.

The area pages (add a community and its grids, tick buildings → a grid) are being built
beside this test (issue 15, "areas"). Until they land, the set-up makes the community, the
grids and the buildings through the services; the coordinator switches these steps to the
pages: areas' "add an area" page (community 春华社区 under 五三街道, then 第一网格 and
第二网格 under it), and the community's buildings → grid page (building 1 → 第一网格,
building 2 → 第二网格).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
from fangkong.accounts.tests.factories import UserFactory
from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.areas.services import do_create_area
from fangkong.core.tests.browser import NEEDS_CHROMIUM, assert_fits_phone, log_in
from fangkong.registry.models import Building
from fangkong.registry.services import do_create_building

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]

NEW_PASSWORD = "Chunhua-Wangge-2020!"
ONE_TIME = re.compile(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}")


def street_with_a_new_community() -> tuple[User, Area]:
    """五三街道 and its administrator ``demo-admin``; a community with two grids and a
    building in each (see the module's docstring for the pages these steps become)."""
    city = do_create_area(level=AreaLevel.CITY, name="沈阳市", code="E2101", parent=None, by=None)
    district = do_create_area(
        level=AreaLevel.DISTRICT, name="和平区", code="E210102", parent=city, by=None
    )
    street = do_create_area(
        level=AreaLevel.STREET, name="五三街道", code="E210102001", parent=district, by=None
    )
    admin = UserFactory(username="demo-admin", role=Role.ADMINISTRATOR, area=street)
    # --- to become the area pages, as demo-admin ---
    community = do_create_area(
        level=AreaLevel.COMMUNITY, name="春华社区", code="E2101020011", parent=street, by=admin
    )
    grids = [
        do_create_area(
            level=AreaLevel.GRID, name=name, code=f"E2101020011-{n}", parent=community, by=admin
        )
        for n, name in enumerate(("第一网格", "第二网格"), start=1)
    ]
    for number, grid in zip(("1", "2"), grids, strict=True):
        do_create_building(
            community=community, by=None, number=number, units=2, floors=6, grid=grid
        )
    # --- end of the area part ---
    return admin, community


def staff_list() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名", "手机号", "用户名", "角色", "辖区/网格", "开始日期", "结束日期"])
    sheet.append(["赵一", "", "", "网格员", "第一网格", "", ""])
    sheet.append(["钱二", "", "", "网格员", "春华社区/第二网格", "", ""])
    sheet.append(["孙三", "", "", "志愿者", "春华社区", "", ""])
    sheet.append(["李四", "", "", "门岗", "春华社区", "", ""])
    sheet.append(["周五", "", "zhouwu-sq", "社区干部", "春华社区", "", ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf_text(path: Path) -> str:
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "poppler-utils' pdftotext is needed"
    result = subprocess.run(
        [pdftotext, "-layout", str(path), "-"], capture_output=True, check=True, timeout=60
    )
    return result.stdout.decode()


def test_an_administrator_brings_a_community_live_and_a_new_grid_worker_sees_only_their_grid(
    phone: Any, tmp_path: Path
) -> None:
    # Given 五三街道's administrator and a community with two grids, a building in each
    admin, community = street_with_a_new_community()

    # When demo-admin imports five staff accounts from the import page
    log_in(phone, admin.username)
    phone.goto(phone.base_url + reverse("accounts:import_start"))
    assert_fits_phone(phone)
    assert phone.locator("a[href$='/import/template/']").count() == 1
    phone.set_input_files(
        "input[name=file]",
        files=[
            {
                "name": "春华社区工作人员.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": staff_list(),
            }
        ],
    )
    phone.click("button[type=submit].primary")
    phone.wait_for_load_state()
    # Then the preview shows five accounts to make, and nothing is made yet
    assert "/accounts/import/" in phone.url
    assert_fits_phone(phone)
    assert not User.objects.filter(full_name="赵一").exists()
    phone.click("button[name=action][value=import]")
    phone.wait_for_load_state()
    assert "账号已创建" in phone.inner_text("main")
    assert User.objects.filter(area__path__startswith=community.path).count() == 5
    assert_fits_phone(phone)

    # And the sheet of one-time passwords is downloaded once
    with phone.expect_download() as download:
        phone.click("a[href$='/sheet/']")
    sheet = tmp_path / "passwords.pdf"
    download.value.save_as(sheet)
    text = pdf_text(sheet)
    zhaoyi = User.objects.get(full_name="赵一")
    assert zhaoyi.area.name == "第一网格"
    line = next(line for line in text.splitlines() if zhaoyi.username in line)
    match = ONE_TIME.search(line.replace(zhaoyi.username, ""))
    assert match, line
    one_time_password = match.group(0)
    for name in ("赵一", "钱二", "孙三", "李四", "周五"):
        assert name in text
    phone.reload()
    assert phone.locator("a[href$='/sheet/']").count() == 0
    second = phone.request.get(phone.url.rstrip("/") + "/sheet/")
    assert second.status == 404

    # When the new grid worker logs in with the printed password
    log_in(phone, zhaoyi.username, one_time_password)
    # Then they are made to choose their own first
    assert reverse("accounts:password_change") in phone.url
    assert_fits_phone(phone)
    phone.fill("input[name=old_password]", one_time_password)
    phone.fill("input[name=new_password1]", NEW_PASSWORD)
    phone.fill("input[name=new_password2]", NEW_PASSWORD)
    phone.click("main button[type=submit]")
    phone.wait_for_load_state()
    zhaoyi.refresh_from_db()
    assert not zhaoyi.must_change_password

    # And they see their grid's building, and nothing of the other grid
    phone.goto(phone.base_url + reverse("registry:community", args=[community.pk]))
    assert_fits_phone(phone)
    tiles = phone.locator("a.tile")
    assert tiles.count() == 1
    assert "第一网格" in tiles.first.inner_text()
    assert "第二网格" not in phone.inner_text("main")
    building_2 = Building.objects.get(community=community, grid__name="第二网格")
    assert phone.request.get(phone.base_url + building_2.get_absolute_url()).status == 404
