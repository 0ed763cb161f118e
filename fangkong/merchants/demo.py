"""Demo shops around 在水一方社区: about 500 (generated names only), of which 55 reopened and
were given the prevention notice and the registration book at an inspection; a few of those
inspections failed items, with their follow-up tasks open; some customers signed the
registers. The bulk of the shops are inserted in one go (with their history and change-log
rows in bulk); the 55 visits go through the services, as an inspector's would."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from fangkong.core.choices import ChangeAction
from fangkong.core.demo import (
    DemoContext,
    delete_rows,
    fake_mobile,
    fake_name,
    insert_rows,
    record_changes_in_bulk,
)
from fangkong.merchants import services
from fangkong.merchants.choices import CheckItem, CheckResult, MerchantKind, MerchantStatus
from fangkong.merchants.models import (
    Complaint,
    Inspection,
    InspectionCheck,
    Merchant,
    MerchantStatusChange,
    Notice,
    NoticeTemplate,
    RegisterEntry,
)

ORDER = 80
SHOPS = 496
REOPENED = 55
FAILED_VISITS = 4

_PREFIXES = "鑫华盛兴隆福康泰顺达宏安和美佳新利源丰"
_KIND_WORDS = {
    MerchantKind.GROCERY: "便利店",
    MerchantKind.SUPERMARKET: "超市",
    MerchantKind.PHARMACY: "大药房",
    MerchantKind.RESTAURANT: "饭店",
    MerchantKind.BARBER: "理发店",
    MerchantKind.BAKERY: "面包房",
    MerchantKind.HARDWARE: "五金店",
    MerchantKind.CLINIC: "诊所",
    MerchantKind.OTHER: "商行",
}
_STREETS = ("浑南中路", "五三路", "创新路", "沈营路", "文溯街")


def seed(ctx: DemoContext) -> None:
    community = ctx.areas["community"]
    rng = ctx.random("merchants")
    today = community.local_today()
    kinds = list(_KIND_WORDS)
    taken: set[str] = set()
    shops: list[Merchant] = []
    for number in range(SHOPS):
        kind = kinds[number % len(kinds)]
        name = (
            f"{rng.choice(_PREFIXES)}{rng.choice(_PREFIXES)}{_KIND_WORDS[kind]}（{number + 1}号）"
        )
        merchant = services.new_merchant(
            community,
            {
                "name": name,
                "kind": kind,
                "address": f"{rng.choice(_STREETS)}{rng.randint(1, 300)}号",
                "licence_number": f"91210112MA{number:06d}",
                "contact_name": fake_name(rng, rng.choice("MF"), rng.randint(1960, 1995)),
                "phone": fake_mobile(rng, taken),
                "status": MerchantStatus.CLOSED,
                "status_since": today - dt.timedelta(days=40),
                "takes_temperature": kind in (MerchantKind.SUPERMARKET, MerchantKind.PHARMACY),
            },
        )
        shops.append(merchant)
    shops = insert_rows(Merchant, shops)
    closed_since = today - dt.timedelta(days=40)
    history = insert_rows(
        MerchantStatusChange,
        [
            MerchantStatusChange(
                community=community, merchant=shop, status=shop.status, on=closed_since
            )
            for shop in shops
        ],
    )
    record_changes_in_bulk(ChangeAction.CREATE, shops)
    record_changes_in_bulk(ChangeAction.CREATE, history)

    services.do_save_notice_template(
        community,
        {
            "title": services.DEFAULT_NOTICE_TITLE,
            "body": services.DEFAULT_NOTICE_BODY,
            "contact": community.contact_phone or "024-23456789",
        },
        by=None,
    )
    # Every shop was visited once while closed; the 55 that reopened again, with the notice
    # and the book; a few of those visits failed items (their follow-ups still open).
    reopened = shops[:REOPENED]
    inspectors = "区局第一组"
    for number, shop in enumerate(reopened):
        services.do_change_status(
            shop,
            status=MerchantStatus.REOPENED,
            on=today - dt.timedelta(days=rng.randint(1, 10)),
            by=None,
        )
        checks: dict[str, Any] = {item.value: CheckResult.PASS for item in CheckItem}
        if number < FAILED_VISITS:
            checks[CheckItem.DOOR_TEMPERATURE] = (CheckResult.FAIL, "门口未设测温点")
            checks[CheckItem.REGISTER_KEPT] = (CheckResult.FAIL, "未登记进店人员")
        services.do_record_inspection(
            shop,
            {
                "visited_on": today - dt.timedelta(days=rng.randint(0, 3)),
                "inspectors": inspectors,
                "checks": checks,
                "notice_delivered": True,
                "book_delivered": True,
                "signed_by": shop.contact_name or "店主",
            },
            by=None,
        )
    _visited_while_closed(community, shops[REOPENED:], today, rng)
    # Reloaded: the status changes above went through the services, not these objects.
    _register_entries(
        list(Merchant.objects.filter(pk__in=[s.pk for s in reopened[:10]])), rng, taken
    )
    ctx.extra["merchants"] = shops
    ctx.count("shops", len(shops))
    ctx.count("shops reopened with notice and book", len(reopened))


def _visited_while_closed(community: Any, shops: list[Merchant], today: dt.date, rng: Any) -> None:
    """One visit each (checklist not applicable: the shop was shut), inserted in bulk."""
    visits = insert_rows(
        Inspection,
        [
            Inspection(
                community=community,
                merchant=shop,
                visited_on=today - dt.timedelta(days=rng.randint(5, 20)),
                inspectors="区局第二组",
                notes="店铺未营业",
            )
            for shop in shops
        ],
    )
    checks = insert_rows(
        InspectionCheck,
        [
            InspectionCheck(
                community=community,
                inspection=visit,
                merchant_id=visit.merchant_id,
                item=item.value,
                result=CheckResult.NOT_APPLICABLE,
            )
            for visit in visits
            for item in CheckItem
        ],
    )
    record_changes_in_bulk(ChangeAction.CREATE, visits)
    record_changes_in_bulk(ChangeAction.CREATE, checks)


def _register_entries(shops: list[Merchant], rng: Any, taken: set[str]) -> None:
    now = timezone.now()
    for shop in shops:
        for _n in range(rng.randint(3, 8)):
            data: dict[str, Any] = {
                "name": fake_name(rng, rng.choice("MF"), rng.randint(1950, 2005)),
                "phone": fake_mobile(rng, taken),
            }
            if shop.takes_temperature:
                data["temperature"] = f"36.{rng.randint(1, 8)}"
            services.do_sign_in(shop, data, at=now - dt.timedelta(hours=rng.randint(1, 24 * 6)))


def find(ctx: DemoContext) -> bool:
    return False  # the areas decide whether the demo exists


def unseed(ctx: DemoContext) -> None:
    communities = [ctx.areas[k] for k in ("community", "community2") if k in ctx.areas]
    if not communities:
        return
    RegisterEntry.objects.filter(community__in=communities).delete()
    Complaint.objects.filter(community__in=communities).delete()
    Notice.objects.filter(community__in=communities).delete()
    delete_rows(InspectionCheck.objects.filter(community__in=communities))
    delete_rows(Inspection.objects.filter(community__in=communities))
    delete_rows(MerchantStatusChange.objects.filter(community__in=communities))
    NoticeTemplate.objects.filter(community__in=communities).delete()
    delete_rows(Merchant.objects.filter(community__in=communities))
    ctx.extra.pop("merchants", None)
