"""The supplies as .xlsx: items, donations, the ledger and the balances on a date; formulas
stay text, and a role without the export right gets none."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from fangkong.staff.tests.factories import CheckpointFactory
from fangkong.supplies import services
from fangkong.supplies.choices import Unit
from fangkong.supplies.tests.factories import STORY_DAY, disinfectant, donation

pytestmark = pytest.mark.django_db


def cells(response: Any) -> list[list[Any]]:
    assert response.status_code == 200, response.content[:300]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def story(community_a: Any) -> dict[str, Any]:
    item = disinfectant(community_a)
    office = services.office_of(community_a)
    gate = services.place_of_checkpoint(CheckpointFactory(community=community_a, name="北门"))
    donation(office, [(item, 4, Unit.BOX)], donor_name='=HYPERLINK("http://evil","点我")')
    services.do_transfer_stock(
        source=office,
        target=gate,
        item=item,
        quantity=1,
        unit=Unit.BOX,
        day=STORY_DAY,
        signed_by="李四",
        by=None,
    )
    return {"item": item, "office": office, "gate": gate}


def test_the_donations_export_has_a_row_per_line_and_neutralises_formulas(
    client: Any, officer_a: Any, story: dict[str, Any]
) -> None:
    client.force_login(officer_a)
    rows = cells(client.get(reverse("supplies:donation_export")))
    texts = [c for row in rows for c in row if isinstance(c, str)]
    assert any(c.startswith("'=HYPERLINK") for c in texts)
    assert not any(c.startswith("=") for c in texts)
    assert len(rows) == 2
    assert 120 in rows[1]


def test_the_balances_on_the_story_day_show_the_office_and_the_gate(
    client: Any, officer_a: Any, story: dict[str, Any]
) -> None:
    client.force_login(officer_a)
    rows = cells(client.get(reverse("supplies:balance_export") + f"?day={STORY_DAY}"))
    balances = {row[1]: row[4] for row in rows[1:]}
    assert balances == {story["office"].name: 90, "北门": 30}
    before = cells(client.get(reverse("supplies:balance_export") + "?day=2020-02-01"))
    assert {row[4] for row in before[1:]} <= {0}


def test_the_ledger_and_the_items_export_follow_the_page_filters(
    client: Any, officer_a: Any, story: dict[str, Any]
) -> None:
    client.force_login(officer_a)
    ledger = cells(client.get(reverse("supplies:movement_export") + "?kind=transfer_in"))
    assert [row[5] for row in ledger[1:]] == [30]
    items = cells(client.get(reverse("supplies:item_export")))
    assert items[1][1] == "消毒液"
    page = client.get(reverse("supplies:movement_list") + "?kind=transfer_in").content.decode()
    assert reverse("supplies:movement_export") + "?kind=transfer_in" in page


def test_a_gate_sees_the_stock_but_exports_nothing(
    client: Any, checkpoint_a: Any, story: dict[str, Any]
) -> None:
    client.force_login(checkpoint_a)
    assert client.get(reverse("supplies:item_export")).status_code == 403
