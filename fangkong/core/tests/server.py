"""A real server for tests that need one: granian in a subprocess, over the test's data.

Django's live server runs in the test process and writes no access log, and its threads
share one SQLite connection; what production does (several worker processes on one database
file, an access log on disk) needs a real server. Its database is the test's own data:

* SQLite: the in-memory test database copied to a file (SQLite's online backup), served
  through a ``sqlite:///`` DATABASE_URL;
* PostgreSQL: the test database itself (the test must commit its rows:
  ``django_db(transaction=True)``).

    url = database_url_for_a_server(tmp_path)
    with granian(url, access_log=tmp_path / "access.log") as base_url:
        urllib.request.urlopen(base_url + "/accounts/login/")
"""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import quote

from django.db import connection

ROOT = Path(__file__).resolve().parents[3]
#: Every request line in full: method, path and query string.
ACCESS_LOG_FORMAT = '%(addr)s "%(method)s %(path)s?%(query_string)s %(protocol)s" %(status)d'


def database_url_for_a_server(tmp_path: Path) -> str:
    """A DATABASE_URL another process can open that holds the test's committed rows."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        path = tmp_path / "served.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
        return f"sqlite:///{path}"
    if connection.vendor == "postgresql":
        user = quote(settings["USER"] or "")
        password = f":{quote(settings['PASSWORD'])}" if settings.get("PASSWORD") else ""
        host = settings.get("HOST") or "127.0.0.1"
        port = settings.get("PORT") or 5432
        return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"
    raise NotImplementedError(connection.vendor)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def granian(
    database_url: str,
    *,
    workers: int = 1,
    access_log: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 90,
) -> Iterator[str]:
    """Serve fangkong with granian (as in production: WSGI, ``workers`` processes) until the
    block ends; yields the base URL. With ``access_log`` its access log goes to that file."""
    port = _free_port()
    server_env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    server_env.update(
        DJANGO_SETTINGS_MODULE="fangkong.settings",
        FANGKONG_TESTING="1",
        DATABASE_URL=database_url,
        FANGKONG_CONN_MAX_AGE="0",
        FANGKONG_AXES_ENABLED="0",
        PYTHONUNBUFFERED="1",
        **(env or {}),
    )
    command = [
        sys.executable,
        "-m",
        "granian",
        "--interface",
        "wsgi",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--no-ws",
    ]
    if access_log is not None:
        command += ["--access-log", "--access-log-fmt", ACCESS_LOG_FORMAT]
    command.append("fangkong.wsgi:application")
    log = (access_log or Path(os.devnull)).open("ab")
    process = subprocess.Popen(
        command, cwd=ROOT, env=server_env, stdout=log, stderr=subprocess.STDOUT
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base_url, process, timeout)
        yield base_url
        if access_log is not None:
            _wait_for_the_log(base_url, access_log, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_for_the_log(base_url: str, access_log: Path, process: subprocess.Popen) -> None:
    """Granian writes a request's log line after the answer has gone: a test that stops the
    server on its last answer could miss that line. One more request, marked, is waited for
    in the file; every line before it is then there."""
    marker = f"/accounts/login/?log-barrier={time.monotonic_ns()}"
    with (
        suppress(urllib.error.URLError, ConnectionError, TimeoutError),
        urllib.request.urlopen(f"{base_url}{marker}", timeout=10),  # noqa: S310
    ):
        pass
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and process.poll() is None:
        if marker.encode() in access_log.read_bytes():  # path?query, as ACCESS_LOG_FORMAT
            return
        time.sleep(0.1)


def _wait_until_up(base_url: str, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"granian exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{base_url}/accounts/login/", timeout=5):  # noqa: S310
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.3)
    raise RuntimeError("granian did not answer in time")
