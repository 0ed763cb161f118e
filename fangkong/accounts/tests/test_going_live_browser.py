"""Going live without a shell (issue 15), end to end on a phone (360×740) in Chromium.

``demo-admin`` (the street's administrator, as ``manage.py setup`` or ``seed_demo`` makes
it) adds a community and its two grids on the area pages and gives each building its grid on
the community's tiles; imports five staff accounts from an .xlsx; downloads the sheet of
one-time passwords (once: a second download is refused). One of the new grid workers logs in
with the printed password, is made to choose their own, and then sees their grid's building
and not the other grid's.
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


def street_with_its_administrator() -> tuple[User, Area]:
    """五三街道 as ``manage.py setup`` leaves it, with its administrator ``demo-admin``."""
    city = do_create_area(level=AreaLevel.CITY, name="沈阳市", code="E2101", parent=None, by=None)
    district = do_create_area(
        level=AreaLevel.DISTRICT, name="和平区", code="E210102", parent=city, by=None
    )
    street = do_create_area(
        level=AreaLevel.STREET, name="五三街道", code="E210102001", parent=district, by=None
    )
    admin = UserFactory(username="demo-admin", role=Role.ADMINISTRATOR, area=street)
    return admin, street


def add_area(phone: Any, parent: Area, link: str, name: str, code: str) -> Area:
    """The administrator adds an area below ``parent`` through its page."""
    phone.goto(phone.base_url + parent.get_absolute_url())
    phone.click(f"text={link}")
    phone.fill("input[name=name]", name)
    phone.fill("input[name=code]", code)
    assert_fits_phone(phone)
    phone.click("main button[type=submit]")
    phone.wait_for_load_state()
    return Area.objects.get(code=code)


def assign(phone: Any, community: Area, building: Building, grid: Area) -> None:
    """The administrator ticks a building on the community's tiles and gives it a grid."""
    phone.goto(phone.base_url + community.get_absolute_url())
    phone.click("text=楼栋划分网格")
    phone.check(f"input[name=buildings][value='{building.pk}']")
    phone.select_option("select[name=grid]", str(grid.pk))
    assert_fits_phone(phone)
    phone.click("main button[type=submit]")
    phone.wait_for_load_state()


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
    # Given 五三街道 and its administrator, as the set-up command leaves them
    admin, street = street_with_its_administrator()
    log_in(phone, admin.username)

    # When demo-admin creates a community with two grids on the area pages
    community = add_area(phone, street, "添加社区", "春华社区", "E2101020011")
    grids = [
        add_area(phone, community, "添加网格", name, f"E2101020011-{n}")
        for n, name in enumerate(("第一网格", "第二网格"), start=1)
    ]
    # And, once the community's buildings are in (the registry's import, not the
    # administrator's: it sees no resident), gives each building its grid
    buildings = [
        do_create_building(community=community, by=None, number=number, units=2, floors=6)
        for number in ("1", "2")
    ]
    for building, grid in zip(buildings, grids, strict=True):
        assign(phone, community, building, grid)
    assert [b.grid_id for b in Building.objects.filter(community=community).order_by("number")] == [
        g.pk for g in grids
    ]

    # When demo-admin imports five staff accounts from the import page
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
