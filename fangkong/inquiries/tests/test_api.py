"""Inquiries and the FAQ through the API, each write through the services."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from fangkong.inquiries.models import FaqEntry, Inquiry
from fangkong.inquiries.tests.factories import InquiryFactory

pytestmark = pytest.mark.django_db


def test_a_question_is_recorded_answered_and_closed_through_the_api(
    client: Any, officer_a: Any, community_a: Any, home: Any
) -> None:
    client.force_login(officer_a)
    made = client.post(
        reverse("api:inquiry-list"),
        {
            "community": community_a.pk,
            "channel": "phone",
            "category": "supplies",
            "question": "怎么买菜？",
            "household": home.pk,
        },
        content_type="application/json",
    )
    assert made.status_code == 201, made.content
    pk = made.json()["id"]

    refused = client.post(
        reverse("api:inquiry-close", args=[pk]), {}, content_type="application/json"
    )
    answered = client.post(
        reverse("api:inquiry-answer", args=[pk]),
        {"answer": "社区统一配送。"},
        content_type="application/json",
    )
    closed = client.post(
        reverse("api:inquiry-close", args=[pk]), {}, content_type="application/json"
    )

    assert refused.status_code == 400
    assert answered.json()["status"] == "answered"
    assert closed.json()["status"] == "closed"


def test_the_api_makes_an_faq_entry_from_an_answered_inquiry(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    inquiry = InquiryFactory(community=community_a, answer="补办。")
    client.force_login(officer_a)

    made = client.post(reverse("api:inquiry-to-faq", args=[inquiry.pk]))

    assert made.status_code == 200
    assert FaqEntry.objects.get().source_id == inquiry.pk


def test_another_communitys_officer_finds_no_inquiry(
    client: Any, officer_b: Any, community_a: Any
) -> None:
    inquiry = InquiryFactory(community=community_a)
    client.force_login(officer_b)
    assert client.get(reverse("api:inquiry-detail", args=[inquiry.pk])).status_code == 404
    assert client.get(reverse("api:inquiry-list")).json()["count"] == 0
    assert Inquiry.objects.count() == 1
