"""A refusal on a registry page says why: core's 403 page with the service's reason, or the
form shown again with the reason on top; never the bare action word."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.tests.pages import GENERIC_REFUSAL, form_as_shown, zh
from fangkong.registry import services
from fangkong.registry.models import Building
from fangkong.registry.tests.factories import BuildingFactory, HouseholdFactory, PersonFactory

pytestmark = pytest.mark.django_db

REASON = "本月的核查已经结束，请下月再改。"


def _refuse(action: str, reason: str = "") -> Any:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise PermissionDeniedError(action, reason)

    return refuse


def test_a_refused_reveal_is_a_403_page_with_the_services_reason(
    client: Any, officer_a: Any, grid_a1: Any, monkeypatch: Any
) -> None:
    person = PersonFactory(household=HouseholdFactory(building=BuildingFactory(grid=grid_a1)))
    monkeypatch.setattr(services, "do_reveal_person", _refuse("reveal", REASON))
    client.force_login(officer_a)

    response = client.post(
        reverse("registry:person_reveal", args=[person.pk]), {"reason": "核实身份"}
    )

    assert response.status_code == 403
    assert REASON in response.content.decode()


def test_a_refusal_without_a_reason_says_so_in_words_not_the_action_name(
    client: Any, officer_a: Any, grid_a1: Any, monkeypatch: Any
) -> None:
    person = PersonFactory(household=HouseholdFactory(building=BuildingFactory(grid=grid_a1)))
    monkeypatch.setattr(services, "do_reveal_person", _refuse("reveal"))
    client.force_login(officer_a)

    response = client.post(
        reverse("registry:person_reveal", args=[person.pk]), {"reason": "核实身份"}
    )

    assert response.status_code == 403
    body = response.content.decode()
    assert zh(GENERIC_REFUSAL) in body
    assert "<p>reveal</p>" not in body


def test_a_refused_edit_shows_the_form_again_with_the_reason_on_top(
    client: Any, officer_a: Any, grid_a1: Any, monkeypatch: Any
) -> None:
    building = BuildingFactory(grid=grid_a1, number="7")
    monkeypatch.setattr(services, "do_update_building", _refuse("change", REASON))
    client.force_login(officer_a)
    url = reverse("registry:building_edit", args=[building.pk])

    response = client.post(url, form_as_shown(client.get(url), number="8"))

    assert response.status_code == 403
    form = response.context["form"]
    assert form.non_field_errors() == [REASON]
    assert form["number"].value() == "8"  # what was typed is kept
    assert Building.objects.get(pk=building.pk).number == "7"
