"""The FAQ: one click from an answered inquiry, no personal data, street entries shown below."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from fangkong.core.exceptions import PermissionDeniedError
from fangkong.inquiries.models import FaqEntry
from fangkong.inquiries.services import (
    do_answer_inquiry,
    do_faq_from_inquiry,
    do_update_faq_entry,
)
from fangkong.inquiries.tests.factories import FaqEntryFactory, InquiryFactory

pytestmark = pytest.mark.django_db


def test_an_answered_inquiry_becomes_an_unpublished_faq_entry_without_the_askers_name(
    community_a: Any, officer_a: Any, asker: Any
) -> None:
    inquiry = InquiryFactory(
        community=community_a,
        by=officer_a,
        person=asker,
        question=f"我是{asker.name}，电话13912345678，出入证丢了怎么办？",
    )
    do_answer_inquiry(inquiry, answer=f"{asker.name}您好，请到居委会补办。", by=officer_a)

    entry = do_faq_from_inquiry(inquiry, by=officer_a)

    assert entry.area == community_a
    assert entry.source == inquiry
    assert entry.published is False
    assert asker.name not in entry.question + entry.answer
    assert "13912345678" not in entry.question
    assert entry.question == "我是居民，电话***，出入证丢了怎么办？"
    assert entry.answer == "居民您好，请到居委会补办。"


def test_an_unanswered_inquiry_does_not_become_an_faq_entry(
    community_a: Any, officer_a: Any
) -> None:
    inquiry = InquiryFactory(community=community_a, by=officer_a)
    with pytest.raises(ValidationError) as refused:
        do_faq_from_inquiry(inquiry, by=officer_a)
    assert "已答复" in refused.value.messages[0]


def test_an_inquiry_becomes_one_faq_entry_only(community_a: Any, officer_a: Any) -> None:
    inquiry = InquiryFactory(community=community_a, by=officer_a, answer="补办。")
    do_faq_from_inquiry(inquiry, by=officer_a)
    with pytest.raises(ValidationError):
        do_faq_from_inquiry(inquiry, by=officer_a)
    assert FaqEntry.objects.filter(source=inquiry).count() == 1


def test_a_grid_worker_reads_the_faq_but_does_not_write_it(
    community_a: Any, grid_worker_a1: Any
) -> None:
    inquiry = InquiryFactory(community=community_a, by=grid_worker_a1, answer="补办。")
    with pytest.raises(PermissionDeniedError):
        do_faq_from_inquiry(inquiry, by=grid_worker_a1)


def test_an_edit_that_types_a_phone_number_back_in_is_refused(
    community_a: Any, officer_a: Any
) -> None:
    entry = FaqEntryFactory(area=community_a)
    with pytest.raises(ValidationError) as refused:
        do_update_faq_entry(entry, {"answer": "打 139 1234 5678 问"}, by=officer_a)
    assert "answer" in refused.value.message_dict


def test_the_street_officials_entry_is_read_by_every_community_below_and_not_changed_there(
    street: Any,
    community_a: Any,
    community_b: Any,
    street_official: Any,
    officer_a: Any,
    officer_b: Any,
    grid_worker_a1: Any,
) -> None:
    from fangkong.areas.tests.factories import AreaFactory

    elsewhere = AreaFactory(parent=street.parent, name="别的街道")
    mine = FaqEntryFactory(area=street, by=street_official, question="街道的问题")
    other = FaqEntryFactory(area=elsewhere, question="别的街道的问题")
    own = FaqEntryFactory(area=community_a, by=officer_a, question="社区的问题")

    for reader in (officer_a, officer_b, grid_worker_a1):
        seen = set(FaqEntry.objects.restrict(reader).values_list("pk", flat=True))
        assert mine.pk in seen
        assert other.pk not in seen
    assert own.pk not in set(FaqEntry.objects.restrict(officer_b).values_list("pk", flat=True))
    with pytest.raises(PermissionDeniedError):
        do_update_faq_entry(mine, {"published": False}, by=officer_a)


def test_the_faq_search_finds_every_word_in_question_or_answer(
    client: Any, community_a: Any, grid_worker_a1: Any
) -> None:
    from django.urls import reverse

    FaqEntryFactory(area=community_a, question="出入证丢了怎么办？", answer="到居委会补办。")
    FaqEntryFactory(area=community_a, question="怎么买菜？", answer="社区统一配送。")
    client.force_login(grid_worker_a1)

    page = client.get(reverse("inquiries:faq_list"), {"q": "出入证 补办"})

    text = page.content.decode()
    assert page.status_code == 200
    assert "出入证丢了怎么办？" in text
    assert "怎么买菜？" not in text
