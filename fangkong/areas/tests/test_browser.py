"""The administrator lays out a community on a phone (360×740, Chinese, by touch): adds a
grid from the community's page, ticks two buildings into it, and closes an empty grid. Every
page fits the screen and every tap target is big enough."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from fangkong.areas.models import Area
from fangkong.core.tests.browser import NEEDS_CHROMIUM, assert_fits_phone, log_in
from fangkong.registry.models import Building
from fangkong.registry.tests.factories import BuildingFactory

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]


def _shot(page: Any, name: str) -> None:
    """A screenshot to look at, when FANGKONG_SCREENSHOTS names a folder (never committed)."""
    folder = os.environ.get("FANGKONG_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)


def test_the_administrator_adds_a_grid_and_ticks_buildings_into_it_on_a_phone(
    phone: Any, administrator: Any, community_a: Area, grid_a1: Area
) -> None:
    first = BuildingFactory(community=community_a, grid=None, number="1")
    second = BuildingFactory(community=community_a, grid=grid_a1, number="2")
    log_in(phone, administrator.username)

    phone.goto(phone.base_url + community_a.get_absolute_url())
    assert_fits_phone(phone)
    _shot(phone, "area_detail")
    phone.click("text=添加网格")
    phone.fill("input[name=name]", "第三网格")
    phone.fill("input[name=code]", "A3")
    assert_fits_phone(phone)
    _shot(phone, "area_add")
    phone.click("button[type=submit]")
    phone.wait_for_load_state()
    grid = Area.objects.get(code="A3")
    assert phone.url.endswith(grid.get_absolute_url())

    phone.goto(phone.base_url + community_a.get_absolute_url())
    phone.click("text=楼栋划分网格")
    phone.check(f"input[name=buildings][value='{first.pk}']")
    phone.check(f"input[name=buildings][value='{second.pk}']")
    phone.select_option("select[name=grid]", str(grid.pk))
    assert_fits_phone(phone)
    _shot(phone, "assign_grids")
    phone.click("button[type=submit]")
    phone.wait_for_load_state()
    assert "已将 2 栋楼划入第三网格" in phone.inner_text("body")
    assert set(
        Building.objects.filter(pk__in=[first.pk, second.pk]).values_list("grid", flat=True)
    ) == {grid.pk}

    phone.goto(phone.base_url + grid_a1.get_absolute_url())
    phone.click("text=撤销")
    phone.fill("input[name=reason]", "并入第三网格")
    assert_fits_phone(phone)
    _shot(phone, "area_close")
    phone.click("button[type=submit]")
    phone.wait_for_load_state()
    grid_a1.refresh_from_db()
    assert grid_a1.closed_at is not None
