"""The "ask a question" form of the household page: an inquiry of the office's inquiries
module; the household reads the answer on its page once the office gives it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import override_settings

from fangkong.inquiries.choices import Channel
from fangkong.inquiries.models import Inquiry
from fangkong.inquiries.services import do_answer_inquiry
from fangkong.selfservice.choices import ActivityKind
from fangkong.selfservice.models import Activity
from fangkong.selfservice.tests.conftest import Home

pytestmark = pytest.mark.django_db


def _ask(home: Home, question: str, category: str = "passes") -> Any:
    return home.client.post("/s/home/ask/", {"question": question, "category": category})


def test_the_page_offers_a_question_form_that_posts_without_javascript(home: Home) -> None:
    page = home.client.get("/s/home/").content.decode()
    assert 'action="/s/home/ask/"' in page
    assert "<script" not in page


def test_a_question_becomes_the_households_inquiry_and_its_answer_shows_once_given(
    home: Home, officer_a: Any
) -> None:
    response = _ask(home, "隔离什么时候结束？")
    assert response.status_code == 302
    inquiry = Inquiry.objects.get(household=home.household)
    assert (inquiry.channel, inquiry.category) == (Channel.SELF_SERVICE, "passes")
    assert Activity.objects.filter(household=home.household, kind=ActivityKind.QUESTION).exists()
    page = home.client.get("/s/home/").content.decode()
    assert "隔离什么时候结束？" in page
    assert "尚未答复" in page or "社区办公室会" in page

    do_answer_inquiry(inquiry, answer="居家监测满十四天后结束。", by=officer_a)

    page = home.client.get("/s/home/").content.decode()
    assert "居家监测满十四天后结束。" in page
    assert page.count("居家监测满十四天后结束。") == 1


def test_an_empty_question_is_refused_in_chinese_and_nothing_is_recorded(home: Home) -> None:
    response = _ask(home, "   ")
    assert response.status_code == 400
    assert "请写下您的问题" in response.content.decode()
    assert not Inquiry.objects.exists()


def test_another_households_questions_do_not_show(home: Home, neighbour: Home) -> None:
    assert _ask(neighbour, "邻居的问题").status_code == 302
    assert "邻居的问题" not in home.client.get("/s/home/").content.decode()


@override_settings(SELFSERVICE_RATE_SCALE=1)
def test_a_flood_of_questions_from_one_link_is_rate_limited(home: Home) -> None:
    codes = [_ask(home, f"问题{i}").status_code for i in range(12)]
    assert codes[:10] == [302] * 10
    assert codes[10:] == [429, 429]
    assert Inquiry.objects.count() == 10


def test_without_a_session_the_question_goes_nowhere(client: Any) -> None:
    response = client.post("/s/home/ask/", {"question": "谁在吗？"})
    assert response.status_code == 302
    assert response["Location"] == "/s/phone/"
    assert not Inquiry.objects.exists()
