"""A refusal on a health page says why, the way every app's pages do: core's 403 page with
the reason (a page the user may not open, a refused approval), or the form shown again with
the reason on top (a service refusing what was submitted)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.tests.pages import form_as_shown
from fangkong.health import services
from fangkong.health.models import Quarantine
from fangkong.health.tests.factories import NOTICE, family, pending_start
from fangkong.registry.tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

REASON = "该人员已由区疾控中心接管。"


def _english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def _refuse(*args: Any, **kwargs: Any) -> Any:
    raise PermissionDeniedError("change", REASON)


def test_a_status_page_a_role_may_not_open_is_a_403_page_saying_whose_it_is(
    client: Client, officer_a: Any, grid_a1: Any
) -> None:
    person = PersonFactory(household=family(grid_a1, 0))
    client.force_login(officer_a)

    response = _english(client).get(reverse("health:quarantine_start", args=[person.pk]))

    assert response.status_code == 403
    assert "Only the health officer" in response.content.decode()


def test_a_refused_submission_shows_the_form_again_with_the_reason_on_top(
    client: Client, health_a: Any, grid_a1: Any, monkeypatch: Any
) -> None:
    person = PersonFactory(household=family(grid_a1, 0))
    monkeypatch.setattr(services, "do_start_quarantine", _refuse)
    client.force_login(health_a)

    url = reverse("health:quarantine_start", args=[person.pk])

    response = client.post(
        url, form_as_shown(client.get(url), kind="home", reason="official_notice", **NOTICE)
    )

    assert response.status_code == 403, response.context["form"].errors
    assert response.context["form"].non_field_errors() == [REASON]
    assert not Quarantine.objects.exists()


def test_a_refused_approval_is_a_403_page_with_the_services_reason(
    client: Client, health_a: Any, officer_a: Any, grid_a1: Any, monkeypatch: Any
) -> None:
    change = pending_start(PersonFactory(household=family(grid_a1, 0)), by=health_a)
    monkeypatch.setattr(services, "do_approve_change", _refuse)
    client.force_login(officer_a)

    response = client.post(reverse("health:change_approve", args=[change.pk]))

    assert response.status_code == 403
    assert REASON in response.content.decode()
