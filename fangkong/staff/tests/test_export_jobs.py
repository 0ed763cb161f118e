"""A long task list is exported as a job (core.exports): the list's rows and filters, logged,
downloaded once; a role without the right gets 403."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from fangkong.core import exports as core_exports
from fangkong.core.choices import JobStatus
from fangkong.core.models import AccessEvent, Job
from fangkong.staff.choices import TaskPriority
from fangkong.staff.tests.factories import TaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_jobs(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(core_exports, "INLINE_ROWS", 2)


def test_a_long_task_list_is_a_job_whose_workbook_has_the_filtered_rows_taken_once(
    client: Client,
    community_a: Any,
    community_b: Any,
    officer_a: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    for n in range(3):
        TaskFactory(community=community_a, title=f"任务{n}", priority=TaskPriority.URGENT)
    TaskFactory(community=community_a, title="不急", priority=TaskPriority.LOW)
    TaskFactory(community=community_b, title="别的社区", priority=TaskPriority.URGENT)
    client.force_login(officer_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("staff:task_export"), {"priority": TaskPriority.URGENT})

    job = Job.objects.get(kind=core_exports.EXPORT_KIND)
    assert response.status_code == 302
    assert job.status == JobStatus.COMPLETED, job.log
    assert job.params["exporter"] == "staff.tasks"
    download = client.post(reverse("core:job_download", args=[job.pk]))
    assert download.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    titles = sorted(row[1] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert titles == ["任务0", "任务1", "任务2"]
    event = AccessEvent.objects.get(kind="export")
    assert (event.detail["what"], event.detail["rows"]) == ("staff.tasks", 3)
    assert event.detail["filters"] == ["priority"]
    assert client.post(reverse("core:job_download", args=[job.pk])).status_code == 410


def test_a_grid_worker_may_not_export_tasks_and_no_job_is_made(
    client: Client,
    community_a: Any,
    grid_worker_a1: Any,
) -> None:
    for _ in range(3):
        TaskFactory(community=community_a, assignee=grid_worker_a1)
    client.force_login(grid_worker_a1)

    response = client.get(reverse("staff:task_export"))

    assert response.status_code == 403
    assert not Job.objects.exists()
