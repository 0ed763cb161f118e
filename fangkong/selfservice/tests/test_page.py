"""The household page: the pass as the gate decides it, health status with its reason and
end, masked members, and nothing of the household's full phone or ID numbers anywhere."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from fangkong.access import pass_policy
from fangkong.access.services import evaluate
from fangkong.access.tests.factories import CheckpointFactory, scan
from fangkong.core.personal_data import decrypt
from fangkong.registry.models import Person
from fangkong.selfservice.tests.conftest import Home

pytestmark = pytest.mark.django_db


def _local(at: Any, community: Any) -> str:
    return str(at.astimezone(pass_policy.zone(community.time_zone)).strftime("%Y-%m-%d %H:%M"))


def test_the_pass_shows_what_the_gate_decides_before_and_after_an_outing(
    home: Home, community_a: Any
) -> None:
    gate = CheckpointFactory(community=community_a)
    # Before any outing: allowed, one outing left (the default policy: one in two days).
    _item, before = evaluate(gate, home.card.token, "out", None, timezone.now())
    page = home.client.get("/s/home/").content.decode()
    assert before.allowed
    assert before.quota_left == 0  # the gate's answer counts the exit it lets through
    assert "可以外出" in page
    assert re.search(r"剩余外出次数</dt><dd>1<", page)
    assert "下次可外出时间" not in page
    # After one: the gate refuses with the time of the next outing, and the page says so.
    scan(gate, home.card.token, "out")
    scan(gate, home.card.token, "in")
    _item, after = evaluate(gate, home.card.token, "out", None, timezone.now())
    assert not after.allowed
    assert after.next_allowed_at is not None
    page = home.client.get("/s/home/").content.decode()
    assert _local(after.next_allowed_at, community_a) in page
    assert re.search(r"剩余外出次数</dt><dd>0<", page)


def test_the_page_shows_health_monitoring_with_its_end_and_whom_to_call(
    home: Home, community_a: Any
) -> None:
    community_a.contact_phone = "024-12345678"
    community_a.save(update_fields=["contact_phone"])
    page = home.client.get("/s/home/").content.decode()
    assert "健康监测" in page
    from fangkong.health.models import Quarantine

    quarantine = Quarantine.objects.get(person=home.monitored)
    assert quarantine.planned_end.strftime("%Y-%m-%d") in page
    assert "024-12345678" in page
    # A report form for the monitored member only.
    assert page.count('name="member"') == 1


def test_no_full_name_phone_or_id_number_of_the_household_shows(home: Home) -> None:
    pages = [
        home.client.get("/s/home/").content.decode(),
        home.client.get("/s/home/correction/").content.decode(),
    ]
    for person in Person.objects.filter(household=home.household):
        secrets = [person.name]
        if person.phone_cipher:
            secrets.append(decrypt(person.phone_cipher))
        if person.id_number_cipher:
            secrets.append(decrypt(person.id_number_cipher))
        for page in pages:
            for secret in secrets:
                assert secret not in page
    if home.household.phone_cipher:
        assert decrypt(home.household.phone_cipher) not in pages[0]


def test_the_large_text_switch_works_without_javascript(home: Home) -> None:
    response = home.client.post("/s/text-size/", {"large": "1"})
    assert response.status_code == 302
    assert 'class="large"' in home.client.get("/s/home/").content.decode()
    home.client.post("/s/text-size/", {"large": "0"})
    assert 'class="large"' not in home.client.get("/s/home/").content.decode()


def test_the_page_is_light(home: Home) -> None:
    from django.contrib.staticfiles import finders

    html = home.client.get("/s/home/").content
    css = finders.find("selfservice/selfservice.css")
    assert css is not None
    with open(css, "rb") as handle:
        weight = len(html) + len(handle.read())
    assert "<script" not in html.decode()
    assert weight < 50_000
