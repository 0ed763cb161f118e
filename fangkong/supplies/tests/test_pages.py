"""The officer's pages: a donation recorded in boxes, bottles issued to a gate, balances
everywhere, the donation's trail, the receipt's and certificate's text, requests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from fangkong.staff.tests.factories import CheckpointFactory
from fangkong.supplies import services
from fangkong.supplies.choices import RequestStatus, Unit
from fangkong.supplies.models import Donation, Movement, Stock, SupplyRequest
from fangkong.supplies.tests.factories import STORY_DAY, disinfectant, donation, suits

pytestmark = pytest.mark.django_db


def pdf_text(tmp_path: Path, content: bytes) -> str:
    path = tmp_path / "page.pdf"
    path.write_bytes(content)
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, timeout=60
    )
    return result.stdout.decode()


def test_the_officer_records_a_donation_in_boxes_and_issues_bottles_to_a_gate(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    # Given the office's catalogue and a gate
    item, gowns = disinfectant(community_a), suits(community_a)
    office = services.office_of(community_a)
    gate = services.place_of_checkpoint(CheckpointFactory(community=community_a, name="北门"))
    client.force_login(officer_a)

    # When the officer records the story's donation in boxes
    response = client.post(
        reverse("supplies:donation_add"),
        {
            "donor_kind": "company",
            "donor_name": "某驾校",
            "veteran": "veteran_run",
            "donated_on": STORY_DAY.isoformat(),
            "place": office.pk,
            "item_1": item.pk,
            "quantity_1": 4,
            "unit_1": "box",
            "item_2": gowns.pk,
            "quantity_2": 40,
            "unit_2": "piece",
        },
    )
    assert response.status_code == 302, response.content.decode()
    gift = Donation.objects.get()
    assert Stock.objects.get(item=item, place=office).quantity == 120

    # and sends 30 bottles to the gate
    response = client.post(
        reverse("supplies:transfer"),
        {
            "source": office.pk,
            "target": gate.pk,
            "item": item.pk,
            "quantity": 30,
            "unit": "bottle",
            "day": community_a.local_today().isoformat(),
            "signed_by": "门岗李",
        },
    )
    assert response.status_code == 302, response.content.decode()

    # Then the balances show both places and the donation's trail shows the gate
    page = client.get(reverse("supplies:balances")).content.decode()
    assert "90" in page
    assert "北门" in page
    trail = client.get(gift.get_absolute_url()).content.decode()
    assert "北门" in trail
    assert Movement.objects.filter(place=gate, lot__donation=gift).exists()


def test_issuing_more_than_the_balance_is_refused_on_the_form_with_the_reason(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    item = disinfectant(community_a)
    office = services.office_of(community_a)
    donation(office, [(item, 1, Unit.BOX)])
    client.force_login(officer_a)
    response = client.post(
        reverse("supplies:issue"),
        {
            "place": office.pk,
            "item": item.pk,
            "quantity": 2,
            "unit": "box",
            "recipient": "person",
            "day": community_a.local_today().isoformat(),
            "signed_by": "王",
        },
    )
    assert response.status_code == 400
    assert "30" in response.content.decode()
    assert Stock.objects.get(item=item, place=office).quantity == 30


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
def test_the_receipt_and_the_certificate_say_who_gave_what_in_chinese(
    client: Any, officer_a: Any, community_a: Any, tmp_path: Path
) -> None:
    item = disinfectant(community_a)
    gift = donation(services.office_of(community_a), [(item, 4, Unit.BOX)], donor_name="某驾校")
    client.force_login(officer_a)

    receipt = client.get(reverse("supplies:donation_receipt", args=[gift.pk]))
    certificate = client.get(reverse("supplies:donation_certificate", args=[gift.pk]))

    assert receipt["Content-Type"] == "application/pdf"
    text = pdf_text(tmp_path, receipt.content)
    assert "某驾校" in text
    assert "消毒液" in text
    assert "120瓶（4箱）" in text
    assert "捐赠" in text
    thanks = pdf_text(tmp_path, certificate.content)
    assert "某驾校" in thanks
    assert "2020年2月18日" in thanks
    assert "感谢" in thanks


def test_the_summary_per_community_names_no_donor(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    donation(
        services.office_of(community_a),
        [(disinfectant(community_a), 1, Unit.BOX)],
        donor_name="张某某",
        donor_kind="person",
    )
    client.force_login(officer_a)
    page = client.get(reverse("supplies:donation_summary")).content.decode()
    assert community_a.name in page
    assert "张某某" not in page


def test_the_officer_refuses_a_gates_request_with_a_reason(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    gate = services.place_of_checkpoint(CheckpointFactory(community=community_a, name="西门"))
    request = services.do_request_supplies(place=gate, by=None, note="缺口罩")
    client.force_login(officer_a)
    response = client.post(
        reverse("supplies:request_refuse", args=[request.pk]), {"reason": "已从街道调配"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.REFUSED
    assert SupplyRequest.objects.filter(status=RequestStatus.OPEN).count() == 0
