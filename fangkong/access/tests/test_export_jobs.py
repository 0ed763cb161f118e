"""A long period's gate report runs as a job (core.exports): masked, logged, downloaded once."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from fangkong.access.tests.factories import scan
from fangkong.core import exports as core_exports
from fangkong.core.choices import JobStatus
from fangkong.core.models import AccessEvent, Job

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_jobs(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(core_exports, "INLINE_ROWS", 2)


def test_a_large_gate_report_is_a_job_whose_workbook_is_masked_and_taken_once(
    client: Client,
    officer_a: Any,
    gate_a: Any,
    home_a: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    _, item = home_a
    scan(gate_a, item.token, "out")
    scan(gate_a, item.token, "in")
    scan(gate_a, '=HYPERLINK("http://x")', "out")
    client.force_login(officer_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("access:report_export"))

    job = Job.objects.get(kind=core_exports.EXPORT_KIND)
    assert response.status_code == 302
    assert job.status == JobStatus.COMPLETED, job.log
    assert job.params["exporter"] == "access.gate_report"
    download = client.post(reverse("core:job_download", args=[job.pk]))
    assert download.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    log = list(workbook.worksheets[-1].iter_rows(values_only=True))
    assert len(log) == 1 + 3  # the header and the three scans
    assert {row[1] for row in log[1:]} == {gate_a.name}
    cells = [
        str(c)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for c in row
        if c is not None
    ]
    assert not any(c.startswith("=") for c in cells)
    for member in item.household.members.all():
        assert member.name not in cells
    event = AccessEvent.objects.get(kind="export")
    assert event.detail["export"] == "access.gate_report"
    assert event.detail["masked"] is True
    assert client.post(reverse("core:job_download", args=[job.pk])).status_code == 410


def test_a_role_without_the_export_right_gets_403_and_no_job(
    client: Client,
    checkpoint_a: Any,
    gate_a: Any,
    home_a: Any,
) -> None:
    scan(gate_a, home_a[1].token, "out")
    client.force_login(checkpoint_a)

    response = client.get(reverse("access:report_export"))

    assert response.status_code == 403
    assert not Job.objects.exists()
