"""Volunteers' services: residents linked not copied, the roster link, the last place,
hours served, cancelling, refusals with their reasons, and the audit rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from fangkong.core.choices import ChangeAction
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.models import ObjectChange
from fangkong.registry.choices import PersonTag
from fangkong.registry.services import do_update_person
from fangkong.registry.tests.factories import PersonFactory
from fangkong.staff.models import ShiftAssignment
from fangkong.staff.services import do_check_in, do_check_out
from fangkong.staff.tests.factories import CheckpointFactory
from fangkong.volunteers import services
from fangkong.volunteers.choices import Answer, RequestStatus, VolunteerGroup
from fangkong.volunteers.models import Volunteer
from fangkong.volunteers.tests.factories import VolunteerFactory, VolunteerRequestFactory, accept

pytestmark = pytest.mark.django_db


def last_change(obj: Any) -> ObjectChange:
    return ObjectChange.objects.filter(
        object_id=str(obj.pk), content_type__model=obj._meta.model_name
    ).latest("pk")


def test_a_veteran_resident_becomes_a_volunteer_linked_not_copied(
    officer_a: Any, grid_a1: Any
) -> None:
    person = PersonFactory(household__building__grid=grid_a1, name="周建军")
    do_update_person(person, by=None, tags=[PersonTag.VETERAN])
    person.refresh_from_db()

    volunteer = services.do_add_resident_as_volunteer(person, by=officer_a)

    assert volunteer.person == person
    assert volunteer.name == ""
    assert volunteer.phone_cipher == ""
    assert volunteer.display_name == "周建军"
    assert volunteer.shown_phone == person.phone_mask
    assert volunteer.rank == 0  # veterans first
    assert VolunteerGroup.VETERAN in volunteer.groups
    assert volunteer.area == grid_a1
    assert last_change(volunteer).action == ChangeAction.CREATE
    with pytest.raises(ValidationError, match="已是志愿者"):
        services.do_add_resident_as_volunteer(person, by=officer_a)


def test_an_outsiders_phone_is_protected_and_a_second_with_it_refused(
    officer_a: Any, community_a: Any
) -> None:
    volunteer = services.do_create_volunteer(
        community=community_a, by=officer_a, name="王卫东", phone="13912345678"
    )
    assert volunteer.phone_mask == "139****5678"
    assert "13912345678" not in volunteer.phone_cipher
    assert volunteer.health_checked_on is None
    with pytest.raises(ValidationError) as refused:
        services.do_create_volunteer(
            community=community_a, by=officer_a, name="王卫东", phone="139 1234 5678"
        )
    assert "已有使用该手机号的志愿者" in str(refused.value)


def test_an_officer_of_another_community_cannot_add_volunteers_here(
    officer_b: Any, community_a: Any
) -> None:
    with pytest.raises(Http404):
        services.do_create_volunteer(community=community_a, by=officer_b, name="王卫东")


def test_a_grid_worker_cannot_add_volunteers(grid_worker_a1: Any, community_a: Any) -> None:
    with pytest.raises((PermissionDeniedError, Http404)):
        services.do_create_volunteer(community=community_a, by=grid_worker_a1, name="王卫东")


def test_accepting_puts_the_volunteer_on_the_roster_shift(officer_a: Any, community_a: Any) -> None:
    gate = CheckpointFactory(community=community_a, name="北门")
    volunteer = VolunteerFactory(community=community_a, name="刘建国")
    wanted = VolunteerRequestFactory(
        community=community_a, checkpoint=gate, place_name="", people_needed=2
    )

    response = services.do_answer_request(wanted, volunteer, accepted=True, by=officer_a)

    volunteer.refresh_from_db()
    assert volunteer.staff_member is not None
    assert volunteer.staff_member.name == "刘建国"
    assignment = ShiftAssignment.objects.get(shift=wanted.shift)
    assert response.assignment == assignment
    assert assignment.member == volunteer.staff_member
    assert wanted.shift is not None
    assert wanted.shift.checkpoint == gate
    assert wanted.shift.people_needed == 2
    assert last_change(response).action == ChangeAction.CREATE
    wanted.refresh_from_db()
    assert wanted.status == RequestStatus.OPEN  # one of two


def test_the_last_place_fills_the_request_and_no_one_more_is_taken(
    officer_a: Any, community_a: Any
) -> None:
    first, second = VolunteerFactory(community=community_a), VolunteerFactory(community=community_a)
    wanted = VolunteerRequestFactory(community=community_a, people_needed=1)
    services.do_answer_request(wanted, first, accepted=True, by=officer_a)
    wanted.refresh_from_db()
    assert wanted.status == RequestStatus.FILLED

    with pytest.raises(ValidationError, match="不再接收人员"):
        services.do_answer_request(wanted, second, accepted=True, by=officer_a)
    # Declining still records the answer (who was asked).
    declined = services.do_answer_request(wanted, second, accepted=False, by=officer_a)
    assert declined.answer == Answer.DECLINED
    assert declined.assignment is None


def test_a_volunteer_answers_a_request_once(officer_a: Any, community_a: Any) -> None:
    volunteer = VolunteerFactory(community=community_a)
    wanted = VolunteerRequestFactory(community=community_a, people_needed=3)
    services.do_answer_request(wanted, volunteer, accepted=False, by=officer_a)
    with pytest.raises(ValidationError, match="已答复过此需求"):
        services.do_answer_request(wanted, volunteer, accepted=True, by=officer_a)


def test_a_volunteer_of_another_community_is_refused(
    officer_a: Any, community_a: Any, community_b: Any
) -> None:
    stranger = VolunteerFactory(community=community_b)
    wanted = VolunteerRequestFactory(community=community_a)
    with pytest.raises(ValidationError, match="请选择本社区的志愿者"):
        services.do_answer_request(wanted, stranger, accepted=True, by=officer_a)


def test_hours_are_the_shifts_length_or_the_check_in_to_check_out(
    officer_a: Any, community_a: Any, volunteer_a: Any
) -> None:
    # Given two volunteers on a two-hour duty, one of whom checks in and out on the roster.
    wanted = VolunteerRequestFactory(community=community_a, people_needed=2)
    stayed, checked = (
        VolunteerFactory(community=community_a),
        VolunteerFactory(community=community_a),
    )
    accept(wanted, stayed)
    by_roster = accept(wanted, checked)
    member = Volunteer.objects.get(pk=checked.pk).staff_member
    assert member is not None
    member.user = volunteer_a
    member.save(update_fields=["user"])
    do_check_in(by_roster.assignment, by=volunteer_a, now=wanted.start)
    do_check_out(by_roster.assignment, by=volunteer_a, now=wanted.start + dt.timedelta(minutes=90))

    # When the officer counts the hours before and after the duty is over.
    with pytest.raises(ValidationError, match="值守尚未结束"):
        services.do_count_hours(wanted, by=officer_a, now=wanted.start)
    done = services.do_count_hours(wanted, by=officer_a, now=wanted.end + dt.timedelta(minutes=1))

    # Then each has their hours and the request is done.
    assert done.status == RequestStatus.DONE
    assert services.volunteer_hours(stayed) == Decimal("2.00")
    assert services.volunteer_hours(checked) == Decimal("1.50")
    with pytest.raises(ValidationError):
        services.do_count_hours(wanted, by=officer_a, now=wanted.end + dt.timedelta(hours=1))


def test_cancelling_takes_the_volunteers_off_the_roster(officer_a: Any, community_a: Any) -> None:
    volunteer = VolunteerFactory(community=community_a)
    wanted = VolunteerRequestFactory(community=community_a, people_needed=2)
    accept(wanted, volunteer)

    cancelled = services.do_cancel_request(wanted, by=officer_a)

    assert cancelled.status == RequestStatus.CANCELLED
    assert not ShiftAssignment.objects.filter(shift=wanted.shift).exists()
    assert last_change(cancelled).action == ChangeAction.UPDATE


def test_a_request_needs_a_place_and_a_sensible_time(officer_a: Any, community_a: Any) -> None:
    wanted = VolunteerRequestFactory.build(community=community_a)
    with pytest.raises(ValidationError) as refused:
        services.do_create_request(
            community=community_a, by=officer_a, start=wanted.start, end=wanted.start
        )
    assert set(refused.value.message_dict) == {"place_name", "end"}
    with pytest.raises(ValidationError, match="24"):
        services.do_create_request(
            community=community_a,
            by=officer_a,
            place_name="北门",
            start=wanted.start,
            end=wanted.start + dt.timedelta(hours=25),
        )
