"""Alerts: answers that matter mark the household and person, make a task for the community
officer, are listed on one page, and are closed by the officer or the health module."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from fangkong.core.exceptions import PermissionDeniedError
from fangkong.registry.models import Person
from fangkong.screening.choices import (
    AlertKind,
    AlertLevel,
    AlertStatus,
    CampaignUnit,
    Outcome,
)
from fangkong.screening.models import Alert
from fangkong.screening.services import alerts_for_person, do_record_call, do_resolve_alert
from fangkong.screening.tests.factories import (
    assignment_of,
    good_answers,
    started_campaign,
    street_of_households,
)
from fangkong.staff.choices import TaskStatus
from fangkong.staff.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def households(grid_a1: Any, grid_worker_a1: Any, officer_a: Any) -> list[Any]:
    return street_of_households(grid_a1, 2, people=2)


def test_contact_with_a_case_makes_an_urgent_task_for_the_officer(
    community_a: Any, households: list[Any], grid_worker_a1: Any, officer_a: Any
) -> None:
    campaign = started_campaign(community_a)
    result = do_record_call(
        assignment_of(campaign, households[0]),
        by=grid_worker_a1,
        outcome=Outcome.ANSWERED,
        answers=good_answers(contact="yes"),
    )

    alert = Alert.objects.get()
    assert (alert.kind, alert.level, alert.status) == (
        AlertKind.CONTACT,
        AlertLevel.URGENT,
        AlertStatus.OPEN,
    )
    assert alert.household == households[0]
    assert result.assignment.alert_level == AlertLevel.URGENT  # the household is marked
    task = Task.objects.get(pk=alert.task_id)
    assert task.kind == "screening.alert"
    assert task.assignee == officer_a
    assert task.priority == "urgent"
    assert task.object_id == alert.pk


def test_a_fever_at_the_communitys_own_threshold_raises_an_alert(
    community_a: Any, households: list[Any], grid_worker_a1: Any
) -> None:
    community_a.fever_threshold = Decimal("37.0")
    community_a.save(update_fields=["fever_threshold"])
    campaign = started_campaign(community_a)
    do_record_call(
        assignment_of(campaign, households[0]),
        by=grid_worker_a1,
        outcome=Outcome.ANSWERED,
        answers=good_answers(temperature="37.1"),
    )
    assert Alert.objects.get().kind == AlertKind.FEVER


def test_calm_answers_raise_nothing(
    community_a: Any, households: list[Any], grid_worker_a1: Any
) -> None:
    campaign = started_campaign(community_a)
    do_record_call(
        assignment_of(campaign, households[0]),
        by=grid_worker_a1,
        outcome=Outcome.ANSWERED,
        answers=good_answers(),
    )
    assert not Alert.objects.exists()
    assert not Task.objects.filter(kind="screening.alert").exists()


def test_in_a_per_person_campaign_the_alert_marks_the_person(
    community_a: Any, households: list[Any], grid_worker_a1: Any
) -> None:
    campaign = started_campaign(community_a, unit=CampaignUnit.PERSON)
    well, feverish = Person.objects.filter(household=households[0]).order_by("pk")
    do_record_call(
        assignment_of(campaign, households[0]),
        by=grid_worker_a1,
        outcome=Outcome.ANSWERED,
        people_answers={well.pk: good_answers(), feverish.pk: good_answers(temperature="38.4")},
    )
    alert = Alert.objects.get()
    assert alert.person == feverish
    assert list(alerts_for_person(feverish)) == [alert]
    assert list(alerts_for_person(well)) == []


def test_a_per_person_campaign_needs_every_members_answers(
    community_a: Any, households: list[Any], grid_worker_a1: Any
) -> None:
    campaign = started_campaign(community_a, unit=CampaignUnit.PERSON)
    first, second = Person.objects.filter(household=households[0]).order_by("pk")
    with pytest.raises(ValidationError) as exc:
        do_record_call(
            assignment_of(campaign, households[0]),
            by=grid_worker_a1,
            outcome=Outcome.ANSWERED,
            people_answers={first.pk: good_answers()},
        )
    assert f"{second.pk}.contact" in exc.value.message_dict


def test_a_household_alert_belongs_to_every_member(
    community_a: Any, households: list[Any], grid_worker_a1: Any
) -> None:
    campaign = started_campaign(community_a)
    do_record_call(
        assignment_of(campaign, households[0]),
        by=grid_worker_a1,
        outcome=Outcome.ANSWERED,
        answers=good_answers(contact="yes"),
    )
    member = households[0].members.first()
    assert alerts_for_person(member).count() == 1


def test_the_health_module_closes_an_alert_as_acted_on(
    community_a: Any, households: list[Any], grid_worker_a1: Any, health_a: Any
) -> None:
    campaign = started_campaign(community_a)
    do_record_call(
        assignment_of(campaign, households[0]),
        by=grid_worker_a1,
        outcome=Outcome.ANSWERED,
        answers=good_answers(contact="yes"),
    )
    alert = Alert.objects.get()

    do_resolve_alert(alert, by=health_a, outcome=AlertStatus.ACTED, note="居家隔离14天")

    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACTED
    assert alert.resolved_by == health_a
    assert Task.objects.get(pk=alert.task_id).status == TaskStatus.DONE
    assert assignment_of(campaign, households[0]).alert_level == ""  # no open alert left


def test_a_dismissal_needs_a_reason_and_grid_workers_do_not_close_alerts(
    community_a: Any, households: list[Any], grid_worker_a1: Any, officer_a: Any
) -> None:
    campaign = started_campaign(community_a)
    do_record_call(
        assignment_of(campaign, households[0]),
        by=grid_worker_a1,
        outcome=Outcome.ANSWERED,
        answers=good_answers(temperature="37.8"),
    )
    alert = Alert.objects.get()
    with pytest.raises(PermissionDeniedError):
        do_resolve_alert(alert, by=grid_worker_a1, outcome=AlertStatus.DISMISSED, note="误报")
    with pytest.raises(ValidationError):
        do_resolve_alert(alert, by=officer_a, outcome=AlertStatus.DISMISSED)
    do_resolve_alert(alert, by=officer_a, outcome=AlertStatus.DISMISSED, note="复测36.8℃")
    with pytest.raises(ValidationError, match="already been dealt with"):
        do_resolve_alert(alert, by=officer_a, outcome=AlertStatus.ACTED)


def test_open_alerts_are_listed_on_one_page_and_closed_there(
    client: Any, community_a: Any, households: list[Any], grid_worker_a1: Any, officer_a: Any
) -> None:
    campaign = started_campaign(community_a)
    for household, answers in zip(
        households, (good_answers(contact="yes"), good_answers(temperature="38.0")), strict=True
    ):
        do_record_call(
            assignment_of(campaign, household),
            by=grid_worker_a1,
            outcome=Outcome.ANSWERED,
            answers=answers,
        )
    client.force_login(officer_a)
    page = client.get(reverse("screening:alert_list")).content.decode()
    assert page.count('class="badge badge-urgent"') == 1
    assert page.count('class="badge badge-high"') == 1
    # Names are masked on the list
    for person in Person.objects.filter(household__in=households):
        assert person.name not in page

    alert = Alert.objects.get(kind=AlertKind.FEVER)
    response = client.post(
        reverse("screening:alert_detail", args=[alert.pk]),
        {"outcome": "acted", "note": "已通知社区医生上门"},
    )
    assert response.status_code == 302
    assert Alert.objects.filter(status=AlertStatus.OPEN).count() == 1
