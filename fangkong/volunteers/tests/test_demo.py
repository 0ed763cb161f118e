"""The volunteers' demo on a small community: a few hundred volunteers (veterans first),
yesterday's duty with its hours, tonight's call at the north gate partly filled."""

from __future__ import annotations

from typing import Any

import pytest

from fangkong.core.demo import DemoContext
from fangkong.registry.choices import PersonTag
from fangkong.registry.services import do_update_person
from fangkong.registry.tests.factories import PersonFactory
from fangkong.staff.models import ShiftAssignment
from fangkong.staff.tests.factories import CheckpointFactory
from fangkong.volunteers import demo
from fangkong.volunteers.choices import Answer, RequestStatus
from fangkong.volunteers.models import Volunteer, VolunteerRequest, VolunteerResponse

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_volunteers_a_done_duty_and_an_open_call(
    officer_a: Any, community_a: Any, grid_a1: Any
) -> None:
    veteran = PersonFactory(household__building__grid=grid_a1)
    do_update_person(veteran, by=None, tags=[PersonTag.VETERAN])
    north = CheckpointFactory(community=community_a, name="北门")
    ctx = DemoContext(password="x", log=lambda _: None)
    ctx.areas["community"] = community_a
    ctx.users["demo-community"] = officer_a
    ctx.extra["staff_checkpoints"] = [north]

    demo.seed(ctx)

    assert Volunteer.objects.filter(community=community_a).count() == demo.OUTSIDERS + 1
    assert Volunteer.objects.filter(person=veteran).exists()
    assert Volunteer.objects.filter(rank=0).count() > demo.OUTSIDERS // 3
    done = VolunteerRequest.objects.get(status=RequestStatus.DONE)
    assert all(r.hours for r in done.responses.filter(answer=Answer.ACCEPTED))
    tonight = VolunteerRequest.objects.get(checkpoint=north)
    assert tonight.status == RequestStatus.OPEN
    assert tonight.responses.filter(answer=Answer.ACCEPTED).count() == 3
    assert ShiftAssignment.objects.filter(shift=tonight.shift).count() == 3
    assert VolunteerResponse.objects.filter(answer=Answer.DECLINED).count() == 1

    demo.unseed(ctx)
    assert not Volunteer.objects.filter(community=community_a).exists()
