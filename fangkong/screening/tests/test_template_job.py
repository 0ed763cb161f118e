"""A large campaign's register to fill in runs as a job (core.exports): the households not
reached yet, no personal data, logged, downloaded once; a role without the right gets 403."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from fangkong.core import exports as core_exports
from fangkong.core.choices import JobStatus
from fangkong.core.models import AccessEvent, Job
from fangkong.registry.tests.factories import BuildingFactory
from fangkong.screening.tests.factories import started_campaign, street_of_households

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _small_jobs(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(core_exports, "INLINE_ROWS", 2)


@pytest.fixture
def campaign(community_a: Any, grid_a1: Any) -> Any:
    building = BuildingFactory(grid=grid_a1, community=community_a, number="3", units=1, floors=30)
    street_of_households(grid_a1, 4, building=building)
    return started_campaign(community_a)


def test_a_large_template_is_a_job_whose_workbook_lists_the_households_taken_once(
    client: Client,
    officer_a: Any,
    campaign: Any,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client.force_login(officer_a)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("screening:campaign_import_template", args=[campaign.pk]))

    job = Job.objects.get(kind=core_exports.EXPORT_KIND)
    assert response.status_code == 302
    assert job.status == JobStatus.COMPLETED, job.log
    assert job.params["exporter"] == "screening.import_template"
    download = client.post(reverse("core:job_download", args=[job.pk]))
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    rows = list(sheet.values)
    assert rows[0][:3] == ("楼栋", "单元", "房号")
    assert len(rows) == 1 + 4
    event = AccessEvent.objects.get(kind="export")
    assert (event.detail["what"], event.detail["rows"]) == ("screening_import_template", 4)
    assert client.post(reverse("core:job_download", args=[job.pk])).status_code == 410


def test_a_grid_worker_who_may_not_import_gets_403_for_the_template_and_no_job(
    client: Client,
    grid_worker_a1: Any,
    campaign: Any,
) -> None:
    client.force_login(grid_worker_a1)

    response = client.get(reverse("screening:campaign_import_template", args=[campaign.pk]))

    assert response.status_code == 403
    assert not Job.objects.exists()
