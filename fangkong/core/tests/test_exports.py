"""The export machinery (core.exports): files wait a limited time for their one download."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fangkong.accounts.models import User
from fangkong.core import exports
from fangkong.core.choices import JobStatus
from fangkong.core.models import Job


@pytest.fixture(autouse=True)
def _own_directory(settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path


def finished_export(user: User, *, hours_ago: float = 0, **result: Any) -> Job:
    """A completed export of ``user`` whose file waits under the exports directory."""
    token = os.urandom(16).hex()
    exports.export_dir().mkdir(parents=True, exist_ok=True)
    exports.export_path(token).write_bytes(b"a,b\r\n")
    finished = timezone.now() - dt.timedelta(hours=hours_ago)
    return Job.objects.create(
        kind=exports.EXPORT_KIND,
        user=user,
        area_path=user.area.path,
        status=JobStatus.COMPLETED,
        finished=finished,
        params={"exporter": "registry.people", "format": "csv", "rows": 1},
        result={"file": token, "rows": 1, "format": "csv", "filename": "people.csv", **result},
    )


def test_a_file_nobody_downloaded_expires_and_the_page_says_so(
    client: Client,
    officer_a: User,
) -> None:
    old = finished_export(officer_a, hours_ago=25)
    fresh = finished_export(officer_a, hours_ago=1)

    exports.purge_expired_exports(timezone.now())

    old.refresh_from_db()
    assert old.result["expired"]
    assert not exports.export_path(old.result["file"]).exists()
    assert exports.export_path(fresh.result["file"]).exists()
    client.force_login(officer_a)
    assert "已过期" in client.get(reverse("core:job_detail", args=[old.pk])).content.decode()
    assert client.post(reverse("core:job_download", args=[old.pk])).status_code == 410


def test_half_written_files_a_crashed_worker_left_are_swept(officer_a: User) -> None:
    directory = exports.export_dir()
    directory.mkdir(parents=True)
    left = directory / f"{'a' * 32}.part"
    left.write_bytes(b"half")
    stamp = (timezone.now() - dt.timedelta(days=2)).timestamp()
    os.utime(left, (stamp, stamp))
    recent = directory / f"{'b' * 32}.part"
    recent.write_bytes(b"being written")

    exports.purge_expired_exports(timezone.now())

    assert not left.exists()
    assert recent.exists()  # a job may be writing it right now


def test_an_export_token_is_never_a_path() -> None:
    for token in ("../../etc/passwd", "", "A" * 32, "a" * 31):
        with pytest.raises(ValueError, match="not an export token"):
            exports.export_path(token)


def test_the_download_is_refused_to_a_user_who_lost_the_export_right(
    client: Client,
    officer_a: User,
) -> None:
    job = finished_export(officer_a)
    User.objects.filter(pk=officer_a.pk).update(role="grid_worker")

    client.force_login(officer_a)
    response = client.post(reverse("core:job_download", args=[job.pk]))

    assert response.status_code == 403
    assert exports.export_path(job.result["file"]).exists()


def test_a_job_page_is_not_a_download(client: Client, officer_a: User) -> None:
    job = finished_export(officer_a)
    client.force_login(officer_a)

    assert client.get(reverse("core:job_download", args=[job.pk])).status_code == 405
    client.get(reverse("core:job_detail", args=[job.pk]))

    assert exports.export_path(job.result["file"]).exists()
