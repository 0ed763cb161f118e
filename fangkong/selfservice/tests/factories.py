"""Links, corrections and self-reports made through the services, as the office and a
household make them."""

from __future__ import annotations

from typing import Any

from django.test import Client

from fangkong.registry.models import Household
from fangkong.selfservice import services
from fangkong.selfservice.choices import CorrectionKind
from fangkong.selfservice.models import Correction, HouseholdLink


def issue_link(household: Household, by: Any = None) -> tuple[HouseholdLink, str]:
    return services.do_issue_link(household, by=by)


def propose_phone(link: HouseholdLink, phone: str = "13800138000") -> Correction:
    return services.do_propose_correction(link, kind=CorrectionKind.PHONE, phone=phone)


def household_client(token: str) -> Client:
    """A browser that opened the household's link (its session holds the link)."""
    client = Client()
    response = client.get(f"/s/{token}/")
    assert response.status_code == 302, response.status_code
    return client
