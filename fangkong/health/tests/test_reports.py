"""Daily health reports: who may enter them, for whom, the urgent tasks a fever or a new
symptom raises, and the reports missing today with their follow-up tasks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from fangkong.core.exceptions import PermissionDeniedError
from fangkong.health import services
from fangkong.health.choices import ChangeReason, Symptom
from fangkong.health.clock import day_start
from fangkong.health.models import Quarantine
from fangkong.health.tests.factories import (
    QuarantineFactory,
    ReportFactory,
    family,
    household_quarantine,
    members,
)
from fangkong.registry.tests.factories import PersonFactory
from fangkong.staff.models import Task

pytestmark = pytest.mark.django_db


@pytest.fixture
def quarantined(grid_a1: Any, health_a: Any) -> Quarantine:
    return QuarantineFactory(person=PersonFactory(household=family(grid_a1, 0)), by=health_a)


def test_the_grid_worker_enters_a_report_for_someone_of_their_grid(
    quarantined: Quarantine, grid_worker_a1: Any
) -> None:
    report = ReportFactory(
        person=quarantined.person, temperature="36.6", symptoms=[Symptom.COUGH], by=grid_worker_a1
    )
    assert report.quarantine == quarantined
    assert report.temperature == Decimal("36.6")
    assert report.symptom_list == [Symptom.COUGH]
    assert not report.is_fever
    assert report.entered_by == grid_worker_a1


def test_the_worker_of_another_grid_and_the_gate_cannot_enter_reports(
    quarantined: Quarantine, grid_worker_a2: Any, checkpoint_a: Any
) -> None:
    from django.http import Http404

    with pytest.raises(Http404):
        ReportFactory(person=quarantined.person, by=grid_worker_a2)
    with pytest.raises(PermissionDeniedError):
        ReportFactory(person=quarantined.person, by=checkpoint_a)


def test_a_report_for_someone_not_under_monitoring_is_refused(
    grid_a1: Any, grid_worker_a1: Any
) -> None:
    person = PersonFactory(household=family(grid_a1, 0))
    with pytest.raises(ValidationError) as refused:
        ReportFactory(person=person, by=grid_worker_a1)
    assert "not under quarantine or health monitoring" in str(refused.value.message_dict["person"])


@pytest.mark.parametrize("temperature", ["33.9", "43.1", "abc", "nan", ""])
def test_a_temperature_outside_the_valid_range_is_refused(
    quarantined: Quarantine, grid_worker_a1: Any, temperature: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        ReportFactory(person=quarantined.person, temperature=temperature, by=grid_worker_a1)
    assert "temperature" in refused.value.message_dict


def test_a_report_in_the_future_is_refused(quarantined: Quarantine, grid_worker_a1: Any) -> None:
    with pytest.raises(ValidationError):
        ReportFactory(
            person=quarantined.person,
            by=grid_worker_a1,
            taken_at=timezone.now() + dt.timedelta(hours=1),
        )


def test_a_fever_at_the_communitys_threshold_raises_an_urgent_task_for_the_grid_worker(
    quarantined: Quarantine, grid_worker_a1: Any, community_a: Any
) -> None:
    # Given the community's threshold is 37.3 (the default)
    assert community_a.fever_threshold == Decimal("37.3")
    # When exactly 37.3 is reported
    report = ReportFactory(person=quarantined.person, temperature="37.3", by=grid_worker_a1)
    # Then it is a fever and an urgent task reaches the grid worker
    assert report.is_fever
    task = Task.objects.get(pk=report.task_id)
    assert (task.kind, task.priority, task.assignee) == ("health.fever", "urgent", grid_worker_a1)
    assert task.link == quarantined.person
    assert quarantined.person.name not in task.title  # the name is masked in the title
    # And a second fever the same day adds to the same open task
    again = ReportFactory(person=quarantined.person, temperature="38.0", by=grid_worker_a1)
    assert again.task_id == task.pk
    # And 37.2 is no fever
    assert not ReportFactory(person=quarantined.person, temperature="37.2").is_fever


def test_a_community_with_a_lower_threshold_calls_a_lower_temperature_fever(
    quarantined: Quarantine, community_a: Any
) -> None:
    community_a.fever_threshold = Decimal("37.0")
    community_a.save(update_fields=["fever_threshold"])
    quarantined.person.community.refresh_from_db()
    assert ReportFactory(person=quarantined.person, temperature="37.1").is_fever


def test_a_new_symptom_raises_an_urgent_task_but_a_known_one_does_not(
    quarantined: Quarantine, grid_worker_a1: Any
) -> None:
    first = ReportFactory(person=quarantined.person, symptoms=[Symptom.COUGH])
    assert Task.objects.get(pk=first.task_id).kind == "health.symptom"
    again = ReportFactory(person=quarantined.person, symptoms=[Symptom.COUGH])
    assert again.task_id is None
    worse = ReportFactory(person=quarantined.person, symptoms=[Symptom.COUGH, Symptom.BREATH])
    assert worse.task_id is not None
    assert Task.objects.filter(kind="health.symptom", priority="urgent").count() == 2


def _at(community: Any, hour: int, day: dt.date | None = None) -> dt.datetime:
    day = day or timezone.localdate()
    return day_start(day, community) + dt.timedelta(hours=hour)


def test_reports_missing_today_count_the_parts_of_the_day_begun(
    grid_a1: Any, health_a: Any, community_a: Any
) -> None:
    # Given a household of three under home quarantine, seen on a day already over
    day = timezone.localdate() - dt.timedelta(days=1)
    household = family(grid_a1, 3)
    household_quarantine(household, by=health_a, start_date=day - dt.timedelta(days=1))
    a, b, c = members(household)
    # And a reported in the morning, b not at all, c morning and afternoon
    ReportFactory(person=a, taken_at=_at(community_a, 9, day))
    ReportFactory(person=c, taken_at=_at(community_a, 9, day))
    ReportFactory(person=c, taken_at=_at(community_a, 13, day))
    quarantines = Quarantine.objects.all()

    # Then at ten in the morning b is missing
    at_ten = services.missing_reports(quarantines, now=_at(community_a, 10, day))
    assert [(m.person, m.reported, m.expected) for m in at_ten] == [(b, 0, 1)]
    # And at seven in the evening a is missing the afternoon's report too
    at_seven = services.missing_reports(quarantines, now=_at(community_a, 19, day))
    assert {(m.person, m.reported, m.expected) for m in at_seven} == {(a, 1, 2), (b, 0, 2)}


def test_the_periodic_check_raises_each_missing_report_task_once(
    grid_a1: Any, grid_worker_a1: Any, health_a: Any, community_a: Any
) -> None:
    # Given a person under quarantine for three days who reported once the day before
    today = timezone.localdate() - dt.timedelta(days=1)  # the check's "today", already past
    before = today - dt.timedelta(days=1)
    person = PersonFactory(household=family(grid_a1, 0))
    QuarantineFactory(person=person, by=health_a, start_date=today - dt.timedelta(days=2))
    ReportFactory(person=person, taken_at=_at(community_a, 8, before))

    # When the check runs in the early afternoon
    now = _at(community_a, 13, today)
    raised = services.check_missing_reports(now)

    # Then one task for the day before's afternoon report, one for this morning's
    tasks = Task.objects.filter(kind="health.missing_report")
    assert raised == 2
    assert {t.reason for t in tasks} == {f"missing:{today}:1", f"missing:{before}:2"}
    assert all(t.assignee == grid_worker_a1 and t.link == person for t in tasks)

    # And running it again, even after the tasks were done, raises nothing new
    from fangkong.staff.services import do_complete_task

    for task in tasks:
        do_complete_task(task, by=None, note="called")
    assert services.check_missing_reports(now + dt.timedelta(minutes=30)) == 0


def test_an_ended_quarantine_has_nothing_missing(
    grid_a1: Any, health_a: Any, community_a: Any
) -> None:
    person = PersonFactory(household=family(grid_a1, 0))
    quarantine = QuarantineFactory(person=person, by=health_a)
    services.do_end_quarantine(
        quarantine,
        by=health_a,
        reason=ChangeReason.CORRECTION,
        evidence_kind="official_notice",
        evidence_ref="录入错误更正",
    )
    assert services.missing_reports(Quarantine.objects.all(), now=_at(community_a, 20)) == []
    with pytest.raises(ValidationError):
        ReportFactory(person=person)


def _check_queries(now: dt.datetime) -> tuple[int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        raised = services.check_missing_reports(now)
    return raised, len(queries)


def test_the_periodic_check_reads_a_fixed_number_of_queries_however_many_are_quarantined(
    grid_a1: Any, grid_worker_a1: Any, health_a: Any, community_a: Any
) -> None:
    # Given two people under quarantine since yesterday who never reported, checked once
    today = timezone.localdate() - dt.timedelta(days=1)
    start = today - dt.timedelta(days=1)
    now = _at(community_a, 13, today)
    for _i in range(2):
        QuarantineFactory(
            person=PersonFactory(household=family(grid_a1, 0)), by=health_a, start_date=start
        )
    assert services.check_missing_reports(now) == 4
    # When the check runs again with nothing new to raise
    raised, two = _check_queries(now + dt.timedelta(minutes=30))
    assert raised == 0
    # Then with eight people it costs the same queries as with two
    for _i in range(6):
        QuarantineFactory(
            person=PersonFactory(household=family(grid_a1, 0)), by=health_a, start_date=start
        )
    assert services.check_missing_reports(now) == 12
    raised, eight = _check_queries(now + dt.timedelta(minutes=30))
    assert (raised, eight) == (0, two)
    assert all(
        t.assignee == grid_worker_a1 for t in Task.objects.filter(kind="health.missing_report")
    )
