"""Large exports of people and households run as jobs: the page shows progress, the file is
downloaded once by whoever asked, the rights are asked again when the job runs, and a job that
fails leaves no file (``core.exports``)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
from fangkong.areas.models import Area
from fangkong.core import exports as core_exports
from fangkong.core import spreadsheets
from fangkong.core.choices import AccessKind, JobStatus
from fangkong.core.jobs import JobContext
from fangkong.core.models import AccessEvent, Job
from fangkong.registry.models import Person
from fangkong.registry.tests.factories import (
    BuildingFactory,
    HouseholdFactory,
    PersonFactory,
    valid_id_number,
)

CANARY_ID = valid_id_number(birth=dt.date(1958, 3, 14), sex="M", area="210102", seq=71)
CANARY_PHONE = "13912345678"
Capture = Callable[..., Any]


@pytest.fixture(autouse=True)
def _small_jobs(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Files in this test's own directory; more than two rows make a job."""
    settings.VAR_DIR = tmp_path
    monkeypatch.setattr(core_exports, "INLINE_ROWS", 2)


@pytest.fixture
def people(grid_a1: Area, grid_b1: Area) -> list[Person]:
    building = BuildingFactory(grid=grid_a1, number="3", name="东园3号楼")
    household = HouseholdFactory(building=building, unit=2, room="401", floor=4)
    residents = [
        PersonFactory(
            household=household,
            name="周淑兰",
            id_number=CANARY_ID,
            phone=CANARY_PHONE,
            relation="head",
        )
    ]
    residents += [PersonFactory(household=household, name=f"周家{i}") for i in range(3)]
    PersonFactory(
        household=HouseholdFactory(building=BuildingFactory(grid=grid_b1)), name="长白的人"
    )
    return residents


def ask(
    client: Client,
    user: User,
    capture: Capture,
    fmt: str = "xlsx",
    url: str = "registry:person_export",
    query: str = "",
) -> Any:
    """``user`` asks for an export; the job runs when the request's transaction commits."""
    client.force_login(user)
    with capture(execute=True):
        return client.post(reverse(url) + query, {"format": fmt})


def the_job() -> Job:
    return Job.objects.get(kind=core_exports.EXPORT_KIND)


def download(client: Client, job: Job) -> Any:
    return client.post(reverse("core:job_download", args=[job.pk]))


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def export_files() -> list[Path]:
    directory = core_exports.export_dir()
    return sorted(directory.iterdir()) if directory.is_dir() else []


def test_a_large_export_runs_as_a_job_whose_page_shows_progress_and_offers_the_file(
    client: Client,
    people: list[Person],
    officer_a: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    response = ask(client, officer_a, django_capture_on_commit_callbacks)

    job = the_job()
    assert response.status_code == 302
    assert response["Location"] == reverse("core:job_detail", args=[job.pk])
    assert job.status == JobStatus.COMPLETED, job.log
    assert (job.progress, job.total, job.result["rows"]) == (4, 4, 4)
    assert job.area_path == officer_a.area.path
    page = client.get(response["Location"]).content.decode()
    assert reverse("core:job_download", args=[job.pk]) in page
    assert "只能下载一次" in page
    assert len(export_files()) == 1


def test_the_job_reports_progress_while_it_writes(
    client: Client,
    people: list[Person],
    officer_a: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    reported: list[tuple[int, int]] = []
    real = JobContext.progress

    def progress(context: JobContext, done: int) -> None:
        reported.append((done, context.job.total))
        real(context, done)

    monkeypatch.setattr(JobContext, "progress", progress)
    monkeypatch.setattr(spreadsheets.writing, "PROGRESS_EVERY", 1)

    ask(client, officer_a, django_capture_on_commit_callbacks, fmt="csv")

    assert reported == [(1, 4), (2, 4), (3, 4), (4, 4), (4, 4)]


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_downloaded_file_reads_back_masked_with_chinese_headers(
    client: Client,
    people: list[Person],
    officer_a: User,
    fmt: str,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    ask(client, officer_a, django_capture_on_commit_callbacks, fmt=fmt)

    response = download(client, the_job())

    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert f'filename="people.{fmt}"' in response["Content-Disposition"] or (
        f".{fmt}" in response["Content-Disposition"]
    )
    data = body(response)
    if fmt == "xlsx":
        sheet = openpyxl.load_workbook(io.BytesIO(data)).active
        rows = [[c.value for c in row] for row in sheet.iter_rows()]
    else:
        rows = list(csv.reader(io.StringIO(data.decode("gb18030"))))
    header = rows[0]
    assert header[:4] == ["楼栋", "单元", "房号", "姓名"]
    line = dict(zip(header, next(r for r in rows if r[3] == "周淑兰"), strict=True))
    assert line["身份证号"] == CANARY_ID[:6] + "********" + CANARY_ID[-4:]
    assert line["手机号"] == "139****5678"
    assert sorted(r[3] for r in rows[1:]) == sorted(p.name for p in people)
    flat = repr(rows)
    assert CANARY_ID not in flat
    assert CANARY_PHONE not in flat
    assert "长白的人" not in flat  # the other community's


def test_the_file_is_downloaded_once_then_deleted(
    client: Client,
    people: list[Person],
    officer_a: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    ask(client, officer_a, django_capture_on_commit_callbacks)
    job = the_job()
    assert download(client, job).status_code == 200
    assert export_files() == []

    again = download(client, job)

    assert again.status_code == 410
    assert "已下载" in again.content.decode()
    job.refresh_from_db()
    assert job.result["downloaded"]
    assert "已下载" in client.get(reverse("core:job_detail", args=[job.pk])).content.decode()


def test_a_user_of_another_community_cannot_download_the_file(
    client: Client,
    people: list[Person],
    officer_a: User,
    officer_b: User,
    health_a: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    ask(client, officer_a, django_capture_on_commit_callbacks)
    job = the_job()

    client.force_login(officer_b)
    assert download(client, job).status_code == 404
    assert client.get(reverse("core:job_detail", args=[job.pk])).status_code == 404
    # A colleague of the same community sees the job, but the file is the asker's.
    client.force_login(health_a)
    assert "只有" in client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert download(client, job).status_code == 404
    assert len(export_files()) == 1


def test_the_export_is_logged_once_with_its_rows_when_the_file_is_written(
    client: Client,
    people: list[Person],
    officer_a: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    ask(client, officer_a, django_capture_on_commit_callbacks, query="?residency=permanent")
    download(client, the_job())

    event = AccessEvent.objects.get(kind=AccessKind.EXPORT)
    assert (event.actor, event.area_path) == (officer_a, officer_a.area.path)
    assert (event.detail["rows"], event.detail["masked"], event.detail["model"]) == (
        4,
        True,
        "person",
    )
    assert event.detail["filters"] == {"residency": "permanent"}


def test_a_searched_name_is_not_kept_in_the_job_once_it_ran(
    client: Client,
    people: list[Person],
    officer_a: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    ask(client, officer_a, django_capture_on_commit_callbacks, query="?q=周")

    job = the_job()
    assert job.result["rows"] == 4
    assert "周" not in repr(job.params)


def test_a_role_without_the_export_right_is_refused_before_any_job(
    client: Client,
    people: list[Person],
    district_official: User,
    grid_worker_a1: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    for user in (district_official, grid_worker_a1):
        for url in ("registry:person_export", "registry:household_export"):
            response = ask(client, user, django_capture_on_commit_callbacks, url=url)
            assert response.status_code == 403
            assert "权限" in response.content.decode()
    assert not Job.objects.exists()
    assert not AccessEvent.objects.filter(kind=AccessKind.EXPORT).exists()


def test_the_job_asks_for_the_right_again_when_it_runs(
    client: Client,
    people: list[Person],
    officer_a: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    client.force_login(officer_a)
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse("registry:person_export"), {"format": "xlsx"})
    # Given the officer became a grid worker (no export right) before the worker ran it
    User.objects.filter(pk=officer_a.pk).update(role=Role.GRID_WORKER)

    for callback in callbacks:
        callback()

    job = the_job()
    assert job.status == JobStatus.FAILED
    assert job.result["code"] == "export_refused"
    assert export_files() == []
    assert not AccessEvent.objects.filter(kind=AccessKind.EXPORT).exists()
    page = client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert "导出" in page
    assert "权限" in page


def test_the_job_exports_only_what_the_user_sees_when_it_runs(
    client: Client,
    people: list[Person],
    officer_a: User,
    community_b: Area,
    grid_b1: Area,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    for i in range(3):
        PersonFactory(
            household=HouseholdFactory(building=BuildingFactory(grid=grid_b1)), name=f"长白{i}"
        )
    client.force_login(officer_a)
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(reverse("registry:person_export"), {"format": "csv"})
    # Given the officer moved to the other community before the worker ran the export
    User.objects.filter(pk=officer_a.pk).update(area=community_b)

    for callback in callbacks:
        callback()

    job = the_job()
    assert job.status == JobStatus.COMPLETED, job.log
    names = {
        row[3]
        for row in csv.reader(
            io.StringIO(core_exports.export_path(job.result["file"]).read_bytes().decode("gb18030"))
        )
    }
    assert "周淑兰" not in names
    assert {"长白0", "长白1", "长白2", "长白的人"} <= names


def test_a_job_that_fails_leaves_no_file(
    client: Client,
    people: list[Person],
    officer_a: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    def rows_then_fail(rows: Any) -> Iterator[Any]:
        for number, row in enumerate(rows):
            if number == 2:
                raise OSError("disk went away")
            yield row

    real = spreadsheets.write_csv
    monkeypatch.setattr(
        "fangkong.registry.exports.write_csv",
        lambda target, header, rows, **kw: real(target, header, rows_then_fail(rows), **kw),
    )

    ask(client, officer_a, django_capture_on_commit_callbacks, fmt="csv")

    job = the_job()
    assert job.status == JobStatus.FAILED
    assert export_files() == []
    assert "file" not in (job.result or {})
    assert not AccessEvent.objects.filter(kind=AccessKind.EXPORT).exists()


def test_households_export_as_a_job_too(
    client: Client,
    people: list[Person],
    officer_a: User,
    grid_a1: Area,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    for room in ("101", "102"):
        HouseholdFactory(building=people[0].household.building, unit=1, room=room)

    response = ask(
        client,
        officer_a,
        django_capture_on_commit_callbacks,
        fmt="csv",
        url="registry:household_export",
    )

    assert response.status_code == 302
    lines = body(download(client, the_job())).decode("gb18030").splitlines()
    assert lines[0] == "楼栋,单元,楼层,房号,户号,户主,人数,手机号,在住"
    assert len(lines) == 4


def test_a_small_export_still_comes_back_at_once(
    client: Client,
    people: list[Person],
    officer_a: User,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    monkeypatch.setattr(core_exports, "INLINE_ROWS", 5000)

    response = ask(client, officer_a, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert not Job.objects.exists()
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows())
    assert len(rows) == 5


def test_a_building_no_longer_in_the_users_area_fails_the_job_with_a_reason(
    client: Client,
    people: list[Person],
    officer_a: User,
    community_b: Area,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    building = people[0].household.building
    for room in ("101", "102"):
        HouseholdFactory(building=building, unit=1, room=room)
    client.force_login(officer_a)
    with django_capture_on_commit_callbacks() as callbacks:
        client.post(
            reverse("registry:household_export") + f"?building={building.pk}", {"format": "xlsx"}
        )
    User.objects.filter(pk=officer_a.pk).update(area=community_b)

    for callback in callbacks:
        callback()

    job = the_job()
    assert (job.status, job.result["code"]) == (JobStatus.FAILED, "export_refused")
    assert "不在" in job.result["error"]
    assert export_files() == []


def test_the_export_page_says_a_large_export_runs_in_the_background(
    client: Client,
    people: list[Person],
    officer_a: User,
) -> None:
    client.force_login(officer_a)

    page = client.get(reverse("registry:person_export")).content.decode()

    assert "后台" in page
