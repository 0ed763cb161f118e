"""The access walk of the self-service routes as an outsider household: holding its own
link, a household reaches nothing of another household through any route."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import resolve, reverse

from fangkong.core.tests.walk import response_text
from fangkong.health.models import HealthReport
from fangkong.inquiries.models import Inquiry
from fangkong.registry.models import Person
from fangkong.screening.masking import mask_name
from fangkong.selfservice.models import Correction
from fangkong.selfservice.tests.conftest import Home
from fangkong.selfservice.tests.routes import ROUTES

pytestmark = pytest.mark.django_db

PUBLIC = sorted(name for name, route in ROUTES.items() if route.kind == "public")


def _calls(target: Home) -> list[tuple[str, str, dict[str, Any]]]:
    """Every household route, pointed at the target household's rows where it takes any."""
    member = target.monitored.pk
    return [
        ("get", reverse("selfservice:home"), {}),
        ("get", reverse("selfservice:correction"), {}),
        (
            "post",
            reverse("selfservice:report"),
            {"member": member, f"p{member}-person": member, f"p{member}-temperature": "38.5"},
        ),
        (
            "post",
            reverse("selfservice:correction"),
            {"kind": "moved_out", "person_id": member, "date": dt.date.today().isoformat()},
        ),
        (
            "post",
            reverse("selfservice:correction"),
            {"kind": "phone", "person_id": member, "phone": "13912345678"},
        ),
        ("post", reverse("selfservice:ask"), {"question": "问题", "category": "other"}),
        ("post", reverse("selfservice:text_size"), {"large": "1"}),
        ("get", reverse("selfservice:phone"), {}),
        ("get", reverse("selfservice:code"), {}),
        ("get", reverse("selfservice:open", args=["x" * 43]), {}),
    ]


def test_the_outsider_walk_calls_every_household_route(home: Home) -> None:
    called = {f"selfservice:{resolve(url).url_name}" for _method, url, _data in _calls(home)}
    assert set(PUBLIC) <= called


def test_an_outsider_household_reaches_nothing_of_another_through_any_route(
    home: Home, neighbour: Home
) -> None:
    names = [p.name for p in Person.objects.filter(household=home.household)]
    for method, url, data in _calls(home):
        response = getattr(neighbour.client, method)(url, data)
        assert response.status_code < 500, (url, response.status_code)
        text = response_text(response)
        assert home.household.label not in text, url
        for name in names:
            assert name not in text, url
        # Masked names of the other household's members never show either.
        assert not any(
            mask_name(p.name) in text and mask_name(p.name) not in _own_masks(neighbour)
            for p in Person.objects.filter(household=home.household)
        ), url
    assert not HealthReport.objects.filter(person__household=home.household).exists()
    assert not Correction.objects.filter(person__household=home.household).exists()
    assert not Inquiry.objects.filter(household=home.household).exists()


def _own_masks(home: Home) -> set[str]:
    return {mask_name(p.name) for p in Person.objects.filter(household=home.household)}
