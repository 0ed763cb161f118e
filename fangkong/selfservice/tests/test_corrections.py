"""Corrections: proposed by the household, nothing in the registry changes until the grid
worker approves (through the registry's services); rejections carry a reason the household
reads; a move into another community is refused."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import Client

from fangkong.core.models import ObjectChange
from fangkong.core.personal_data import decrypt
from fangkong.health.tests.factories import family
from fangkong.registry.choices import PersonStatus
from fangkong.registry.models import Household, Person
from fangkong.selfservice import services
from fangkong.selfservice.choices import CorrectionKind, CorrectionStatus
from fangkong.selfservice.models import Correction
from fangkong.selfservice.tests.conftest import Home

pytestmark = pytest.mark.django_db


def test_a_new_phone_waits_for_approval_then_changes_the_registry(
    home: Home, grid_worker_a1: Any, client: Client
) -> None:
    # Given the household proposes a new phone on its page
    response = home.client.post(
        "/s/home/correction/", {"kind": "phone", "phone": "13912345678", "person_id": ""}
    )
    assert response.status_code == 302
    correction = Correction.objects.get()
    assert correction.proposed_phone_mask == "139****5678"
    # Then the registry has not changed
    household = Household.objects.get(pk=home.household.pk)
    assert household.phone_mask != "139****5678"
    # When the grid worker approves it on the staff page
    client.force_login(grid_worker_a1)
    assert client.get("/selfservice/corrections/").status_code == 200
    detail = client.get(f"/selfservice/corrections/{correction.pk}/")
    assert "13912345678" not in detail.content.decode()
    response = client.post(
        f"/selfservice/corrections/{correction.pk}/approve/", {"version": correction.version}
    )
    assert response.status_code == 302
    # Then the household's phone is the new one and both steps are audited
    household = Household.objects.get(pk=home.household.pk)
    assert decrypt(household.phone_cipher) == "13912345678"
    correction.refresh_from_db()
    assert (correction.status, correction.decided_by) == (CorrectionStatus.APPROVED, grid_worker_a1)
    actions = list(
        ObjectChange.objects.filter(content_type__model="correction", object_id=correction.pk)
        .order_by("pk")
        .values_list("action", "actor")
    )
    assert actions == [("create", None), ("update", grid_worker_a1.pk)]
    assert ObjectChange.objects.filter(
        content_type__model="household", object_id=household.pk, actor=grid_worker_a1
    ).exists()


def test_a_rejection_shows_its_reason_on_the_households_page(
    home: Home, grid_worker_a1: Any, client: Client
) -> None:
    correction = services.do_propose_correction(
        home.link, kind=CorrectionKind.PHONE, phone="13912345678"
    )
    client.force_login(grid_worker_a1)
    refused = client.post(f"/selfservice/corrections/{correction.pk}/reject/", {"reason": ""})
    assert refused.status_code == 302
    assert Correction.objects.get().status == CorrectionStatus.PENDING
    client.post(f"/selfservice/corrections/{correction.pk}/reject/", {"reason": "号码已登记过"})
    assert Correction.objects.get().status == CorrectionStatus.REJECTED
    assert "号码已登记过" in home.client.get("/s/home/").content.decode()


def test_a_member_who_moved_out_is_deactivated_on_approval(
    home: Home, grid_worker_a1: Any, community_a: Any
) -> None:
    leaving = home.people[2]
    correction = services.do_propose_correction(
        home.link,
        kind=CorrectionKind.MOVED_OUT,
        person_id=leaving.pk,
        date=community_a.local_today() - dt.timedelta(days=2),
    )
    assert Person.objects.get(pk=leaving.pk).status == PersonStatus.ACTIVE
    services.do_approve_correction(correction, by=grid_worker_a1)
    assert Person.objects.get(pk=leaving.pk).status == PersonStatus.MOVED_OUT


def test_a_newborn_is_registered_on_approval(
    home: Home, grid_worker_a1: Any, community_a: Any
) -> None:
    response = home.client.post(
        "/s/home/correction/",
        {
            "kind": "newborn",
            "name": "王小宝",
            "sex": "F",
            "birth_date": (community_a.local_today() - dt.timedelta(days=10)).isoformat(),
        },
    )
    assert response.status_code == 302
    assert not Person.objects.filter(name="王小宝").exists()
    services.do_approve_correction(Correction.objects.get(), by=grid_worker_a1)
    assert Person.objects.get(name="王小宝").household == home.household


def test_a_move_within_the_community_is_applied_and_one_into_another_is_refused(
    home: Home, officer_a: Any, grid_a1: Any, grid_b1: Any
) -> None:
    mover = home.people[1]
    elsewhere = family(grid_b1, members=0)
    with pytest.raises(ValidationError, match="其他社区"):
        services.do_propose_correction(
            home.link, kind=CorrectionKind.MOVED, person_id=mover.pk, target_household=elsewhere
        )
    # The page looks rooms up in the household's own community only.
    response = home.client.post(
        "/s/home/correction/",
        {
            "kind": "moved",
            "person_id": mover.pk,
            "building": elsewhere.building.number,
            "unit": elsewhere.unit,
            "room": elsewhere.room,
        },
    )
    assert response.status_code == 400
    assert not Correction.objects.exists()
    # A move within the community goes through.
    here = family(grid_a1, members=0)
    correction = services.do_propose_correction(
        home.link, kind=CorrectionKind.MOVED, person_id=mover.pk, target_household=here
    )
    services.do_approve_correction(correction, by=officer_a)
    assert Person.objects.get(pk=mover.pk).household == here


def test_the_grid_worker_of_another_grid_cannot_decide(home: Home, grid_worker_a2: Any) -> None:
    correction = services.do_propose_correction(
        home.link, kind=CorrectionKind.PHONE, phone="13912345678"
    )
    with pytest.raises(Http404):
        services.do_approve_correction(correction, by=grid_worker_a2)
    with pytest.raises(Http404):
        services.do_reject_correction(correction, by=grid_worker_a2, reason="不")
