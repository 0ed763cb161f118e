"""The chief's patrols: district and street officials record patrols (and what they found)
in the communities they cover, and nowhere else; the form offers the gate's roster first."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from fangkong.areas.tests.factories import CommunityFactory, StreetFactory
from fangkong.staff import services
from fangkong.staff.choices import PatrolFinding
from fangkong.staff.models import PatrolVisit, ShiftAssignment
from fangkong.staff.tests.factories import CheckpointFactory, ShiftFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db


def test_a_street_official_records_a_patrol_in_a_community_of_its_street(
    street_official: Any, community_a: Any
) -> None:
    gate = CheckpointFactory(community=community_a, name="东门")

    visit = services.do_record_patrol(
        checkpoint=gate,
        by=street_official,
        time=timezone.now() - dt.timedelta(minutes=5),
        findings=[PatrolFinding.NO_REGISTRATION_BOOK],
    )

    assert visit.community_id == community_a.pk
    assert visit.by_user == street_official


def test_a_street_official_cannot_record_a_patrol_in_another_streets_community(
    street_official: Any, district: Any
) -> None:
    elsewhere = CommunityFactory(parent=StreetFactory(parent=district))
    gate = CheckpointFactory(community=elsewhere)

    with pytest.raises(Http404):
        services.do_record_patrol(checkpoint=gate, by=street_official, time=timezone.now())
    assert not PatrolVisit.objects.exists()


def test_the_district_official_opens_the_patrol_form_and_records_a_finding(
    client: Any, district_official: Any, community_a: Any
) -> None:
    gate = CheckpointFactory(community=community_a, name="南门")
    client.force_login(district_official)
    url = reverse("staff:patrol_add", args=[community_a.pk]) + f"?checkpoint={gate.pk}"

    page = client.get(url)
    assert page.status_code == 200
    assert "follow_up" not in page.context["form"].fields  # the office raises the tasks

    response = client.post(
        url,
        {
            "checkpoint": gate.pk,
            "time": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "findings": [PatrolFinding.CROWDING],
        },
    )

    assert response.status_code == 302
    assert PatrolVisit.objects.get().finding_list == [PatrolFinding.CROWDING]


def test_a_street_official_is_refused_the_patrol_form_of_another_street(
    client: Any, street_official: Any, district: Any
) -> None:
    elsewhere = CommunityFactory(parent=StreetFactory(parent=district))
    client.force_login(street_official)

    response = client.get(reverse("staff:patrol_add", args=[elsewhere.pk]))

    assert response.status_code == 404


def test_a_grid_worker_still_may_not_record_a_patrol(
    client: Any, grid_worker_a1: Any, community_a: Any
) -> None:
    client.force_login(grid_worker_a1)

    response = client.get(reverse("staff:patrol_add", args=[community_a.pk]))

    assert response.status_code == 403


def test_the_patrol_form_offers_the_gates_roster_as_checkboxes_and_everyone_else_in_one_list(
    client: Any, officer_a: Any, community_a: Any
) -> None:
    gate = CheckpointFactory(community=community_a)
    on_roster = StaffMemberFactory(community=community_a)
    elsewhere = StaffMemberFactory(community=community_a)
    shift = ShiftFactory(community=community_a, checkpoint=gate, start=timezone.now())
    ShiftAssignment.objects.create(shift=shift, member=on_roster, community_id=community_a.pk)
    client.force_login(officer_a)

    form = client.get(
        reverse("staff:patrol_add", args=[community_a.pk]) + f"?checkpoint={gate.pk}"
    ).context["form"]

    assert list(form.fields["on_duty"].queryset) == [on_roster]
    assert elsewhere in form.fields["others_on_duty"].queryset
    assert on_roster not in form.fields["others_on_duty"].queryset
