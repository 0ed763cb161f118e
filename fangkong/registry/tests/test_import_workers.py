"""An import killed by ``kill -9`` leaves no worker process behind and nothing half-written.

A large register is checked by a pool of worker processes (``imports._read_parallel``). These
tests start a real import in another process — the command, a process with threads as a web
server is, and ``db_worker`` running the import job — kill that process with SIGKILL while
its workers run, then check by pid that every worker has ended, and that the database (a
SQLite file of the test's own) holds no person, household or audit row of the import.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from fangkong.registry import imports
from fangkong.registry.tests.factories import valid_id_number

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists() or (os.cpu_count() or 1) < 2,
    reason="needs Linux's /proc to find processes, and two CPUs for the import to use workers",
)

#: Data rows: well past the size from which workers check rows, so they are still at work
#: when their parent is killed.
ROWS = imports.PARALLEL_FROM * 3
#: How long workers may take to notice their parent died (they poll twice a second).
GRACE_SECONDS = 5.0


# --- Processes, as /proc shows them ----------------------------------------------------------


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name (state first), or None."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def children_of(parent: int) -> dict[int, str]:
    """Live child processes of ``parent``: pid → start time (which tells a reused pid apart)."""
    found = {}
    for entry in Path("/proc").iterdir():
        fields = _stat(int(entry.name)) if entry.name.isdigit() else None
        if fields is not None and int(fields[1]) == parent and fields[0] not in "ZX":
            found[int(entry.name)] = fields[19]
    return found


def alive(pid: int, started: str) -> bool:
    """The same process still running (a zombie waiting to be reaped has ended)."""
    fields = _stat(pid)
    return fields is not None and fields[19] == started and fields[0] not in "ZX"


def kill_leftovers(processes: dict[int, str]) -> None:
    for pid, started in processes.items():
        if alive(pid, started):
            os.kill(pid, signal.SIGKILL)


# --- A site of its own, and a large register -------------------------------------------------

SETUP = """
from fangkong.areas.services import do_create_area as a
from fangkong.registry.services import do_create_building as b
c = a(level='city', name='市', code='C1', parent=None, by=None)
d = a(level='district', name='区', code='D1', parent=c, by=None)
s = a(level='street', name='街道', code='S1', parent=d, by=None)
m = a(level='community', name='社区', code='M1', parent=s, by=None)
b(community=m, by=None, number='1', units=1, floors=6)
"""

ENQUEUE = """
import os
from django.db import transaction
from fangkong.areas.models import Area
from fangkong.core.jobs import enqueue_job
from fangkong.core.imports.uploads import store_upload
from fangkong.registry.jobs import IMPORT_KIND
community = Area.objects.get(code='M1')
with open(os.environ['REGISTER'], 'rb') as f:
    token = store_upload(iter([f.read()]))
with transaction.atomic():
    enqueue_job(IMPORT_KIND, user=None, area_path=community.path,
                params={'upload': token, 'community': community.pk, 'mode': 'import'})
"""

#: An import run from a process with another thread, as a threaded web server is: its
#: workers are spawned, not forked.
THREADED = """
import os, threading, time
from django.core.management import call_command
threading.Thread(target=time.sleep, args=(3600,), daemon=True).start()
call_command('import_residents', os.environ['REGISTER'], '--community', 'M1')
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A migrated SQLite database with one community and its building, and a register."""
    var = tmp_path_factory.mktemp("var")
    register = var / "register.csv"
    env = {
        **os.environ,
        "FANGKONG_DEBUG": "1",
        "FANGKONG_TESTING": "0",
        "FANGKONG_VAR_DIR": str(var),
        "FANGKONG_SQLITE_PATH": str(var / "db.sqlite3"),
        "DATABASE_URL": "",
        "PYTHONPATH": str(settings.BASE_DIR),
        "REGISTER": str(register),
    }
    manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
    subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True)
    subprocess.run([*manage, "shell", "-c", SETUP], env=env, check=True)
    with register.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["楼栋", "房号", "姓名", "身份证号", "手机号"])
        for i in range(ROWS):
            birth = dt.date(1940, 1, 1) + dt.timedelta(days=i % 27_000)
            writer.writerow(
                [
                    "1",
                    f"{1 + i % 6}{1 + i % 30:02d}",
                    "居民" + "甲乙丙丁戊"[i % 5],
                    valid_id_number(birth=birth, sex="M", area="210102", seq=1 + 2 * (i // 27_000)),
                    f"139{i:08d}",
                ]
            )
    return {"env": env, "manage": manage, "db": var / "db.sqlite3", "register": register}


def written_rows(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as connection:
        return {
            table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 (fixed names)
            for table in ("registry_person", "registry_household", "core_objectchange")
        }


@pytest.fixture
def started() -> Iterator[list[tuple[subprocess.Popen[bytes], dict[int, str]]]]:
    """Processes a test starts, and the workers it saw; none outlives the test."""
    runs: list[tuple[subprocess.Popen[bytes], dict[int, str]]] = []
    yield runs
    for process, workers in runs:
        kill_leftovers(workers)
        if process.poll() is None:
            process.kill()
        process.wait()


def import_command(site: dict[str, Any], how: str) -> list[str]:
    if how == "command":
        return [*site["manage"], "import_residents", str(site["register"]), "--community", "M1"]
    if how == "threaded":
        return [*site["manage"], "shell", "-c", THREADED]
    subprocess.run([*site["manage"], "shell", "-c", ENQUEUE], env=site["env"], check=True)
    return [*site["manage"], "db_worker", "--batch", "--no-reload", "--no-startup-delay"]


@pytest.mark.parametrize("how", ["command", "threaded", "db_worker"])
def test_killing_an_import_ends_its_workers_and_writes_nothing(
    site: dict[str, Any],
    started: list,
    how: str,
) -> None:
    # Given an import of a large register, running with its workers
    before = written_rows(site["db"])
    process = subprocess.Popen(
        import_command(site, how),
        env=site["env"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: dict[int, str] = {}
    started.append((process, workers))
    deadline = time.monotonic() + 120  # the process sets Django up and reads the file first
    while len(workers) < 2 and time.monotonic() < deadline and process.poll() is None:
        workers.update(children_of(process.pid))
        time.sleep(0.05)
    assert len(workers) >= 2, "the import never started its worker processes"
    time.sleep(1)  # at work on the first chunks
    workers.update(children_of(process.pid))
    assert process.poll() is None, "the import ended before it could be killed"

    # When it is killed
    process.send_signal(signal.SIGKILL)
    process.wait()

    # Then every worker has ended within a few seconds, and nothing was written
    deadline = time.monotonic() + GRACE_SECONDS
    while any(alive(pid, t) for pid, t in workers.items()) and time.monotonic() < deadline:
        time.sleep(0.1)
    survivors = sorted(pid for pid, t in workers.items() if alive(pid, t))
    assert survivors == [], f"workers {survivors} outlived the import"
    assert written_rows(site["db"]) == before


# --- Each of the two watches on its own ------------------------------------------------------

ORPHAN = """
import multiprocessing, os, signal, sys, time
from fangkong.core import child_processes
if sys.argv[-1] == 'poll':
    child_processes._kernel_kills_orphan = lambda: False
else:
    child_processes._watch = lambda parent: None
parent = os.getpid()
def work():
    child_processes.watch_parent(parent)
    time.sleep(600)
child = multiprocessing.get_context('fork').Process(target=work)
child.start()
print(child.pid, flush=True)
time.sleep(0.5)
os.kill(parent, signal.SIGKILL)
"""


@pytest.mark.parametrize("watch", ["kernel", "poll"])
def test_a_watched_worker_ends_with_its_parent_by_either_watch(watch: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(settings.BASE_DIR)}
    parent = subprocess.run(
        [sys.executable, "-c", ORPHAN, watch],
        env=env,
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert parent.returncode == -signal.SIGKILL, parent.stderr
    pid = int(parent.stdout.split()[0])
    fields = _stat(pid)
    started = fields[19] if fields else ""
    deadline = time.monotonic() + GRACE_SECONDS
    while alive(pid, started) and time.monotonic() < deadline:
        time.sleep(0.1)
    try:
        assert not alive(pid, started), f"the {watch} watch left worker {pid} running"
    finally:
        kill_leftovers({pid: started})
