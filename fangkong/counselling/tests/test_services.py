"""Opening, recording, referring and closing a counselling case."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from fangkong.core.exceptions import PermissionDeniedError
from fangkong.counselling.choices import CaseStatus, RiskLevel, SessionMode
from fangkong.counselling.models import CounsellingCase
from fangkong.counselling.services import (
    do_close_case,
    do_open_case,
    do_record_session,
    do_refer_case,
)
from fangkong.counselling.tests.factories import CaseFactory
from fangkong.registry.tests.factories import PersonFactory
from fangkong.staff.choices import TaskKind
from fangkong.staff.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(grid_a1: Any) -> Any:
    return PersonFactory(household__building__grid=grid_a1)


def test_the_officer_opens_a_case_with_the_health_officer_as_counsellor(
    person: Any, officer_a: Any, health_a: Any
) -> None:
    case = do_open_case(person, by=officer_a, counsellor=health_a, risk_level=RiskLevel.HIGH)

    assert case.community_id == person.community_id
    assert case.status == CaseStatus.OPEN
    assert case.opened_on == person.community.local_today()


def test_a_grid_worker_cannot_be_a_counsellor(
    person: Any, officer_a: Any, grid_worker_a1: Any
) -> None:
    with pytest.raises(ValidationError) as refused:
        do_open_case(person, by=officer_a, counsellor=grid_worker_a1)
    assert "counsellor" in refused.value.message_dict


def test_a_session_with_a_follow_up_raises_a_task_for_the_counsellor_naming_nobody(
    person: Any, health_a: Any
) -> None:
    case = CaseFactory(person=person, counsellor=health_a, by=health_a)
    follow_up = person.community.local_today() + dt.timedelta(days=2)

    do_record_session(
        case, by=health_a, mode=SessionMode.PHONE, notes="情绪平稳", follow_up_on=follow_up
    )

    task = Task.objects.get(
        content_type=ContentType.objects.get_for_model(CounsellingCase), object_id=case.pk
    )
    assert task.kind == TaskKind.COUNSELLING_FOLLOW_UP
    assert task.assignee == health_a
    assert person.name not in task.title


def test_only_the_counsellor_or_the_officer_records_a_session(
    person: Any, health_a: Any, officer_a: Any, community_a: Any
) -> None:
    from fangkong.accounts.choices import Role
    from fangkong.accounts.tests.factories import UserFactory

    other = UserFactory(role=Role.HEALTH_OFFICER, area=community_a)
    case = CaseFactory(person=person, counsellor=health_a)

    with pytest.raises(PermissionDeniedError):
        do_record_session(case, by=other, mode=SessionMode.PHONE, notes="")
    assert do_record_session(case, by=officer_a, mode=SessionMode.IN_PERSON, notes="上门")


def test_a_referral_needs_a_professional_and_a_closed_case_takes_no_session(
    person: Any, officer_a: Any, health_a: Any
) -> None:
    case = CaseFactory(person=person, counsellor=health_a)
    with pytest.raises(ValidationError) as refused:
        do_refer_case(case, referral_to=" ", by=officer_a)
    assert "referral_to" in refused.value.message_dict

    referred = do_refer_case(case, referral_to="市精神卫生中心", by=officer_a)
    assert referred.status == CaseStatus.REFERRED
    closed = do_close_case(referred, expected_version=referred.version, by=officer_a)
    assert closed.closed_on == person.community.local_today()
    with pytest.raises(ValidationError):
        do_record_session(closed, by=health_a, mode=SessionMode.PHONE, notes="")
