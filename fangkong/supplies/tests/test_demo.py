"""The supplies part of ``seed_demo``: the story's donation in boxes, stock spread over the
office and the gates, a gate below its minimum with its task, a household's parcel traced
to its donation. Seeded once for the module, as the staff demo test does."""

from __future__ import annotations

from collections.abc import Iterator
from io import StringIO

import pytest
from django.core.management import call_command
from pytest_django import DjangoDbBlocker

from fangkong.areas.models import Area
from fangkong.core.demo import delete_demo
from fangkong.staff.models import Task
from fangkong.supplies.choices import PlaceKind, Veteran
from fangkong.supplies.demo import STORY_DAY
from fangkong.supplies.models import Donation, Movement, Stock
from fangkong.supplies.services import LOW_STOCK_TASK, balances_on

COMMUNITY_CODE = "210112D53001"


@pytest.fixture(scope="module")
def seeded(django_db_setup: None, django_db_blocker: DjangoDbBlocker) -> Iterator[str]:
    with django_db_blocker.unblock():
        out = StringIO()
        call_command("seed_demo", reset=True, stdout=out)
    yield out.getvalue()
    with django_db_blocker.unblock():
        delete_demo()


@pytest.fixture
def community(seeded: str, db: None) -> Area:
    return Area.objects.get(code=COMMUNITY_CODE)


def test_the_storys_donation_is_120_bottles_and_40_suits_from_a_veteran_run_school(
    community: Area,
) -> None:
    story = Donation.objects.get(community=community, donated_on=STORY_DAY)
    lines = {lot.item.name: (lot.quantity, lot.entered_quantity) for lot in story.lots.all()}

    assert story.veteran == Veteran.VETERAN_RUN
    assert lines == {"消毒液": (120, 4), "防护服": (40, 40)}


def test_stock_lies_in_the_office_and_the_gates_and_one_gate_is_below_its_minimum(
    community: Area,
) -> None:
    balances = balances_on([community.pk], community.local_today())
    kinds = {
        stock.place.kind
        for stock in Stock.objects.filter(community=community, quantity__gt=0).select_related(
            "place"
        )
    }
    assert {PlaceKind.OFFICE, PlaceKind.CHECKPOINT} <= kinds
    assert all(value >= 0 for value in balances.values())
    assert Stock.objects.filter(community=community, minimum__gt=0, quantity__lt=10).exists()
    assert Task.objects.filter(community=community, kind=LOW_STOCK_TASK).exists()


def test_every_stock_row_agrees_with_the_ledger(community: Area) -> None:
    balances = balances_on([community.pk], community.local_today())
    for stock in Stock.objects.filter(community=community):
        assert balances.get((stock.item_id, stock.place_id), 0) == stock.quantity


def test_a_households_parcel_traces_back_to_its_donation(community: Area) -> None:
    given = Movement.objects.filter(community=community, household__isnull=False).first()
    assert given is not None
    assert given.lot.donation is not None
