"""Limits: every self-service route is rate-limited per address and per link; sign-in codes
lock a link after repeated wrong codes."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from fangkong.core.personal_data import protect_phone
from fangkong.registry.models import Household
from fangkong.selfservice import services, views
from fangkong.selfservice.models import HouseholdLink
from fangkong.selfservice.sms import MemoryBackend
from fangkong.selfservice.tests.conftest import Home

pytestmark = pytest.mark.django_db


def test_guessing_links_from_one_address_is_throttled() -> None:
    client = Client()
    uses, _per = views.LIMITS["open"]
    for _ in range(uses):
        assert client.get("/s/" + "x" * 43 + "/").status_code == 404
    response = client.get("/s/" + "y" * 43 + "/")
    assert response.status_code == 429
    assert "Retry-After" in response
    assert "请求过于频繁" in response.content.decode() or "稍后" in response.content.decode()


def test_a_flood_of_reports_from_one_link_is_throttled(home: Home) -> None:
    uses, _per = views.PER_LINK["report"]
    statuses = [
        home.client.post("/s/home/report/", {"member": "0"}).status_code for _ in range(uses + 1)
    ]
    assert statuses[:uses] == [400] * uses
    assert statuses[-1] == 429


def test_every_household_route_counts_per_address(home: Home, settings: Any) -> None:
    for scope in ("page", "correction", "report", "phone", "code", "open"):
        assert scope in views.LIMITS


def _with_phone(home: Home, phone: str) -> None:
    household = Household.objects.get(pk=home.household.pk)
    household.set_phone(protect_phone(phone))
    household.save()


def test_a_phone_and_a_code_open_the_households_page(home: Home) -> None:
    _with_phone(home, "13700001111")
    MemoryBackend.outbox.clear()
    client = Client()
    assert client.post("/s/phone/", {"phone": "13700001111"}).status_code == 302
    phone, text = MemoryBackend.outbox[-1]
    code = "".join(ch for ch in text if ch.isdigit())[:6]
    assert phone == "13700001111"
    response = client.post("/s/phone/code/", {"code": code})
    assert response.status_code == 302
    assert client.get("/s/home/").status_code == 200


def test_an_unknown_phone_gets_the_same_answer_and_no_message(home: Home) -> None:
    MemoryBackend.outbox.clear()
    response = Client().post("/s/phone/", {"phone": "13700002222"})
    assert response.status_code == 302
    assert MemoryBackend.outbox == []


def test_repeated_wrong_codes_lock_the_link(home: Home) -> None:
    _with_phone(home, "13700001111")
    MemoryBackend.outbox.clear()
    client = Client()
    client.post("/s/phone/", {"phone": "13700001111"})
    code = "".join(ch for ch in MemoryBackend.outbox[-1][1] if ch.isdigit())[:6]
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(services.MAX_WRONG_CODES):
        assert client.post("/s/phone/code/", {"code": wrong}).status_code == 400
    link = HouseholdLink.objects.get(pk=home.link.pk)
    assert link.is_locked
    # The right code no longer opens it, and no new code is sent while locked.
    response = client.post("/s/phone/code/", {"code": code})
    assert response.status_code == 400
    assert "30" in response.content.decode()
    MemoryBackend.outbox.clear()
    client.post("/s/phone/", {"phone": "13700001111"})
    assert MemoryBackend.outbox == []
