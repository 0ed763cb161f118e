"""Supplies' routes for the access walk (see fangkong/core/tests/walk.py).

The first community keeps disinfectant in its office, given by a donation, with one bottle
issued to the walk's household and a gate's request waiting. Supplies rows belong to the
community, not a grid: the other grid's worker is no outsider (``grid_scoped=False``) but
holds no supplies right."""

from __future__ import annotations

from typing import Any

from fangkong.core.tests.walk import Route, World
from fangkong.staff.tests.factories import CheckpointFactory
from fangkong.supplies import services
from fangkong.supplies.choices import PlaceKind, Recipient, Unit
from fangkong.supplies.tests.factories import disinfectant, donation


def build(world: World) -> None:
    community = world.community_a
    office = services.office_of(community)
    item = disinfectant(community)
    given = donation(office, [(item, 2, Unit.BOX)], donor_name="甲乙丙丁驾校")
    services.do_issue_stock(
        place=office,
        item=item,
        quantity=1,
        unit=Unit.BOTTLE,
        day=community.local_today(),
        recipient=Recipient.HOUSEHOLD,
        household=world.household,
        signed_by="甲乙丙丁",
        by=None,
    )
    gate = services.place_of_checkpoint(CheckpointFactory(community=community, name="物资北门"))
    request = services.do_request_supplies(place=gate, by=None, note="北门缺消毒液")
    world.extra.update(
        supply_item=item, donation=given, supply_request=request, office=office, gate_place=gate
    )
    assert office.kind == PlaceKind.OFFICE


def _pk(name: str) -> Any:
    return lambda w: {"pk": w.extra[name].pk}


def _stock(w: World) -> dict[str, Any]:
    from fangkong.supplies.models import Stock

    return {"pk": Stock.objects.get(item=w.extra["supply_item"], place=w.extra["office"]).pk}


def _issue(w: World) -> dict[str, Any]:
    return {
        "place": w.extra["office"].pk,
        "item": w.extra["supply_item"].pk,
        "quantity": 1,
        "unit": "bottle",
        "recipient": "household",
        "household": w.household.pk,
        "signed_by": "张三",
    }


def _transfer(w: World) -> dict[str, Any]:
    return {
        "source": w.extra["office"].pk,
        "target": w.extra["gate_place"].pk,
        "item": w.extra["supply_item"].pk,
        "quantity": 1,
        "unit": "box",
        "signed_by": "李四",
    }


def _adjust(w: World) -> dict[str, Any]:
    return {
        "place": w.extra["office"].pk,
        "lot": w.extra["donation"].lots.first().pk,
        "reason": "damaged",
        "quantity": -1,
        "note": "一瓶破损",
    }


def _receive(w: World) -> dict[str, Any]:
    return {
        "place": w.extra["office"].pk,
        "source": "allocation",
        "supplier": "街道办",
        "signed_by": "李四",
        "lines": [{"item": w.extra["supply_item"].pk, "quantity": 2, "unit": "box"}],
    }


ROUTES = {
    "supplies:balances": Route(kind="list"),
    "supplies:item_list": Route(kind="list"),
    "supplies:item_add": Route(kind="list"),
    "supplies:item_detail": Route(kwargs=_pk("supply_item"), grid_scoped=False),
    "supplies:item_edit": Route(kwargs=_pk("supply_item"), grid_scoped=False),
    "supplies:item_minimum": Route(kwargs=_pk("supply_item"), grid_scoped=False),
    "supplies:place_add": Route(kind="list"),
    "supplies:donation_list": Route(kind="list"),
    "supplies:donation_add": Route(kind="list"),
    "supplies:donation_summary": Route(kind="list"),
    "supplies:donation_detail": Route(kwargs=_pk("donation"), grid_scoped=False),
    "supplies:donation_receipt": Route(kwargs=_pk("donation"), grid_scoped=False),
    "supplies:donation_certificate": Route(kwargs=_pk("donation"), grid_scoped=False),
    "supplies:movement_list": Route(kind="list"),
    "supplies:issue": Route(kind="list"),
    "supplies:transfer": Route(kind="list"),
    "supplies:receive": Route(kind="list"),
    "supplies:balance_export": Route(kind="list"),
    "supplies:item_export": Route(kind="list"),
    "supplies:donation_export": Route(kind="list"),
    "supplies:movement_export": Route(kind="list"),
    "supplies:adjust": Route(kind="list"),
    "supplies:request_list": Route(kind="list"),
    "supplies:request_add": Route(kind="list"),
    "supplies:request_detail": Route(kwargs=_pk("supply_request"), grid_scoped=False),
    "supplies:request_issue": Route(kwargs=_pk("supply_request"), grid_scoped=False),
    "supplies:request_refuse": Route(
        kwargs=_pk("supply_request"),
        method="post",
        data=lambda w: {"reason": "库存不足"},
        ok=302,
        grid_scoped=False,
    ),
    "api:supply-item-list": Route(kind="list", api=True),
    "api:supply-item-detail": Route(kwargs=_pk("supply_item"), api=True, grid_scoped=False),
    "api:donation-list": Route(kind="list", api=True),
    "api:donation-detail": Route(kwargs=_pk("donation"), api=True, grid_scoped=False),
    "api:stock-movement-list": Route(kind="list", api=True),
    "api:stock-movement-detail": Route(
        kwargs=lambda w: {"pk": w.extra["donation"].lots.first().movements.first().pk},
        api=True,
        grid_scoped=False,
    ),
    "api:stock-balance-list": Route(kind="list", api=True),
    "api:stock-balance-detail": Route(kwargs=_stock, api=True, grid_scoped=False),
    "api:supply-request-list": Route(kind="list", api=True),
    "api:supply-request-detail": Route(kwargs=_pk("supply_request"), api=True, grid_scoped=False),
    "api:stock-movement-issue": Route(kind="create", api=True, method="post", data=_issue, ok=201),
    "api:stock-movement-transfer": Route(
        kind="create", api=True, method="post", data=_transfer, ok=201
    ),
    "api:stock-movement-adjust": Route(
        kind="create", api=True, method="post", data=_adjust, ok=201
    ),
    "api:stock-movement-receive": Route(
        kind="create", api=True, method="post", data=_receive, ok=201
    ),
    "api:supply-request-issue": Route(
        kwargs=_pk("supply_request"),
        api=True,
        method="post",
        data=lambda w: {
            "source": w.extra["office"].pk,
            "item": w.extra["supply_item"].pk,
            "quantity": 2,
            "unit": "bottle",
            "signed_by": "王五",
        },
        grid_scoped=False,
    ),
    "api:supply-request-refuse": Route(
        kwargs=_pk("supply_request"),
        api=True,
        method="post",
        data=lambda w: {"reason": "库存不足"},
        grid_scoped=False,
    ),
}

API_WRITES = [
    (
        "api:supply-item-list",
        Route(
            kind="create",
            api=True,
            method="post",
            data=lambda w: {
                "community": w.community_a.pk,
                "name": "口罩",
                "category": "mask",
                "base_unit": "piece",
            },
            ok=201,
        ),
    ),
    (
        "api:supply-request-list",
        Route(
            kind="create",
            api=True,
            method="post",
            data=lambda w: {"place": w.extra["gate_place"].pk, "note": "缺手套"},
            ok=201,
        ),
    ),
]
