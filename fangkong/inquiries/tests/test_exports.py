"""The inquiries, the FAQ and the counselling cases as .xlsx: what the list shows, each
export an access event, and never a counselling note."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from django.urls import reverse

from fangkong.core.choices import AccessKind
from fangkong.core.models import AccessEvent
from fangkong.inquiries.tests.factories import FaqEntryFactory, InquiryFactory

pytestmark = pytest.mark.django_db


def _cells(response: Any) -> str:
    book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return "\n".join(
        str(cell)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell is not None
    )


def test_the_officer_downloads_the_inquiries_and_the_faq_and_each_is_logged(
    client: Any, officer_a: Any, community_a: Any, home: Any
) -> None:
    InquiryFactory(community=community_a, household=home, question="药快吃完了怎么买？")
    FaqEntryFactory(area=community_a, question="怎么买菜？")
    client.force_login(officer_a)

    inquiries = client.get(reverse("inquiries:inquiry_export"))
    faq = client.get(reverse("inquiries:faq_export"), {"q": "买菜"})

    assert "药快吃完了怎么买？" in _cells(inquiries)
    assert "怎么买菜？" in _cells(faq)
    events = AccessEvent.objects.filter(kind=AccessKind.EXPORT, actor=officer_a)
    assert sorted(e.detail["what"] for e in events) == ["inquiries.faq", "inquiries.inquiries"]


def test_a_grid_worker_may_not_export_inquiries(client: Any, grid_worker_a1: Any) -> None:
    client.force_login(grid_worker_a1)
    assert client.get(reverse("inquiries:inquiry_export")).status_code == 403


def test_the_case_export_holds_no_note(
    client: Any, officer_a: Any, health_a: Any, asker: Any
) -> None:
    from fangkong.counselling.tests.factories import CaseFactory, SessionFactory

    case = CaseFactory(person=asker, counsellor=health_a)
    SessionFactory(case=case, notes="不想活了")
    client.force_login(officer_a)

    cells = _cells(client.get(reverse("counselling:case_export")))

    assert asker.name in cells
    assert "不想活了" not in cells
