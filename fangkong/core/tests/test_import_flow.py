"""The import flow shared by every app (``core.imports``): a preview is decided once, and
uploads live in the ``uploads`` storage, reached only through Django's storage API."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.storage import InMemoryStorage
from django.db import connection
from django.utils import timezone

from fangkong.accounts.models import User
from fangkong.areas.models import Area
from fangkong.core.choices import JobStatus
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.imports import flow, uploads
from fangkong.core.jobs import JobContext
from fangkong.core.models import Job

pytestmark = pytest.mark.django_db

#: A kind every test database knows: it counts, and its result says it ran.
KIND = "core.selftest"


def make_preview(user: User, area: Area, *, rows: int = 10) -> Job:
    token = uploads.store_upload([b"a,b\n1,2\n"])
    return Job.objects.create(
        kind=KIND,
        user=user,
        area_path=area.path,
        status=JobStatus.COMPLETED,
        params={"upload": token, "mode": "preview", "rows": rows},
    )


def confirm(preview: Job, by: User, *, sync_rows: int = 1000) -> Job:
    return flow.do_confirm_import(preview, by, area_path=preview.area_path, sync_rows=sync_rows)


# --- Deciding once ----------------------------------------------------------------------------


def test_confirming_starts_the_import_and_marks_the_preview_with_its_number(
    officer_a: User,
    community_a: Area,
) -> None:
    preview = make_preview(officer_a, community_a)

    imported = confirm(preview, officer_a)

    assert imported.status == JobStatus.COMPLETED
    assert imported.params == {
        "upload": preview.params["upload"],
        "rows": 10,
        "mode": "import",
        "preview_job": preview.pk,
    }
    preview.refresh_from_db()
    assert preview.params["confirmed"] == imported.pk


def test_a_second_confirmation_is_told_the_file_was_dealt_with_and_starts_nothing(
    officer_a: User,
    community_a: Area,
) -> None:
    # Given a preview confirmed once (one click, one tab)
    preview = make_preview(officer_a, community_a)
    confirm(preview, officer_a)
    # When it is confirmed again from a page loaded before (the other tab's copy)
    stale = Job.objects.get(pk=preview.pk)
    stale.params.pop("confirmed")
    with pytest.raises(flow.ImportAlreadyHandled) as refused:
        confirm(stale, officer_a)
    # Then it is refused in words, and no second import exists
    assert str(refused.value) == "这个文件已经处理过了。"
    assert Job.objects.filter(params__mode="import").count() == 1


def test_a_cancelled_preview_cannot_be_imported_and_its_upload_is_gone(
    officer_a: User,
    community_a: Area,
) -> None:
    preview = make_preview(officer_a, community_a)

    flow.do_cancel_import(preview, officer_a)

    assert not uploads.upload_exists(preview.params["upload"])
    with pytest.raises(flow.ImportAlreadyHandled):
        confirm(Job.objects.get(pk=preview.pk), officer_a)
    with pytest.raises(flow.ImportAlreadyHandled):
        flow.do_cancel_import(Job.objects.get(pk=preview.pk), officer_a)
    assert not Job.objects.filter(params__mode="import").exists()


def test_a_preview_still_running_cannot_be_confirmed(officer_a: User, community_a: Area) -> None:
    preview = make_preview(officer_a, community_a)
    Job.objects.filter(pk=preview.pk).update(status=JobStatus.RUNNING)

    with pytest.raises(flow.ImportAlreadyHandled):
        confirm(preview, officer_a)


def test_only_whoever_uploaded_the_file_decides_about_it(
    officer_a: User,
    grid_worker_a1: User,
    community_a: Area,
) -> None:
    preview = make_preview(officer_a, community_a)

    with pytest.raises(PermissionDeniedError):
        confirm(preview, grid_worker_a1)
    with pytest.raises(PermissionDeniedError):
        flow.do_cancel_import(preview, grid_worker_a1)
    assert Job.objects.count() == 1


def test_a_large_file_s_import_is_handed_to_the_worker_when_the_decision_commits(
    officer_a: User,
    community_a: Area,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    preview = make_preview(officer_a, community_a, rows=10)

    with django_capture_on_commit_callbacks(execute=False) as waiting:
        imported = confirm(preview, officer_a, sync_rows=5)

    assert imported.status == JobStatus.PENDING
    assert len(waiting) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason=(
        "SQLite's in-memory test database shares one cache between threads, which answers "
        "'table is locked' instead of waiting; SQLite serialises writers anyway"
    ),
)
def test_two_tabs_confirming_one_preview_at_the_same_moment_start_one_import(
    officer_a: User,
    community_a: Area,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a preview, and creating the import's job slowed down so that two confirmations
    # overlap inside the decision (without the lock both would find the preview open)
    preview = make_preview(officer_a, community_a, rows=10)
    real_enqueue = flow.enqueue_job

    def slow_enqueue(*args: Any, **kwargs: Any) -> Job:
        time.sleep(0.3)
        return real_enqueue(*args, **kwargs)

    monkeypatch.setattr(flow, "enqueue_job", slow_enqueue)
    start = threading.Barrier(2)
    outcomes: list[Any] = [None, None]

    def tab(index: int) -> None:
        try:
            start.wait()
            outcomes[index] = confirm(Job.objects.get(pk=preview.pk), officer_a, sync_rows=0)
        except Exception as exc:
            outcomes[index] = exc
        finally:
            connection.close()

    # When two tabs confirm it at once
    threads = [threading.Thread(target=tab, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # Then exactly one import starts, and the other tab hears the file was dealt with
    assert sorted(type(o).__name__ for o in outcomes) == ["ImportAlreadyHandled", "Job"]
    imports = Job.objects.filter(params__mode="import")
    assert imports.count() == 1
    preview.refresh_from_db()
    assert preview.params["confirmed"] == imports.get().pk


# --- Uploads through the storage API ----------------------------------------------------------


def test_uploads_are_kept_in_the_uploads_storage_alias() -> None:
    token = uploads.store_upload([b"first,", b"second\n"])

    assert isinstance(uploads.upload_storage(), InMemoryStorage)  # the tests' store
    with uploads.reading_upload(token) as file:
        assert file.read() == b"first,second\n"
    uploads.delete_upload(token)
    assert not uploads.upload_exists(token)
    with pytest.raises(FileNotFoundError):
        uploads.reading_upload(token).__enter__()


@pytest.mark.parametrize("token", ["../../etc/passwd", "", "A" * 32, "0" * 31, None])
def test_a_token_from_outside_never_names_a_file(token: Any) -> None:
    assert not uploads.upload_exists(token)
    with pytest.raises(FileNotFoundError):
        uploads.reading_upload(token).__enter__()
    uploads.delete_upload(token)  # nothing to do, nothing raised


def test_progress_is_written_and_read_beside_the_upload() -> None:
    token = uploads.store_upload([b"x"])

    uploads.write_progress(token, 1, 4)
    uploads.write_progress(token, 3, 4)  # replaced, not saved under another name

    assert uploads.read_progress(token) == (3, 4)
    uploads.delete_progress(token)
    assert uploads.read_progress(token) is None
    assert uploads.upload_storage().listdir("") == ([], [token])


def test_uploads_older_than_a_day_are_purged() -> None:
    token = uploads.store_upload([b"x"])
    now = timezone.now()

    assert uploads.purge_stale_uploads(now) == 0
    assert uploads.purge_stale_uploads(now + dt.timedelta(hours=25)) == 1
    assert not uploads.upload_exists(token)


def test_a_job_whose_upload_is_gone_completes_with_the_reason(
    officer_a: User,
    community_a: Area,
) -> None:
    preview = make_preview(officer_a, community_a)
    uploads.delete_upload(preview.params["upload"])
    worked: list[bytes] = []

    result = flow.run_upload_job(JobContext(preview), lambda f: worked.append(f.read()) or {})

    assert result == {"error": "上传的文件已经不在了，请重新上传。", "code": "upload_gone"}
    assert worked == []


def test_an_import_job_deletes_its_upload_whatever_happens(
    officer_a: User,
    community_a: Area,
) -> None:
    job = make_preview(officer_a, community_a)
    job.params["mode"] = "import"

    def fail(file: Any) -> dict[str, Any]:
        raise RuntimeError("the import broke")

    with pytest.raises(RuntimeError):
        flow.run_upload_job(JobContext(job), fail)

    assert not uploads.upload_exists(job.params["upload"])
