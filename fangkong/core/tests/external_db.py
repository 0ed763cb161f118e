"""The test's database, reachable from a ``manage.py`` subprocess (a command run as an operator
runs it, killed with ``kill -9``, or calling ``pg_dump``).

Rows must be committed for another process to see them: tests using this take
``transactional_db``. On PostgreSQL the subprocess uses the test database itself. SQLite's test
database lives in this process's memory, so it is copied to a file for the subprocess and
copied back when the block ends: the test then checks what the subprocess did through the ORM.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection


@contextlib.contextmanager
def database_for_subprocess(directory: Path) -> Iterator[dict[str, str]]:
    """The environment of a subprocess that works on the test's database."""
    env = {**os.environ, "FANGKONG_TESTING": "1", "FANGKONG_VAR_DIR": str(directory / "var")}
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        auth = quote(db["USER"] or "", safe="")
        if db["PASSWORD"]:
            auth += ":" + quote(db["PASSWORD"], safe="")
        env["DATABASE_URL"] = (
            f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
        yield env
        connection.close()  # the subprocess may have replaced tables under our connection
        return
    path = directory / "external.sqlite3"
    copy_sqlite(connection_of_django(), path)
    env.pop("DATABASE_URL", None)
    env["FANGKONG_SQLITE_PATH"] = str(path)
    try:
        yield env
    finally:
        copy_sqlite(path, connection_of_django())


def connection_of_django() -> sqlite3.Connection:
    connection.ensure_connection()
    return connection.connection


def copy_sqlite(source: Path | sqlite3.Connection, target: Path | sqlite3.Connection) -> None:
    """Copy a whole SQLite database with the online backup API (files or open connections)."""
    src = sqlite3.connect(source) if isinstance(source, Path) else source
    dst = sqlite3.connect(target) if isinstance(target, Path) else target
    try:
        src.backup(dst)
    finally:
        for conn, given in ((src, source), (dst, target)):
            if isinstance(given, Path):
                conn.close()


def manage(
    env: dict[str, str],
    *args: str,
    check: bool = True,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``manage.py`` with ``args`` in a subprocess; its output, decoded."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        input=input,
        capture_output=True,
        text=True,
        check=check,
        timeout=300,
    )


def popen_manage(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    """Start ``manage.py`` with ``args``; its stdout is read line by line as it comes."""
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
