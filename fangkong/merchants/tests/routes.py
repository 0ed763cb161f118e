"""Merchants' routes for the access walk (see fangkong/core/tests/walk.py).

The first community lists an open shop with a failed inspection (its follow-up open), a
complaint and a register entry; its owner holds a link. The other community's officer finds
none of it; the public pages answer anyone holding the shop's tokens."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from fangkong.core.tests.walk import Route, World
from fangkong.merchants import register_tokens, services
from fangkong.merchants.choices import CheckResult, ComplaintKind
from fangkong.merchants.models import InspectionCheck
from fangkong.merchants.tests.factories import MerchantFactory, inspect, sign_in


def build(world: World) -> None:
    shop = MerchantFactory(area=world.community_a, name="便民超市")
    visit = inspect(shop, register_kept=(CheckResult.FAIL, "未登记"))
    complaint = services.do_record_complaint(
        shop, {"kind": ComplaintKind.CROWDING, "description": "排队拥挤"}, by=None
    )
    sign_in(shop)
    world.extra.update(
        merchant=shop,
        inspection=visit,
        check=InspectionCheck.objects.get(inspection=visit, result=CheckResult.FAIL),
        complaint=complaint,
        owner_token=services.do_issue_owner_link(shop, by=None),
    )


def _shop(w: World) -> dict[str, Any]:
    return {"pk": w.extra["merchant"].pk}


def _pk(key: str) -> Any:
    return lambda w: {"pk": w.extra[key].pk}


def _register(w: World) -> dict[str, Any]:
    return {"token": register_tokens.register_token(w.extra["merchant"].register_nonce)}


def _owner(w: World) -> dict[str, Any]:
    return {"token": w.extra["owner_token"]}


def _search(w: World) -> dict[str, Any]:
    now = timezone.now()
    return {
        "merchant": w.extra["merchant"].pk,
        "start": (now - timezone.timedelta(days=1)).isoformat(),
        "end": (now + timezone.timedelta(hours=1)).isoformat(),
        "reason": "密接排查",
    }


def _new_shop(w: World) -> dict[str, Any]:
    return {
        "area": w.community_a.pk,
        "name": "新开药房",
        "kind": "pharmacy",
        "address": "五三路9号",
    }


SHOP = {"grid_scoped": False}

ROUTES = {
    "merchants:merchant_list": Route(kind="list", **SHOP),
    "merchants:merchant_add": Route(kind="list", **SHOP),
    "merchants:merchant_export": Route(kind="list", **SHOP),
    "merchants:overview": Route(kind="list", **SHOP),
    "merchants:overview_export": Route(kind="list", **SHOP),
    "merchants:notice_template": Route(kind="list", **SHOP),
    "merchants:register_search": Route(kind="list", permitted="health_a", **SHOP),
    "merchants:inspection_list": Route(kind="list", **SHOP),
    "merchants:complaint_list": Route(kind="list", **SHOP),
    "merchants:merchant_detail": Route(kwargs=_shop, **SHOP),
    "merchants:merchant_edit": Route(kwargs=_shop, **SHOP),
    "merchants:merchant_status": Route(kwargs=_shop, **SHOP),
    "merchants:inspection_add": Route(kwargs=_shop, **SHOP),
    "merchants:notice_pdf": Route(kwargs=_shop, row=lambda w: w.extra["merchant"], **SHOP),
    "merchants:notice_add": Route(kwargs=_shop, **SHOP),
    "merchants:poster_pdf": Route(kwargs=_shop, row=lambda w: w.extra["merchant"], **SHOP),
    "merchants:poster_replace": Route(kwargs=_shop, method="post", ok=302, **SHOP),
    "merchants:owner_link_issue": Route(kwargs=_shop, method="post", **SHOP),
    "merchants:owner_link_revoke": Route(kwargs=_shop, method="post", ok=302, **SHOP),
    "merchants:complaint_add": Route(kwargs=_shop, **SHOP),
    "merchants:inspection_detail": Route(kwargs=_pk("inspection"), **SHOP),
    "merchants:follow_up_close": Route(kwargs=_pk("check"), **SHOP),
    "merchants:complaint_close": Route(kwargs=_pk("complaint"), **SHOP),
    "merchants:sign_in": Route(kind="public", kwargs=_register),
    "merchants:owner_page": Route(kind="public", kwargs=_owner),
    "merchants:owner_poster": Route(kind="public", kwargs=_owner),
    "api:merchant-list": Route(kind="list", api=True, **SHOP),
    "api:merchant-detail": Route(kwargs=_shop, api=True, **SHOP),
    "api:merchant-inspection-list": Route(kind="list", api=True, **SHOP),
    "api:merchant-inspection-detail": Route(kwargs=_pk("inspection"), api=True, **SHOP),
    "api:merchant-notice-list": Route(kind="list", api=True, **SHOP),
    "api:merchant-notice-detail": Route(
        kwargs=lambda w: {"pk": w.extra["inspection"].merchant.notices.get().pk}, api=True, **SHOP
    ),
    "api:merchant-register-search": Route(
        kind="create", api=True, method="post", data=_search, permitted="health_a"
    ),
}

API_WRITES = [
    ("api:merchant-list", Route(kind="create", api=True, method="post", data=_new_shop, ok=201)),
]
