"""The pages: the public sign-in page, the owner's page and its scope, the printed notice and
poster, the overview, and the export's neutralised formulas."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.cache import caches

from fangkong.core.ratelimit import CACHE_ALIAS
from fangkong.merchants import register_tokens, services
from fangkong.merchants.choices import CheckResult, MerchantStatus
from fangkong.merchants.models import RegisterEntry
from fangkong.merchants.tests.factories import MerchantFactory, inspect, sign_in

pytestmark = pytest.mark.django_db
NEEDS_POPPLER = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler missing")


def _sign_in_url(shop: Any) -> str:
    return f"/merchants/r/{register_tokens.register_token(shop.register_nonce)}/"


def test_a_customer_signs_in_without_logging_in(client: Any, community_a: Any) -> None:
    shop = MerchantFactory(area=community_a, name="惠民超市")

    page = client.get(_sign_in_url(shop))
    done = client.post(_sign_in_url(shop), {"name": "孙八", "phone": "13800138000"})

    assert page.status_code == 200
    assert "惠民超市" in page.content.decode()
    assert done.status_code == 200
    assert b"data-signed-in" in done.content
    entry = RegisterEntry.objects.get()
    assert (entry.name, entry.phone_mask, entry.source) == ("孙八", "138****8000", "qr")


def test_the_sign_in_page_refuses_a_bad_phone_with_a_message(client: Any, community_a: Any) -> None:
    shop = MerchantFactory(area=community_a)
    response = client.post(_sign_in_url(shop), {"name": "孙八", "phone": "abc"})
    assert response.status_code == 400
    assert not RegisterEntry.objects.exists()


def test_a_guessed_token_finds_nothing(client: Any, community_a: Any) -> None:
    MerchantFactory(area=community_a)
    assert client.get("/merchants/r/AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAA/").status_code == 404
    assert client.get("/merchants/owner/" + "A" * 32 + "/").status_code == 404


def test_a_flood_of_sign_ins_is_throttled(client: Any, community_a: Any, settings: Any) -> None:
    caches[CACHE_ALIAS].clear()
    settings.MERCHANT_SIGNINS_PER_SHOP = 3
    shop = MerchantFactory(area=community_a)
    codes = [
        client.post(_sign_in_url(shop), {"name": "孙八", "phone": "13800138000"}).status_code
        for _ in range(5)
    ]
    assert codes[:3] == [200, 200, 200]
    assert codes[3:] == [429, 429]
    assert RegisterEntry.objects.count() == 3


def test_the_owner_sees_their_own_register_and_never_another_shops(
    client: Any, community_a: Any, officer_a: Any
) -> None:
    mine = MerchantFactory(area=community_a, name="我的店")
    other = MerchantFactory(area=community_a, name="别人的店")
    sign_in(mine, name="周九")
    sign_in(other, name="吴十")
    inspect(mine, door_temperature=(CheckResult.FAIL, "未测温"))
    token = services.do_issue_owner_link(mine, by=officer_a)

    page = client.get(f"/merchants/owner/{token}/").content.decode()

    assert "周九" in page
    assert "吴十" not in page
    assert "别人的店" not in page
    assert "门口测温" in page or "Temperature checks at the door" in page or "未测温" in page
    # Another shop's register cannot be asked for: the token names the shop, nothing else.
    assert (
        client.get(f"/merchants/owner/{token}/?merchant={other.pk}").content.decode().count("吴十")
        == 0
    )


def test_the_owner_enters_a_visit_by_hand(client: Any, community_a: Any, officer_a: Any) -> None:
    shop = MerchantFactory(area=community_a)
    token = services.do_issue_owner_link(shop, by=officer_a)
    response = client.post(f"/merchants/owner/{token}/", {"name": "郑一", "phone": "024-23456789"})
    assert response.status_code == 302
    assert RegisterEntry.objects.get().source == "owner"


def test_a_revoked_owners_link_opens_nothing(client: Any, community_a: Any, officer_a: Any) -> None:
    shop = MerchantFactory(area=community_a)
    token = services.do_issue_owner_link(shop, by=officer_a)
    services.do_revoke_owner_link(shop, by=officer_a)
    assert client.get(f"/merchants/owner/{token}/").status_code == 404


def _pdf_text(tmp_path: Path, data: bytes) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@NEEDS_POPPLER
def test_the_notice_is_printed_with_the_shops_name_the_date_and_the_contact(
    client: Any, community_a: Any, officer_a: Any, tmp_path: Path
) -> None:
    shop = MerchantFactory(area=community_a, name="康泰大药房")
    services.do_save_notice_template(
        community_a,
        {
            "title": "疫情防控告知函",
            "body": "【商户名称】：请落实防控措施。\n【日期】\n联系人：【联系人】",
            "contact": "社区办 024-23456789",
        },
        by=officer_a,
    )
    client.force_login(officer_a)

    response = client.get(f"/merchants/{shop.pk}/notice.pdf")

    text = _pdf_text(tmp_path, response.content)
    today = community_a.local_today()
    assert response["Content-Type"] == "application/pdf"
    assert "疫情防控告知函" in text
    assert "康泰大药房" in text
    assert f"{today:%Y}年{today:%m}月{today:%d}日" in text
    assert "024-23456789" in text


@NEEDS_POPPLER
def test_the_poster_shows_the_shop_and_its_qr_code_holds_only_a_link(
    client: Any, community_a: Any, officer_a: Any, tmp_path: Path
) -> None:
    shop = MerchantFactory(area=community_a, name="惠民超市")
    client.force_login(officer_a)
    response = client.get(f"/merchants/{shop.pk}/poster.pdf")
    text = _pdf_text(tmp_path, response.content)
    assert "惠民超市" in text
    assert "扫码" in text


def test_the_poster_is_refused_for_a_closed_shop(
    client: Any, community_a: Any, officer_a: Any
) -> None:
    shop = MerchantFactory(area=community_a, status=MerchantStatus.CLOSED)
    client.force_login(officer_a)
    assert client.get(f"/merchants/{shop.pk}/poster.pdf").status_code == 403


def test_the_export_neutralises_formulas_and_masks_phones(
    client: Any, community_a: Any, officer_a: Any
) -> None:
    MerchantFactory(area=community_a, name='=HYPERLINK("http://evil","点我")', phone="13912345678")
    client.force_login(officer_a)

    response = client.get("/merchants/export/")

    body = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if isinstance(c, str)]
    assert any(c.startswith("'=HYPERLINK") for c in cells)
    assert not any(c.startswith("=") for c in cells)
    assert "139****5678" in cells
    assert "13912345678" not in cells


def test_the_overview_counts_visited_open_and_delivered_shops(
    client: Any, community_a: Any, officer_a: Any
) -> None:
    from fangkong.merchants.overview import counts_by_community

    visited = MerchantFactory(area=community_a)
    inspect(visited, distance=CheckResult.FAIL)
    MerchantFactory(area=community_a, status=MerchantStatus.CLOSED)

    figures = counts_by_community(officer_a)[community_a.pk]

    assert figures == {
        "shops": 2,
        "visited": 1,
        "open": 1,
        "notice": 1,
        "book": 1,
        "notice_and_book": 1,
        "open_checks": 1,
    }
    client.force_login(officer_a)
    assert client.get("/merchants/overview/").status_code == 200
    assert client.get("/merchants/overview/export/").status_code == 200
