"""Printed pass cards: four A6 cards to an A4 page, a CJK font embedded, serial and room in
the text; no font, no printing (never empty boxes)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from fangkong.access import cards
from fangkong.access.models import Pass
from fangkong.access.tests.factories import household_with_pass
from fangkong.core import pdf

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing"),
]


def _pdf(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "cards.pdf"
    path.write_bytes(data)
    return path


def test_the_card_pdf_has_the_serial_room_and_an_embedded_cjk_font(
    client: Any, officer_a: Any, community_a: Any, grid_a1: Any, tmp_path: Path
) -> None:
    homes = [household_with_pass(community_a, grid_a1) for _ in range(5)]
    client.force_login(officer_a)
    response = client.get(reverse("access:pass_print"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    path = _pdf(tmp_path, response.content)

    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for household, item in homes:
        assert item.serial in text
        assert f"{household.unit}-{household.room}" in text
        assert household.building.community.name in text  # Chinese text came out as text
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    cjk = [line for line in fonts.splitlines() if "CJK" in line or "Hei" in line]
    assert cjk, fonts
    assert all(" yes " in line for line in cjk)  # embedded
    pages = subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True
    ).stdout
    info = dict(line.split(":", 1) for line in pages.splitlines() if ":" in line)
    assert info["Pages"].strip() == "2"  # five cards, four to a page
    assert "(A4)" in info["Page size"]


def test_the_card_prints_the_community_offices_phone_from_its_settings(
    client: Any, officer_a: Any, community_a: Any, grid_a1: Any, tmp_path: Path
) -> None:
    from fangkong.areas.services import do_update_area

    do_update_area(community_a, by=None, contact_phone="024-23456789")
    household_with_pass(community_a, grid_a1)
    client.force_login(officer_a)

    response = client.get(reverse("access:pass_print"))

    text = subprocess.run(
        ["pdftotext", str(_pdf(tmp_path, response.content)), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "024-23456789" in text


def test_the_qr_code_holds_the_token_only(community_a: Any, grid_a1: Any) -> None:
    _, item = household_with_pass(community_a, grid_a1)
    uri = cards.qr_svg_data_uri(item.token)
    assert uri.startswith("data:image/svg+xml")
    assert item.serial not in uri


def test_without_a_cjk_font_printing_fails_loudly(
    monkeypatch: Any, community_a: Any, grid_a1: Any
) -> None:
    _, item = household_with_pass(community_a, grid_a1)
    cards.cjk_font_family.cache_clear()
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    try:
        with pytest.raises(cards.CJKFontMissing, match="fonts-noto-cjk"):
            cards.render_cards_pdf(Pass.objects.filter(pk=item.pk))
    finally:
        cards.cjk_font_family.cache_clear()


def test_without_a_cjk_font_the_print_page_says_so_instead_of_failing(
    monkeypatch: Any, client: Any, officer_a: Any, community_a: Any, grid_a1: Any
) -> None:
    household_with_pass(community_a, grid_a1)
    cards.cjk_font_family.cache_clear()
    monkeypatch.setattr(pdf.shutil, "which", lambda name: None)
    client.force_login(officer_a)
    try:
        response = client.get(reverse("access:pass_print"), follow=True)
    finally:
        cards.cjk_font_family.cache_clear()
    assert response.status_code == 200
    assert response.redirect_chain[0][0].startswith(reverse("access:pass_list"))
    page = response.content.decode()
    assert "中文字体" in page or "Chinese font" in page  # the page's language, either way
