"""What the household's own page shows of inquiries: its questions with their answers, and
the published FAQ of its community and its street — nothing of other households."""

from __future__ import annotations

from typing import Any

import pytest
from django.template.loader import render_to_string

from fangkong.core.household_page import sections
from fangkong.inquiries.household_page import own_inquiries, published_faq
from fangkong.inquiries.services import do_answer_inquiry, do_ask_from_household
from fangkong.inquiries.tests.factories import FaqEntryFactory

pytestmark = pytest.mark.django_db


def test_the_household_sees_its_own_questions_and_their_answers(home: Any, grid_a1: Any) -> None:
    from fangkong.health.tests.factories import family

    asked = do_ask_from_household(home, question="几点消毒？")
    do_answer_inquiry(asked, answer="每天上午九点。", by=None)
    do_ask_from_household(family(grid_a1, members=1), question="邻居的问题")

    context = own_inquiries(home)

    assert context is not None
    assert [i.question for i in context["inquiries"]] == ["几点消毒？"]
    html = render_to_string("inquiries/household_inquiries.html", context)
    assert "每天上午九点。" in html
    assert "邻居的问题" not in html


def test_a_household_that_asked_nothing_has_no_questions_section(home: Any) -> None:
    assert own_inquiries(home) is None


def test_the_faq_shows_the_communitys_published_entries_then_the_streets(
    home: Any, community_a: Any, community_b: Any, street: Any
) -> None:
    FaqEntryFactory(area=street, question="街道的问题")
    FaqEntryFactory(area=community_a, question="社区的问题")
    FaqEntryFactory(area=community_a, question="未公开的问题", published=False)
    FaqEntryFactory(area=community_b, question="别的社区的问题")

    context = published_faq(home)

    assert context is not None
    assert [e.question for e in context["entries"]] == ["社区的问题", "街道的问题"]


def test_both_sections_are_declared_for_the_household_page() -> None:
    keys = {section.key for section in sections()}
    assert {"inquiries.own", "inquiries.faq"} <= keys
