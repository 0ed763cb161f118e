"""A handler on a phone-sized screen (360×740) in Debian's Chromium, through Playwright:
they open their queue, answer a resident's question, turn the answer into an FAQ entry with
one click, publish it, and find it again by searching the FAQ. Every page fits the screen
and every tap target is at least 44 px."""

from __future__ import annotations

from typing import Any

import pytest

from fangkong.core.tests.browser import NEEDS_CHROMIUM, assert_fits_phone, log_in
from fangkong.inquiries.choices import InquiryStatus
from fangkong.inquiries.models import FaqEntry, Inquiry
from fangkong.inquiries.tests.factories import InquiryFactory

pytestmark = [pytest.mark.browser, NEEDS_CHROMIUM]


def test_a_handler_answers_a_question_and_makes_it_an_faq_entry_on_a_phone(
    phone: Any, community_a: Any, officer_a: Any
) -> None:
    # Given a resident's question waiting for the officer
    inquiry = InquiryFactory(
        community=community_a, by=officer_a, question="出入证丢了怎么办？", category="passes"
    )

    # When the officer opens the queue on the phone
    log_in(phone, officer_a.username)
    phone.goto(phone.base_url + "/inquiries/")
    assert_fits_phone(phone)
    assert "出入证丢了怎么办？" in phone.inner_text("[data-my-queue]")

    # And opens the question and answers it
    phone.click(f"[data-my-queue] a[href='/inquiries/{inquiry.pk}/']")
    phone.wait_for_load_state()
    assert_fits_phone(phone)
    phone.fill("textarea[name=answer]", "请户主带身份证到居委会补办，旧证作废。")
    phone.click(f"form[action='/inquiries/{inquiry.pk}/answer/'] button[type=submit]")
    phone.wait_for_load_state()
    assert Inquiry.objects.get(pk=inquiry.pk).status == InquiryStatus.ANSWERED

    # Then one tap makes it an FAQ entry, opened for a last look
    phone.click(f"form[action='/inquiries/{inquiry.pk}/to-faq/'] button")
    phone.wait_for_load_state()
    entry = FaqEntry.objects.get(source=inquiry)
    assert phone.url.endswith(f"/inquiries/faq/{entry.pk}/edit/")
    assert_fits_phone(phone)
    assert phone.input_value("textarea[name=answer]") == "请户主带身份证到居委会补办，旧证作废。"

    # When they publish it
    phone.check("input[name=published]")
    phone.click("form.form button[type=submit]")
    phone.wait_for_load_state()
    assert FaqEntry.objects.get(pk=entry.pk).published

    # Then the next caller's handler finds it by searching the FAQ
    phone.goto(phone.base_url + "/inquiries/faq/?q=出入证")
    assert_fits_phone(phone)
    assert "出入证丢了怎么办？" in phone.inner_text("[data-faq]")
