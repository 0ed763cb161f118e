"""Shops, visits and sign-ins made as the office, an inspector and a customer make them:
through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

import factory

from fangkong.areas.models import Area
from fangkong.merchants import services
from fangkong.merchants.choices import CheckItem, CheckResult, MerchantKind, MerchantStatus
from fangkong.merchants.models import Inspection, Merchant, RegisterEntry


class MerchantFactory(factory.django.DjangoModelFactory):
    """An open shop of ``area`` (a community or a grid), listed by the system."""

    class Meta:
        model = Merchant

    area: Any = None
    name = factory.Sequence(lambda n: f"惠民超市{n}号店")
    kind = MerchantKind.SUPERMARKET
    address = factory.Sequence(lambda n: f"五三路{n + 1}号")
    licence_number = factory.Sequence(lambda n: f"9121011200{n:06d}")
    contact_name = "李店长"
    phone = "13912345678"
    status = MerchantStatus.OPEN
    takes_temperature = False

    @classmethod
    def _create(cls, model_class: type[Merchant], *args: Any, **kwargs: Any) -> Merchant:
        area: Area = kwargs.pop("area")
        by = kwargs.pop("by", None)
        return services.do_create_merchant(area, kwargs, by=by)


def all_pass(**overrides: Any) -> dict[str, Any]:
    """A checklist with every item passed, but those given (``item=result`` or a pair)."""
    checks: dict[str, Any] = {item.value: CheckResult.PASS for item in CheckItem}
    checks.update(overrides)
    return checks


def inspect(
    merchant: Merchant,
    *,
    by: Any = None,
    visited_on: dt.date | None = None,
    **checks: Any,
) -> Inspection:
    return services.do_record_inspection(
        merchant,
        {
            "visited_on": visited_on,
            "inspectors": "区局第一组",
            "checks": all_pass(**checks),
            "notice_delivered": True,
            "book_delivered": True,
            "signed_by": "李店长",
        },
        by=by,
    )


def sign_in(
    merchant: Merchant, name: str = "张三", phone: str = "13800138000", **kw: Any
) -> RegisterEntry:
    return services.do_sign_in(merchant, {"name": name, "phone": phone}, **kw)
