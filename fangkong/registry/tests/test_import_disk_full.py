"""A full disk during an import: the job fails with a message saying so, nothing is written.

Three ways of running out of room, from the most real to the most portable:

* the SQLite file on a small tmpfs filled to the brim (needs root to mount; skipped elsewhere),
  imported by the job machinery and by the command, in processes of their own;
* SQLite's own size limit (``PRAGMA max_page_count``), which fails a write with the very error
  a full disk gives (SQLITE_FULL), driven through the import pages;
* the upload itself, when the disk is full before the file is even stored.
"""

from __future__ import annotations

import csv
import datetime as dt
import errno
import io
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import psycopg.errors
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from fangkong.accounts.models import User
from fangkong.areas.models import Area
from fangkong.core.choices import JobStatus
from fangkong.core.disk_full import DISK_FULL_CODE, is_disk_full
from fangkong.core.imports import flow
from fangkong.core.imports.uploads import store_upload, upload_storage
from fangkong.core.models import Job, ObjectChange
from fangkong.registry.imports import TEMPLATE_HEADERS
from fangkong.registry.models import Building, Household, Person
from fangkong.registry.tests.factories import BuildingFactory, valid_id_number

#: What the Chinese message says (the test suite runs in zh-hans, the site's language).
DISK_FULL_WORDS = "磁盘已满"
#: Rows of the register: far more than the room left on the disk can hold.
ROWS = 3000
#: Room left on the small disk once it is filled.
ROOM_LEFT = 256 * 1024


def register_rows(count: int) -> list[list[str]]:
    rows = []
    for i in range(count):
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=i)
        rows.append(
            [
                "1",
                "1",
                f"{1 + i % 6}{1 + i % 30:02d}",
                "居民" + "甲乙丙丁戊"[i % 5],
                "",
                valid_id_number(birth=birth, sex="F", area="210102", seq=2),
                f"139{i:08d}",
                "",
                "常住",
                "",
            ]
        )
    return rows


# --- The classifier ---------------------------------------------------------------------------


def _sqlite_full() -> sqlite3.Error:
    """The error SQLite gives when it runs out of room (its size limit, as a full disk)."""
    memory = sqlite3.connect(":memory:")
    memory.execute("PRAGMA max_page_count = 4")
    memory.execute("CREATE TABLE t (x)")
    try:
        memory.executemany("INSERT INTO t VALUES (?)", [("x" * 4000,)] * 10)
    except sqlite3.Error as exc:
        return exc
    finally:
        memory.close()
    raise AssertionError("SQLite did not run out of room")


def _wrapped(cause: BaseException) -> OperationalError:
    """As Django raises a driver's error: its own class, the driver's error as the cause."""
    try:
        try:
            raise cause
        except BaseException as exc:
            raise OperationalError(str(exc)) from exc
    except OperationalError as wrapped:
        return wrapped


@pytest.mark.parametrize(
    "exc",
    [
        OSError(errno.ENOSPC, "No space left on device"),
        OSError(errno.EDQUOT, "Disk quota exceeded"),
        _sqlite_full(),
        _wrapped(_sqlite_full()),
        _wrapped(psycopg.errors.DiskFull("could not extend file: No space left on device")),
    ],
    ids=["enospc", "quota", "sqlite", "django-sqlite", "django-postgresql"],
)
def test_a_full_disk_is_recognised_from_every_layer(exc: BaseException) -> None:
    assert is_disk_full(exc)


@pytest.mark.parametrize(
    "exc",
    [
        OSError(errno.ENOENT, "No such file"),
        OperationalError("database is locked"),
        _wrapped(psycopg.errors.LockNotAvailable("lock not available")),
        ValueError("disk is full"),  # words are not enough
    ],
    ids=["enoent", "locked", "pg-lock", "words"],
)
def test_other_failures_are_not_taken_for_a_full_disk(exc: BaseException) -> None:
    assert not is_disk_full(exc)


# --- A real full disk: the SQLite file on a small tmpfs, filled --------------------------------

SETUP = """
from fangkong.areas.services import do_create_area as a
from fangkong.registry.services import do_create_building as b
c = a(level='city', name='市', code='C1', parent=None, by=None)
d = a(level='district', name='区', code='D1', parent=c, by=None)
s = a(level='street', name='街道', code='S1', parent=d, by=None)
m = a(level='community', name='社区', code='M1', parent=s, by=None)
b(community=m, by=None, number='1', units=1, floors=6)
"""

#: The import job, run as db_worker runs it (the task's own function), on the full disk.
RUN_JOB = """
import json
from fangkong.core.jobs import run_job
from fangkong.core.models import Job
from fangkong.registry.jobs import IMPORT_KIND
job = Job.objects.get(kind=IMPORT_KIND)
run_job.call(job.pk)
job.refresh_from_db()
print(json.dumps({'status': job.status, 'result': job.result}, ensure_ascii=False))
"""

#: The job row and its upload, made while there is still room.
MAKE_JOB = """
import os
from fangkong.areas.models import Area
from fangkong.core.models import Job
from fangkong.core.imports.uploads import store_upload
from fangkong.registry.jobs import IMPORT_KIND
community = Area.objects.get(code='M1')
with open(os.environ['REGISTER'], 'rb') as f:
    token = store_upload(iter([f.read()]))
Job.objects.create(kind=IMPORT_KIND, area_path=community.path,
                   params={'upload': token, 'community': community.pk, 'mode': 'import'})
"""


@pytest.fixture
def small_disk() -> Iterator[Path]:
    """A 32 MB tmpfs of the test's own: mounting needs root (or CAP_SYS_ADMIN) and mount(8)."""
    if not sys.platform.startswith("linux"):
        pytest.skip("mounting a tmpfs is Linux's")
    mountpoint = Path(tempfile.mkdtemp(prefix="fk-small-disk-"))
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=32m", "tmpfs", str(mountpoint)],
        capture_output=True,
        text=True,
        check=False,
    )
    if mounted.returncode != 0:
        mountpoint.rmdir()
        pytest.skip(
            "cannot mount a small tmpfs to fill (needs root or CAP_SYS_ADMIN): "
            + mounted.stderr.strip()
        )
    try:
        yield mountpoint
    finally:
        subprocess.run(["umount", "-l", str(mountpoint)], check=False)
        mountpoint.rmdir()


def fill(directory: Path, leave: int) -> None:
    """Fill the file system of ``directory`` until ``leave`` bytes are free."""
    stat = os.statvfs(directory)
    free = stat.f_bavail * stat.f_frsize
    with (directory / "filler").open("wb") as out:
        out.truncate(0)
        block = b"\0" * (1024 * 1024)
        remaining = max(free - leave, 0)
        while remaining:
            remaining -= out.write(block[: min(remaining, len(block))])


def counts(db: Path) -> dict[str, Any]:
    with sqlite3.connect(db) as connection:
        found: dict[str, Any] = {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 (fixed names)
            for table in ("registry_person", "registry_household", "core_objectchange")
        }
        found["integrity"] = connection.execute("PRAGMA integrity_check").fetchone()[0]
    return found


def test_a_full_disk_fails_the_import_job_and_the_command_with_a_message_writing_nothing(
    small_disk: Path,
    tmp_path: Path,
) -> None:
    # Given a site whose SQLite file is on a small disk with little room left
    db = small_disk / "db.sqlite3"
    register = tmp_path / "register.csv"
    with register.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows([list(TEMPLATE_HEADERS), *register_rows(ROWS)])
    env = {
        **os.environ,
        "FANGKONG_DEBUG": "1",
        "FANGKONG_TESTING": "0",
        "FANGKONG_VAR_DIR": str(tmp_path / "var"),
        "FANGKONG_SQLITE_PATH": str(db),
        "DATABASE_URL": "",
        "PYTHONPATH": str(Path(__file__).resolve().parents[3]),
        "REGISTER": str(register),
    }
    manage = [sys.executable, str(Path(__file__).resolve().parents[3] / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True)
    for script in (SETUP, MAKE_JOB):
        subprocess.run([*manage, "shell", "-c", script], env=env, check=True)
    with sqlite3.connect(db) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = counts(db)
    fill(small_disk, ROOM_LEFT)

    # When the import job runs
    ran = subprocess.run(
        [*manage, "shell", "-c", RUN_JOB], env=env, capture_output=True, text=True, check=False
    )

    # Then it ends failed, saying the disk is full, and nothing was written
    assert ran.returncode == 0, ran.stderr
    job = json.loads(ran.stdout.strip().splitlines()[-1])
    assert job["status"] == JobStatus.FAILED
    assert job["result"]["code"] == DISK_FULL_CODE
    assert DISK_FULL_WORDS in job["result"]["error"]
    assert counts(db) == before

    # And the command says the same, without a traceback
    done = subprocess.run(
        [*manage, "import_residents", str(register), "--community", "M1", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1
    assert json.loads(done.stdout)["code"] == DISK_FULL_CODE
    assert DISK_FULL_WORDS in json.loads(done.stdout)["error"]
    assert "Traceback" not in done.stderr
    assert counts(db) == before


# --- Through the pages: SQLite's size limit, the same error as a full disk ---------------------


@pytest.fixture
def building(community_a: Area, grid_a1: Area) -> Building:
    return BuildingFactory(community=community_a, grid=grid_a1, number="1", units=1, floors=6)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def register_upload(count: int) -> SimpleUploadedFile:
    workbook = openpyxl.Workbook()
    workbook.active.append(list(TEMPLATE_HEADERS))
    for row in register_rows(count):
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return SimpleUploadedFile("登记表.xlsx", out.getvalue())


@pytest.fixture
def disk_nearly_full() -> Iterator[None]:
    """The test database may grow by a few pages only (SQLite: ``max_page_count``)."""
    if connection.vendor != "sqlite":
        pytest.skip("max_page_count is SQLite's; the tmpfs test covers a real full disk")
    with connection.cursor() as cursor:
        # Free pages (left by earlier tests' deletes) would be reused before the file grows.
        cursor.execute("VACUUM")
        assert cursor.execute("PRAGMA freelist_count").fetchone()[0] == 0
        pages = cursor.execute("PRAGMA page_count").fetchone()[0]
        limit = cursor.execute("PRAGMA max_page_count").fetchone()[0]
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA max_page_count = {pages + 16}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA max_page_count = {limit}")


@pytest.mark.django_db(transaction=True)
def test_the_import_page_shows_that_the_disk_is_full_and_nothing_was_written(
    client: Client,
    officer_a: User,
    community_a: Area,
    building: Building,
    request: pytest.FixtureRequest,
) -> None:
    # Given a preview of a register, and a database with no room for it
    client.force_login(officer_a)
    response = client.post(
        reverse("registry:import_start", args=[community_a.pk]), {"file": register_upload(300)}
    )
    preview = Job.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert preview.status == JobStatus.COMPLETED
    changes = ObjectChange.objects.count()
    request.getfixturevalue("disk_nearly_full")

    # When the officer imports it
    response = client.post(
        reverse("registry:import_confirm", args=[preview.pk]), {"action": "import"}
    )
    page = client.get(response["Location"])

    # Then the page says the disk is full (no 500), and nothing was written
    assert response.status_code == 302
    assert page.status_code == 200
    job = page.context["job"]
    assert (job.status, job.result["code"]) == (JobStatus.FAILED, DISK_FULL_CODE)
    assert DISK_FULL_WORDS in page.content.decode()
    assert DISK_FULL_WORDS in client.get(reverse("core:job_detail", args=[job.pk])).content.decode()
    assert not Person.objects.exists()
    assert not Household.objects.exists()
    assert ObjectChange.objects.count() == changes


def test_an_upload_onto_a_full_disk_is_refused_on_the_page_with_the_reason(
    client: Client,
    officer_a: User,
    community_a: Area,
    building: Building,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def full_disk_write(chunks: Any) -> str:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(flow, "store_upload", full_disk_write)
    client.force_login(officer_a)

    response = client.post(
        reverse("registry:import_start", args=[community_a.pk]), {"file": register_upload(2)}
    )

    assert response.status_code == 507
    assert DISK_FULL_WORDS in response.content.decode()
    assert not Job.objects.exists()


def test_an_upload_cut_short_by_a_full_disk_leaves_no_half_file() -> None:
    def chunks() -> Iterator[bytes]:
        yield b"first part"
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(OSError, match="No space"):
        store_upload(chunks())

    assert upload_storage().listdir("") == ([], [])
