"""Jobs are rows run by one task on commit; periodic work runs once per slot."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from fangkong.accounts.models import User
from fangkong.areas.models import Area
from fangkong.core.choices import JobStatus
from fangkong.core.jobs import enqueue_job
from fangkong.core.models import Job, TickRun
from fangkong.core.periodic import PERIODIC, PeriodicTask, run_due

# --- Jobs -----------------------------------------------------------------------------------


def test_a_job_waits_for_the_transaction_to_commit(
    officer_a: User,
    community_a: Area,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = enqueue_job("core.selftest", user=officer_a, area_path=community_a.path)

    job.refresh_from_db()
    assert job.status == JobStatus.PENDING
    assert len(callbacks) == 1


def test_a_selftest_job_runs_inline_on_commit_and_reports_its_progress(
    officer_a: User,
    community_a: Area,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    # when a job is enqueued inside a transaction that commits
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        job = enqueue_job(
            "core.selftest", user=officer_a, area_path=community_a.path, params={"steps": 3}
        )

    # then the task has run it to the end
    job.refresh_from_db()
    assert job.status == JobStatus.COMPLETED
    assert (job.progress, job.total, job.percent) == (3, 3, 100)
    assert job.result == {"counted": 3}
    assert "3" in job.log
    assert job.started is not None
    assert job.finished is not None
    assert job.task_id
    assert job.user == officer_a


def test_a_failing_job_is_marked_failed_without_a_traceback_in_its_log(
    officer_a: User,
    community_a: Area,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        job = enqueue_job(
            "core.selftest", user=officer_a, area_path=community_a.path, params={"fail": True}
        )

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.is_finished
    assert job.result == {"error": "selftest asked to fail"}
    assert "RuntimeError: selftest asked to fail" in job.log
    assert "Traceback" not in job.log
    assert 'File "' not in job.log


def test_an_unknown_job_kind_is_refused(officer_a: User, community_a: Area) -> None:
    with pytest.raises(KeyError):
        enqueue_job("core.no_such_kind", user=officer_a, area_path=community_a.path)

    assert not Job.objects.exists()


def test_jobs_are_restricted_to_the_area_they_belong_to(
    officer_a: User,
    officer_b: User,
    grid_worker_a1: User,
    superuser: User,
    community_a: Area,
    community_b: Area,
    grid_a1: Area,
) -> None:
    job_a = Job.objects.create(kind="core.selftest", area_path=community_a.path)
    job_b = Job.objects.create(kind="core.selftest", area_path=community_b.path)
    job_a1 = Job.objects.create(kind="core.selftest", area_path=grid_a1.path)

    assert set(Job.objects.restrict(officer_a)) == {job_a, job_a1}
    assert set(Job.objects.restrict(officer_b)) == {job_b}
    assert set(Job.objects.restrict(grid_worker_a1)) == {job_a1}
    assert set(Job.objects.restrict(superuser)) == {job_a, job_b, job_a1}


# --- Periodic work --------------------------------------------------------------------------

NOW = dt.datetime(2020, 2, 3, 8, 30, tzinfo=dt.UTC)


@pytest.fixture
def every_ten_minutes(monkeypatch: pytest.MonkeyPatch) -> list[dt.datetime]:
    """A periodic task due every ten minutes that records when it ran — the only one
    registered, so the apps' own periodic work (every five minutes…) stays out of the count."""
    runs: list[dt.datetime] = []
    name = "tests.every_ten_minutes"
    for registered in list(PERIODIC):
        monkeypatch.delitem(PERIODIC, registered)
    monkeypatch.setitem(PERIODIC, name, PeriodicTask(name, 10, runs.append))
    return runs


@pytest.mark.django_db
def test_periodic_work_runs_once_per_slot(every_ten_minutes: list[dt.datetime]) -> None:
    first = run_due(NOW)
    second = run_due(NOW + dt.timedelta(minutes=5))  # same ten-minute slot

    assert "tests.every_ten_minutes" in first
    assert second == []
    assert every_ten_minutes == [NOW]


@pytest.mark.django_db
def test_periodic_work_runs_again_in_the_next_slot(every_ten_minutes: list[dt.datetime]) -> None:
    run_due(NOW)
    later = run_due(NOW + dt.timedelta(minutes=10))

    assert later == ["tests.every_ten_minutes"]
    assert every_ten_minutes == [NOW, NOW + dt.timedelta(minutes=10)]


@pytest.mark.django_db
def test_a_failing_periodic_task_does_not_stop_the_others(
    monkeypatch: pytest.MonkeyPatch, every_ten_minutes: list[dt.datetime]
) -> None:
    def broken(now: dt.datetime) -> None:
        raise RuntimeError("broken")

    monkeypatch.setitem(PERIODIC, "tests.a_broken", PeriodicTask("tests.a_broken", 10, broken))

    ran = run_due(NOW)

    assert {"tests.a_broken", "tests.every_ten_minutes"} <= set(ran)
    assert every_ten_minutes == [NOW]


@pytest.mark.django_db
def test_manage_py_tick_twice_in_one_minute_runs_the_due_work_once(
    monkeypatch: pytest.MonkeyPatch, every_ten_minutes: list[dt.datetime]
) -> None:
    # given a clock that stands still, as two cron runs in the same slot would see it
    monkeypatch.setattr("django.utils.timezone.now", lambda: NOW)

    call_command("tick")
    call_command("tick")

    assert every_ten_minutes == [NOW]
    assert TickRun.objects.filter(name="tests.every_ten_minutes").count() == 1
    assert TickRun.objects.count() == len(PERIODIC)
