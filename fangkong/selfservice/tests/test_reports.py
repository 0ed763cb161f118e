"""Health reports sent by the household: through the health module's own service, so a
fever raises the same urgent task as a grid worker's entry; bad input refused in Chinese."""

from __future__ import annotations

from typing import Any

import pytest

from fangkong.health.models import HealthReport
from fangkong.selfservice.choices import ActivityKind
from fangkong.selfservice.models import Activity
from fangkong.selfservice.tests.conftest import Home
from fangkong.staff.models import Task

pytestmark = pytest.mark.django_db


def _report(home: Home, person_id: int, temperature: str, **extra: Any) -> Any:
    prefix = f"p{person_id}"
    data = {"member": str(person_id), f"{prefix}-person": str(person_id)}
    data[f"{prefix}-temperature"] = temperature
    data.update(extra)
    return home.client.post("/s/home/report/", data)


def test_a_normal_report_is_recorded_as_the_persons_own(home: Home) -> None:
    response = _report(home, home.monitored.pk, "36.6")
    assert response.status_code == 302
    report = HealthReport.objects.get(person=home.monitored)
    assert (report.source, str(report.temperature), report.entered_by) == ("person", "36.6", None)
    assert Activity.objects.filter(household=home.household, kind=ActivityKind.REPORT).exists()
    # The part of the day is reported: the form gives way to a thank-you.
    page = home.client.get("/s/home/").content.decode()
    assert 'name="member"' not in page


def test_a_fever_raises_the_same_urgent_task_as_a_grid_workers_entry(
    home: Home, grid_worker_a1: Any
) -> None:
    response = _report(
        home, home.monitored.pk, "38.2", **{f"p{home.monitored.pk}-symptoms": "cough"}
    )
    assert response.status_code == 302
    report = HealthReport.objects.get(person=home.monitored)
    assert report.is_fever
    task = Task.objects.get(pk=report.task_id)
    assert (task.kind, task.priority, task.assignee) == ("health.fever", "urgent", grid_worker_a1)


@pytest.mark.parametrize("temperature", ["33.9", "43.1", "abc", ""])
def test_a_temperature_outside_34_to_43_is_refused_in_chinese(home: Home, temperature: str) -> None:
    response = _report(home, home.monitored.pk, temperature)
    assert response.status_code == 400
    assert not HealthReport.objects.exists()
    text = response.content.decode()
    assert "体温" in text or "请输入" in text or "数字" in text


def test_a_report_for_a_member_of_another_household_is_refused(home: Home, neighbour: Home) -> None:
    response = _report(home, neighbour.monitored.pk, "36.5")
    assert response.status_code == 400
    assert "请选择本户成员" in response.content.decode()
    assert not HealthReport.objects.exists()
    assert Activity.objects.filter(
        household=home.household, kind=ActivityKind.REPORT_REFUSED
    ).exists()


def test_a_member_not_under_monitoring_gets_no_report(home: Home) -> None:
    response = _report(home, home.people[1].pk, "36.5")
    assert response.status_code == 400
    assert not HealthReport.objects.exists()


def test_a_second_report_for_the_same_member_and_part_of_the_day_is_refused_by_the_service(
    home: Home,
) -> None:
    from django.core.exceptions import ValidationError

    from fangkong.selfservice.services import do_self_report

    do_self_report(home.link, person_id=home.monitored.pk, temperature="36.5")
    with pytest.raises(ValidationError) as refused:
        do_self_report(home.link, person_id=home.monitored.pk, temperature="36.7")
    assert "本时段已报告" in " ".join(refused.value.messages)
    assert HealthReport.objects.filter(person=home.monitored).count() == 1
    assert Activity.objects.filter(
        household=home.household, kind=ActivityKind.REPORT_REFUSED
    ).exists()


def test_a_second_report_posted_from_a_stale_page_is_refused_in_chinese(home: Home) -> None:
    assert _report(home, home.monitored.pk, "36.5").status_code == 302
    response = _report(home, home.monitored.pk, "36.6")
    assert response.status_code == 400
    assert "本时段已报告" in response.content.decode()
    assert HealthReport.objects.filter(person=home.monitored).count() == 1
