"""Receiving an allocation, adjusting a lot's stock with a reason, and the API's writes:
issue, transfer, adjust, receive, and deciding a request (200 with the request)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory
from fangkong.staff.tests.factories import CheckpointFactory
from fangkong.supplies import services
from fangkong.supplies.choices import MovementKind, RequestStatus, Source, Unit
from fangkong.supplies.models import Lot, Movement, Stock, SupplyRequest
from fangkong.supplies.tests.factories import STORY_DAY, disinfectant, donation

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(officer_a: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(officer_a)
    return client


@pytest.fixture
def stocked(community_a: Any) -> dict[str, Any]:
    """The office holds 4 boxes (120 bottles) of a donation; a gate is a place too."""
    item = disinfectant(community_a)
    office = services.office_of(community_a)
    gate = services.place_of_checkpoint(CheckpointFactory(community=community_a, name="北门"))
    gift = donation(office, [(item, 4, Unit.BOX)])
    return {"item": item, "office": office, "gate": gate, "lot": gift.lots.get()}


def test_the_balances_page_links_to_receiving_and_adjusting(
    client: Any, officer_a: Any, stocked: dict[str, Any]
) -> None:
    client.force_login(officer_a)
    page = client.get(reverse("supplies:balances")).content.decode()
    assert reverse("supplies:receive") in page
    assert reverse("supplies:adjust") in page


def test_the_officer_receives_an_allocation_in_boxes_as_a_new_lot(
    client: Any, officer_a: Any, stocked: dict[str, Any]
) -> None:
    client.force_login(officer_a)
    response = client.post(
        reverse("supplies:receive"),
        {
            "source": "allocation",
            "place": stocked["office"].pk,
            "day": STORY_DAY.isoformat(),
            "supplier": "街道办",
            "signed_by": "张三",
            "item_1": stocked["item"].pk,
            "quantity_1": 2,
            "unit_1": "box",
        },
    )
    assert response.status_code == 302, response.content.decode()
    lot = Lot.objects.get(source=Source.ALLOCATION)
    assert (lot.quantity, lot.supplier) == (60, "街道办")
    assert Stock.objects.get(item=stocked["item"], place=stocked["office"]).quantity == 180


def test_a_donation_cannot_be_received_as_an_allocation(
    client: Any, officer_a: Any, stocked: dict[str, Any]
) -> None:
    client.force_login(officer_a)
    response = client.post(
        reverse("supplies:receive"),
        {"source": "donation", "place": stocked["office"].pk, "signed_by": "张三"},
    )
    assert response.status_code == 400
    assert not Lot.objects.exclude(source=Source.DONATION).exists()


def test_damaged_bottles_are_written_off_with_what_was_found(
    client: Any, officer_a: Any, stocked: dict[str, Any]
) -> None:
    client.force_login(officer_a)
    assert client.get(reverse("supplies:adjust")).status_code == 200
    response = client.post(
        reverse("supplies:adjust"),
        {
            "place": stocked["office"].pk,
            "lot": stocked["lot"].pk,
            "reason": "damaged",
            "quantity": -3,
            "day": STORY_DAY.isoformat(),
            "note": "三瓶漏液",
        },
    )
    assert response.status_code == 302, response.content.decode()
    row = Movement.objects.get(kind=MovementKind.ADJUSTED)
    assert (row.quantity, row.reason, row.note) == (-3, "damaged", "三瓶漏液")
    assert Stock.objects.get(item=stocked["item"], place=stocked["office"]).quantity == 117


def test_expired_stock_cannot_be_adjusted_upwards_and_the_form_says_why(
    client: Any, officer_a: Any, stocked: dict[str, Any]
) -> None:
    client.force_login(officer_a)
    response = client.post(
        reverse("supplies:adjust"),
        {
            "place": stocked["office"].pk,
            "lot": stocked["lot"].pk,
            "reason": "expired",
            "quantity": 5,
            "day": STORY_DAY.isoformat(),
            "note": "多出",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert not Movement.objects.filter(kind=MovementKind.ADJUSTED).exists()


def test_the_api_issues_a_bottle_to_a_household_and_sends_a_box_to_the_gate(
    api: APIClient, stocked: dict[str, Any], grid_a1: Any
) -> None:
    household = HouseholdFactory(building=BuildingFactory(grid=grid_a1))
    issued = api.post(
        "/api/v1/supplies/movements/issue/",
        {
            "place": stocked["office"].pk,
            "item": stocked["item"].pk,
            "quantity": 1,
            "unit": "bottle",
            "recipient": "household",
            "household": household.pk,
            "signed_by": "张三",
        },
        format="json",
    )
    assert issued.status_code == 201, issued.content
    assert [row["quantity"] for row in issued.json()] == [-1]
    sent = api.post(
        "/api/v1/supplies/movements/transfer/",
        {
            "source": stocked["office"].pk,
            "target": stocked["gate"].pk,
            "item": stocked["item"].pk,
            "quantity": 1,
            "unit": "box",
            "signed_by": "李四",
        },
        format="json",
    )
    assert sent.status_code == 201, sent.content
    assert sorted(row["quantity"] for row in sent.json()) == [-30, 30]
    assert Stock.objects.get(item=stocked["item"], place=stocked["gate"]).quantity == 30
    assert Stock.objects.get(item=stocked["item"], place=stocked["office"]).quantity == 89


def test_the_api_refuses_more_than_the_balance_with_the_field_and_the_reason(
    api: APIClient, stocked: dict[str, Any]
) -> None:
    response = api.post(
        "/api/v1/supplies/movements/transfer/",
        {
            "source": stocked["office"].pk,
            "target": stocked["gate"].pk,
            "item": stocked["item"].pk,
            "quantity": 5,
            "unit": "box",
            "signed_by": "李四",
        },
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid", body
    assert "quantity" in body["fields"], body
    assert not Movement.objects.filter(kind=MovementKind.TRANSFER_OUT).exists()


def test_the_api_adjusts_and_receives(api: APIClient, stocked: dict[str, Any]) -> None:
    adjusted = api.post(
        "/api/v1/supplies/movements/adjust/",
        {
            "place": stocked["office"].pk,
            "lot": stocked["lot"].pk,
            "reason": "counted",
            "quantity": -2,
            "note": "盘点少两瓶",
        },
        format="json",
    )
    assert adjusted.status_code == 201, adjusted.content
    assert adjusted.json()["reason"] == "counted"
    received = api.post(
        "/api/v1/supplies/movements/receive/",
        {
            "place": stocked["office"].pk,
            "source": "purchase",
            "supplier": "某药房",
            "signed_by": "张三",
            "lines": [{"item": stocked["item"].pk, "quantity": 10, "unit": "bottle"}],
        },
        format="json",
    )
    assert received.status_code == 201, received.content
    assert received.json()[0]["quantity"] == 10
    assert Stock.objects.get(item=stocked["item"], place=stocked["office"]).quantity == 128


def test_the_api_issues_a_request_as_asked_and_answers_200(
    api: APIClient, stocked: dict[str, Any]
) -> None:
    request = services.do_request_supplies(
        place=stocked["gate"], item=stocked["item"], quantity=6, unit="bottle", by=None
    )
    response = api.post(
        f"/api/v1/supplies/requests/{request.pk}/issue/",
        {"source": stocked["office"].pk, "signed_by": "王五", "version": request.version},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == RequestStatus.ISSUED
    assert Stock.objects.get(item=stocked["item"], place=stocked["gate"]).quantity == 6


def test_the_api_refuses_a_request_once_and_a_stale_version_conflicts(
    api: APIClient, stocked: dict[str, Any]
) -> None:
    request = services.do_request_supplies(place=stocked["gate"], by=None, note="缺手套")
    stale = api.post(
        f"/api/v1/supplies/requests/{request.pk}/refuse/",
        {"reason": "没有库存", "version": request.version + 5},
        format="json",
    )
    assert stale.status_code == 409
    refused = api.post(
        f"/api/v1/supplies/requests/{request.pk}/refuse/", {"reason": "没有库存"}, format="json"
    )
    assert refused.status_code == 200, refused.content
    assert SupplyRequest.objects.get().refusal == "没有库存"
    again = api.post(
        f"/api/v1/supplies/requests/{request.pk}/refuse/", {"reason": "再说"}, format="json"
    )
    assert again.status_code == 400
