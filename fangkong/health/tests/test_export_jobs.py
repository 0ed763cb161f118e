"""Large health exports run as jobs (core.exports): masked, logged, downloaded once."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from fangkong.core import exports as core_exports
from fangkong.core.choices import JobStatus
from fangkong.core.models import AccessEvent, Job
from fangkong.health.tests.factories import QuarantineFactory, family
from fangkong.registry.tests.factories import PersonFactory, next_id_number


@pytest.fixture(autouse=True)
def _small_jobs(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(core_exports, "INLINE_ROWS", 2)


def test_a_large_quarantine_export_is_a_job_whose_file_is_masked_and_taken_once(
    client: Client,
    health_a: Any,
    grid_a1: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    numbers = [next_id_number() for _ in range(3)]
    for number in numbers:
        QuarantineFactory(person=PersonFactory(household=family(grid_a1, 0), id_number=number))
    client.force_login(health_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("health:export", args=["quarantines"]), {"format": "csv-utf8"}
        )

    job = Job.objects.get(kind=core_exports.EXPORT_KIND)
    assert response.status_code == 302
    assert job.status == JobStatus.COMPLETED, job.log
    assert (job.progress, job.total) == (3, 3)
    download = client.post(reverse("core:job_download", args=[job.pk]))
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert rows[0][:2] == ["身份证号", "姓名"]
    assert len(rows) == 4
    assert not any(number in repr(rows) for number in numbers)
    event = AccessEvent.objects.get(kind="export")
    assert (event.detail["model"], event.detail["rows"]) == ("health.quarantine", 3)
    assert client.post(reverse("core:job_download", args=[job.pk])).status_code == 410


def test_a_grid_worker_may_not_export_health_rows_and_no_job_is_made(
    client: Client,
    grid_worker_a1: Any,
    grid_a1: Any,
) -> None:
    client.force_login(grid_worker_a1)

    response = client.post(reverse("health:export", args=["cases"]), {"format": "xlsx"})

    assert response.status_code == 403
    assert not Job.objects.exists()
