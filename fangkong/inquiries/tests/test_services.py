"""Recording, answering, calling back and closing an inquiry."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import Http404

from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.models import ObjectChange
from fangkong.inquiries.choices import Category, Channel, InquiryStatus
from fangkong.inquiries.models import Inquiry
from fangkong.inquiries.services import (
    do_answer_inquiry,
    do_ask_from_household,
    do_close_inquiry,
    do_follow_up_inquiry,
    do_record_inquiry,
    follow_up_due,
)
from fangkong.inquiries.tests.factories import InquiryFactory
from fangkong.staff.choices import TaskKind, TaskStatus
from fangkong.staff.models import Task

pytestmark = pytest.mark.django_db


def _created(inquiry: Inquiry) -> ObjectChange:
    return ObjectChange.objects.get(
        content_type=ContentType.objects.get_for_model(Inquiry),
        object_id=str(inquiry.pk),
        action="create",
    )


def _tasks(inquiry: Inquiry) -> Any:
    return Task.objects.filter(
        content_type=ContentType.objects.get_for_model(Inquiry), object_id=inquiry.pk
    )


def test_a_grid_worker_records_a_question_of_a_household_of_its_grid(
    community_a: Any, grid_worker_a1: Any, asker: Any
) -> None:
    inquiry = do_record_inquiry(
        community_a,
        by=grid_worker_a1,
        channel=Channel.PHONE,
        category=Category.SUPPLIES,
        question="  药快吃完了怎么办？ ",
        person=asker,
    )

    assert inquiry.status == InquiryStatus.OPEN
    assert inquiry.question == "药快吃完了怎么办？"
    assert inquiry.household_id == asker.household_id  # the person's household stands for it
    assert inquiry.grid_id == asker.household.grid_id
    assert inquiry.handler == grid_worker_a1
    change = _created(inquiry)
    assert change.actor == grid_worker_a1
    assert change.person_id == asker.pk


def test_an_answer_given_at_once_records_an_answered_inquiry(
    community_a: Any, officer_a: Any
) -> None:
    inquiry = InquiryFactory(community=community_a, by=officer_a, answer="请到居委会补办。")

    assert inquiry.status == InquiryStatus.ANSWERED
    assert inquiry.answered_by == officer_a
    assert inquiry.answered_at is not None


def test_an_empty_question_is_refused_on_its_field(community_a: Any, officer_a: Any) -> None:
    with pytest.raises(ValidationError) as refused:
        InquiryFactory(community=community_a, by=officer_a, question="   ")
    assert "question" in refused.value.message_dict


def test_a_household_of_another_community_is_refused(
    community_a: Any, grid_b1: Any, officer_a: Any
) -> None:
    from fangkong.health.tests.factories import family

    elsewhere = family(grid_b1, members=1)
    with pytest.raises(ValidationError) as refused:
        InquiryFactory(community=community_a, by=officer_a, household=elsewhere)
    assert "household" in refused.value.message_dict


def test_a_volunteer_may_not_record_inquiries(community_a: Any, volunteer_a: Any) -> None:
    with pytest.raises(PermissionDeniedError) as refused:
        InquiryFactory(community=community_a, by=volunteer_a)
    assert "咨询" in str(refused.value.message) or refused.value.message


def test_another_communitys_officer_finds_nothing_to_answer(
    community_a: Any, officer_b: Any
) -> None:
    inquiry = InquiryFactory(community=community_a)
    with pytest.raises(Http404):
        do_answer_inquiry(inquiry, answer="好", by=officer_b)


def test_closing_an_inquiry_without_an_answer_is_refused_with_the_reason(
    community_a: Any, officer_a: Any
) -> None:
    inquiry = InquiryFactory(community=community_a, by=officer_a)

    with pytest.raises(ValidationError) as refused:
        do_close_inquiry(inquiry, by=officer_a)

    assert "没有答复的咨询不能办结" in refused.value.messages[0]
    inquiry.refresh_from_db()
    assert inquiry.status == InquiryStatus.OPEN


def test_the_database_refuses_a_closed_inquiry_without_an_answer_too(
    community_a: Any,
) -> None:
    from django.db import IntegrityError, transaction

    inquiry = InquiryFactory(community=community_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Inquiry.objects.filter(pk=inquiry.pk).update(status=InquiryStatus.CLOSED)


def test_an_answered_inquiry_is_closed(community_a: Any, officer_a: Any) -> None:
    inquiry = InquiryFactory(community=community_a, by=officer_a)
    inquiry = do_answer_inquiry(inquiry, answer="请到居委会补办。", by=officer_a)

    closed = do_close_inquiry(inquiry, expected_version=inquiry.version, by=officer_a)

    assert closed.status == InquiryStatus.CLOSED
    assert closed.closed_at is not None


def test_a_follow_up_raises_a_task_for_the_handler_which_the_answer_completes(
    community_a: Any, health_a: Any
) -> None:
    inquiry = InquiryFactory(community=community_a, by=health_a, category=Category.MEDICAL)
    tomorrow = community_a.local_today() + dt.timedelta(days=1)

    waiting = do_follow_up_inquiry(
        inquiry, follow_up_on=tomorrow, note="问体温", expected_version=inquiry.version, by=health_a
    )

    assert waiting.status == InquiryStatus.FOLLOW_UP
    task = _tasks(inquiry).get()
    assert task.kind == TaskKind.INQUIRY_FOLLOW_UP
    assert task.assignee == health_a
    assert task.status == TaskStatus.OPEN
    assert task.due == follow_up_due(community_a, tomorrow)

    do_answer_inquiry(waiting, answer="已回访，体温正常。", by=health_a)

    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def test_a_follow_up_in_the_past_is_refused(community_a: Any, officer_a: Any) -> None:
    inquiry = InquiryFactory(community=community_a, by=officer_a)
    with pytest.raises(ValidationError) as refused:
        do_follow_up_inquiry(
            inquiry, follow_up_on=community_a.local_today() - dt.timedelta(days=1), by=officer_a
        )
    assert "follow_up_on" in refused.value.message_dict
    assert not _tasks(inquiry).exists()


def test_a_question_from_the_households_own_page_is_audited_as_the_household(
    home: Any,
) -> None:
    inquiry = do_ask_from_household(home, question="几点消毒？", category=Category.EPIDEMIC)

    assert inquiry.channel == Channel.SELF_SERVICE
    assert inquiry.handler is None
    assert inquiry.community_id == home.community_id
    change = _created(inquiry)
    assert change.actor is None
    assert change.actor_name == f"household:{home.pk}"


def test_a_question_from_the_households_page_without_a_category_is_other(home: Any) -> None:
    inquiry = do_ask_from_household(home, question="几点消毒？")
    assert inquiry.category == Category.OTHER
    with pytest.raises(ValidationError):
        do_ask_from_household(home, question=" ")
