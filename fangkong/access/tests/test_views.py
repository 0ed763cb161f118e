"""The pages: policy, issuing, visitors and the logged call, the report and its export."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from openpyxl import load_workbook

from fangkong.access import services
from fangkong.access.models import Pass, PassPolicy, Visitor
from fangkong.access.tests.factories import VisitorFactory, scan
from fangkong.core.choices import AccessKind
from fangkong.core.models import AccessEvent
from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory

pytestmark = pytest.mark.django_db


def test_the_officer_changes_the_policy_and_sees_the_fever_threshold(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    client.force_login(officer_a)
    page = client.get(reverse("access:policy"))
    assert "37.3" in page.content.decode()
    response = client.post(
        reverse("access:policy"),
        {
            "outings": 2,
            "window_days": 3,
            "max_minutes": 180,
            "visitors_allowed": "",
            "pass_scope": "household",
        },
    )
    assert response.status_code == 302
    policy = PassPolicy.objects.get(community=community_a)
    assert (policy.outings, policy.window_days, policy.visitors_allowed) == (2, 3, False)


def test_the_checkpoint_worker_may_read_but_not_change_the_policy(
    client: Any, checkpoint_a: Any
) -> None:
    client.force_login(checkpoint_a)
    assert client.get(reverse("access:policy")).status_code == 403


def test_passes_are_issued_for_a_building_from_the_page(
    client: Any, officer_a: Any, community_a: Any, grid_a1: Any
) -> None:
    building = BuildingFactory(community=community_a, grid=grid_a1)
    for _ in range(3):
        HouseholdFactory(building=building)
    client.force_login(officer_a)
    response = client.post(reverse("access:pass_issue"), {"building": building.pk})
    assert response.status_code == 302
    assert Pass.objects.filter(household__building=building).count() == 3


def test_a_visitor_is_registered_the_household_called_and_confirmed(
    client: Any, checkpoint_a: Any, gate_a: Any, home_a: Any
) -> None:
    household, _ = home_a
    client.force_login(checkpoint_a)
    response = client.post(
        reverse("access:visitor_add"),
        {
            "checkpoint": gate_a.pk,
            "name": "张来访",
            "phone": "13900001111",
            "id_number": "",
            "building": household.building.pk,
            "unit": household.unit,
            "room": household.room,
            "purpose": "探望",
            "plate": "辽a12345",
            "temperature": "36.5",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    visitor = Visitor.objects.get()
    assert visitor.phone_mask == "139****1111"
    assert "13900001111" not in (visitor.phone_cipher + visitor.phone_index)
    assert visitor.plate == "辽A12345"

    call = client.post(reverse("access:visitor_call", args=[visitor.pk]))
    assert call.status_code == 302
    assert call["Location"].startswith("tel:")
    event = AccessEvent.objects.get(kind=AccessKind.CALL)
    assert event.actor == checkpoint_a
    assert call["Location"][4:] not in str(event.detail)

    client.post(reverse("access:visitor_confirm", args=[visitor.pk]), {"confirmed_by": "户主"})
    visitor.refresh_from_db()
    assert (visitor.status, visitor.confirmed_by) == ("confirmed", "户主")
    out_page = client.get(reverse("access:out_now"))
    assert visitor.name in out_page.content.decode()
    client.post(reverse("access:visitor_leave", args=[visitor.pk]))
    visitor.refresh_from_db()
    assert visitor.time_out is not None


def test_visitors_are_refused_when_the_policy_admits_none(
    gate_a: Any, home_a: Any, officer_a: Any
) -> None:
    services.do_update_policy(gate_a.community, by=officer_a, visitors_allowed=False)
    with pytest.raises(ValidationError):
        VisitorFactory(checkpoint=gate_a, household=home_a[0])


def test_the_report_counts_and_the_export_is_masked_neutralised_and_logged(
    client: Any, officer_a: Any, gate_a: Any, home_a: Any
) -> None:
    _, item = home_a
    scan(gate_a, item.token, "out")
    scan(gate_a, item.token, "in")
    scan(gate_a, item.token, "out")  # refused: quota
    scan(gate_a, '=HYPERLINK("http://x")', "out")
    client.force_login(officer_a)
    page = client.get(reverse("access:report")).content.decode()
    assert gate_a.name in page
    response = client.get(reverse("access:report_export"))
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    cells = [
        str(c)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for c in row
        if c is not None
    ]
    assert not any(c.startswith("=") for c in cells)
    for member in item.household.members.all():
        assert member.name not in cells
    assert AccessEvent.objects.filter(kind=AccessKind.EXPORT).count() == 1


def test_the_gate_page_carries_its_words_as_json_and_no_inline_script(
    client: Any, checkpoint_a: Any, gate_a: Any, home_a: Any
) -> None:
    client.force_login(checkpoint_a)
    page = client.get(reverse("access:gate")).content.decode()
    assert 'id="gate-config" type="application/json"' in page
    assert "<script>" not in page
    data = client.get(reverse("access:gate_data"), {"checkpoint": gate_a.pk}).json()
    assert data["passes"][0]["serial"] == home_a[1].serial
    assert "token" not in data["passes"][0]
    sw = client.get(reverse("access:gate_sw"))
    assert sw["Content-Type"] == "application/javascript"
