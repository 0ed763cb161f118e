"""The inquiry pages in Chinese: a question taken down, answered, refused a close without an
answer, made an FAQ entry; the handler's queue and the week's frequent questions."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from fangkong.core.tests.pages import form_as_shown
from fangkong.inquiries.choices import InquiryStatus
from fangkong.inquiries.models import FaqEntry, Inquiry
from fangkong.inquiries.tests.factories import InquiryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def chinese(client: Any) -> Any:
    client.cookies["django_language"] = "zh-hans"
    return client


def test_a_grid_worker_finds_the_asker_by_name_and_records_the_question(
    chinese: Any, grid_worker_a1: Any, asker: Any
) -> None:
    chinese.force_login(grid_worker_a1)
    url = reverse("inquiries:inquiry_add")

    page = chinese.get(url, {"q": asker.name})
    assert page.status_code == 200
    assert asker.name in page.content.decode()
    data = form_as_shown(
        page, question="药快吃完了怎么买？", category="supplies", channel="phone", person=asker.pk
    )
    saved = chinese.post(f"{url}?q={asker.name}", data)

    inquiry = Inquiry.objects.get()
    assert saved.status_code == 302
    assert saved["Location"] == inquiry.get_absolute_url()
    assert inquiry.person == asker
    assert inquiry.handler == grid_worker_a1


def test_closing_without_an_answer_is_refused_on_the_page_with_the_reason(
    chinese: Any, officer_a: Any, community_a: Any
) -> None:
    inquiry = InquiryFactory(community=community_a, by=officer_a)
    chinese.force_login(officer_a)

    response = chinese.post(reverse("inquiries:inquiry_close", args=[inquiry.pk]), follow=True)

    assert "没有答复的咨询不能办结" in response.content.decode()
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.OPEN


def test_the_handler_answers_and_turns_the_answer_into_an_faq_entry_in_one_click(
    chinese: Any, officer_a: Any, community_a: Any
) -> None:
    inquiry = InquiryFactory(community=community_a, by=officer_a)
    chinese.force_login(officer_a)
    detail = chinese.get(inquiry.get_absolute_url())
    assert "保存答复" in detail.content.decode()

    chinese.post(
        reverse("inquiries:inquiry_answer", args=[inquiry.pk]),
        {"answer": "请到居委会补办。", "version": inquiry.version},
    )
    made = chinese.post(reverse("inquiries:inquiry_to_faq", args=[inquiry.pk]))

    entry = FaqEntry.objects.get()
    assert made.status_code == 302
    assert made["Location"] == reverse("inquiries:faq_edit", args=[entry.pk])
    assert entry.answer == "请到居委会补办。"
    assert not entry.published


def test_the_queue_shows_the_users_overdue_inquiry_first_and_counts_per_handler(
    chinese: Any, officer_a: Any, community_a: Any
) -> None:
    InquiryFactory(community=community_a, by=officer_a, question="新问题")
    InquiryFactory(
        community=community_a,
        by=officer_a,
        question="等了三天的问题",
        received_at=timezone.now() - dt.timedelta(days=3),
    )
    chinese.force_login(officer_a)

    text = chinese.get(reverse("inquiries:queue")).content.decode()

    assert text.index("等了三天的问题") < text.index("新问题")
    assert "已逾期" in text


def test_the_same_question_asked_twice_this_week_is_among_the_frequent(
    chinese: Any, officer_a: Any, community_a: Any
) -> None:
    InquiryFactory(community=community_a, question="出入证丢了怎么办？")
    InquiryFactory(community=community_a, question="出入证丢了怎么办")
    InquiryFactory(community=community_a, question="几点消毒？")
    chinese.force_login(officer_a)

    text = chinese.get(reverse("inquiries:frequent")).content.decode()

    assert "问过 2 次" in text
    assert "几点消毒" not in text.split("多次被问到的问题")[1]
