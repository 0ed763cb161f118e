"""The stock ledger: units, balances on dates, first-expiring-first lots, refusals, trails,
the minimum's task and the patrol's request."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from fangkong.staff.choices import PatrolFinding
from fangkong.staff.models import Task
from fangkong.staff.tests.factories import CheckpointFactory, patrol
from fangkong.supplies import services
from fangkong.supplies.choices import AdjustReason, MovementKind, Recipient, RequestStatus, Unit
from fangkong.supplies.models import Movement, Stock, SupplyRequest
from fangkong.supplies.tests.factories import STORY_DAY, disinfectant, donation, suits

pytestmark = pytest.mark.django_db

D = STORY_DAY


def _issue(place, item, n, day, unit=Unit.BOTTLE, **kw):  # type: ignore[no-untyped-def]
    return services.do_issue_stock(
        place=place,
        item=item,
        quantity=n,
        unit=unit,
        day=day,
        recipient=kw.pop("recipient", Recipient.PERSON),
        signed_by="王",
        by=None,
        **kw,
    )


def test_four_boxes_of_thirty_are_one_hundred_and_twenty_bottles(community_a) -> None:
    item = disinfectant(community_a)
    assert services.to_base(item, 4, Unit.BOX) == 120
    assert services.describe_quantity(item, 120) == f"120{Unit.BOTTLE.label}（4{Unit.BOX.label}）"
    office = services.office_of(community_a)
    donation(office, [(item, 4, Unit.BOX), (suits(community_a), 40, Unit.PIECE)])
    assert Stock.objects.get(item=item, place=office).quantity == 120


def test_an_unknown_unit_and_a_negative_quantity_are_refused(community_a) -> None:
    item = disinfectant(community_a)
    with pytest.raises(ValidationError, match=r"Unknown unit|未知"):
        services.to_base(item, 1, "crate")
    with pytest.raises(ValidationError):
        services.to_base(item, 1, Unit.PAIR)
    with pytest.raises(ValidationError):
        services.to_base(item, -3, Unit.BOTTLE)


def test_balances_on_each_date_are_the_sums_worked_by_hand(community_a) -> None:
    item = disinfectant(community_a)
    office = services.office_of(community_a)
    gate = services.place_of_checkpoint(CheckpointFactory(community=community_a, name="北门"))
    donation(office, [(item, 4, Unit.BOX)])  # D: 120 in the office
    services.do_transfer_stock(
        source=office,
        target=gate,
        item=item,
        quantity=1,
        unit=Unit.BOX,
        day=D + dt.timedelta(days=1),
        signed_by="李",
        by=None,
    )  # D+1: office 90, gate 30
    _issue(gate, item, 12, D + dt.timedelta(days=2))  # D+2: gate 18
    ids = [community_a.pk]
    assert services.balances_on(ids, D - dt.timedelta(days=1)) == {}
    assert services.balances_on(ids, D) == {(item.pk, office.pk): 120}
    assert services.balances_on(ids, D + dt.timedelta(days=1)) == {
        (item.pk, office.pk): 90,
        (item.pk, gate.pk): 30,
    }
    assert services.balances_on(ids, D + dt.timedelta(days=5)) == {
        (item.pk, office.pk): 90,
        (item.pk, gate.pk): 18,
    }
    assert Stock.objects.get(item=item, place=gate).quantity == 18


def test_issuing_more_than_the_balance_is_refused_and_stores_nothing(community_a) -> None:
    item = disinfectant(community_a)
    office = services.office_of(community_a)
    donation(office, [(item, 1, Unit.BOX)])
    before = Movement.objects.count()
    with pytest.raises(ValidationError):
        _issue(office, item, 31, D)
    assert Movement.objects.count() == before
    assert Stock.objects.get(item=item, place=office).quantity == 30


def test_a_movement_dated_before_the_stock_arrived_is_refused(community_a) -> None:
    item = disinfectant(community_a)
    office = services.office_of(community_a)
    donation(office, [(item, 1, Unit.BOX)])
    with pytest.raises(ValidationError) as refused:
        _issue(office, item, 1, D - dt.timedelta(days=3))
    assert "day" in refused.value.message_dict


def test_a_backdated_issue_cannot_take_what_a_later_one_took(community_a) -> None:
    item = disinfectant(community_a)
    office = services.office_of(community_a)
    donation(office, [(item, 1, Unit.BOX)])
    _issue(office, item, 25, D + dt.timedelta(days=5))
    with pytest.raises(ValidationError):
        _issue(office, item, 10, D + dt.timedelta(days=1))  # 30 then, but only 5 stay free
    _issue(office, item, 5, D + dt.timedelta(days=1))
    assert Stock.objects.get(item=item, place=office).quantity == 0


def test_issues_take_the_first_expiring_lot_and_refuse_an_expired_one_unconfirmed(
    community_a,
) -> None:
    item = disinfectant(community_a)
    office = services.office_of(community_a)
    late = donation(office, [(item, 10, Unit.BOTTLE)], expiry=D + dt.timedelta(days=300))
    soon = donation(office, [(item, 10, Unit.BOTTLE)], expiry=D + dt.timedelta(days=30))
    rows = _issue(office, item, 12, D + dt.timedelta(days=1))
    assert [(r.lot.donation_id, r.quantity) for r in rows] == [(soon.pk, -10), (late.pk, -2)]
    expired = donation(
        office,
        [(item, 5, Unit.BOTTLE)],
        day=D + dt.timedelta(days=2),
        expiry=D + dt.timedelta(days=3),
    )
    later = D + dt.timedelta(days=10)
    with pytest.raises(ValidationError) as refused:
        _issue(office, item, 2, later)
    assert "confirm_expired" in refused.value.message_dict
    rows = _issue(office, item, 2, later, confirm_expired=True)
    assert rows[0].lot.donation_id == expired.pk


def test_a_bottle_given_to_a_household_traces_back_to_its_donation(community_a, household) -> None:
    item = disinfectant(community_a)
    office = services.office_of(community_a)
    gift = donation(office, [(item, 4, Unit.BOX)])
    _issue(office, item, 2, D, recipient=Recipient.HOUSEHOLD, household=household)
    trail = services.trail_of_household(household)
    assert [(m.lot.donation, m.quantity) for m in trail] == [(gift, -2)]
    assert MovementKind.ISSUED in {m.kind for m in services.trail_of_donation(gift)}


def test_crossing_the_minimum_raises_one_low_stock_task(community_a) -> None:
    item = disinfectant(community_a)
    office = services.office_of(community_a)
    donation(office, [(item, 1, Unit.BOX)])
    services.do_set_minimum(item, office, 20, by=None)
    _issue(office, item, 5, D)
    assert not Task.objects.filter(kind=services.LOW_STOCK_TASK).exists()
    _issue(office, item, 6, D)  # 19 < 20
    _issue(office, item, 1, D)
    assert Task.objects.filter(kind=services.LOW_STOCK_TASK).count() == 1


def test_adjustments_need_a_reason_and_expired_stock_only_goes_down(community_a) -> None:
    item = disinfectant(community_a)
    office = services.office_of(community_a)
    lot = donation(office, [(item, 1, Unit.BOX)]).lots.get()
    with pytest.raises(ValidationError):
        services.do_adjust_stock(
            lot=lot,
            place=office,
            quantity=3,
            reason=AdjustReason.EXPIRED,
            note="过期",
            day=D,
            by=None,
        )
    services.do_adjust_stock(
        lot=lot, place=office, quantity=-4, reason=AdjustReason.DAMAGED, note="破损", day=D, by=None
    )
    assert Stock.objects.get(item=item, place=office).quantity == 26


def test_a_patrol_finding_supplies_short_opens_one_request_for_the_gate(community_a) -> None:
    gate = CheckpointFactory(community=community_a, name="南门")
    patrol(gate, findings=[PatrolFinding.SUPPLIES_SHORT], notes="消毒液只剩半瓶")
    patrol(gate, findings=[PatrolFinding.SUPPLIES_SHORT])
    request = SupplyRequest.objects.get()
    assert request.place.checkpoint == gate
    assert request.status == RequestStatus.OPEN
    assert Task.objects.filter(kind=services.REQUEST_TASK).count() == 1


def test_issuing_a_request_moves_the_stock_to_the_gate_and_closes_its_task(community_a) -> None:
    item = disinfectant(community_a)
    office = services.office_of(community_a)
    donation(office, [(item, 4, Unit.BOX)])
    gate = services.place_of_checkpoint(CheckpointFactory(community=community_a, name="东门"))
    request = services.do_request_supplies(
        place=gate, by=None, item=item, quantity=1, unit=Unit.BOX
    )
    services.do_issue_request(
        request,
        source=office,
        item=item,
        quantity=1,
        unit=Unit.BOX,
        day=community_a.local_today(),
        signed_by="张",
        by=None,
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.ISSUED
    assert Stock.objects.get(item=item, place=gate).quantity == 30
    assert not Task.objects.filter(kind=services.REQUEST_TASK, status="open").exists()


@pytest.fixture
def household(grid_a1):  # type: ignore[no-untyped-def]
    from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory

    return HouseholdFactory(building=BuildingFactory(grid=grid_a1))
