"""The app answers again soon after its database restarts, though it keeps connections open.

Web workers keep their database connection between requests (``CONN_MAX_AGE``); after a
restart each holds a dead one. Django's ``CONN_HEALTH_CHECKS`` checks a kept connection before
a request uses it and reconnects, so no request fails on a stale connection.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from fangkong.accounts.models import ApiToken, User
from fangkong.core.api_plumbing import hash_token

ROOT = Path(settings.BASE_DIR)
TOKEN = "restart-test-token-0001"
#: How soon the app must answer again once the database is back.
RECOVERY_SECONDS = 10.0

#: The database section of the settings, as each way of configuring it gives it.
SHOW_DATABASE = (
    "import json; from fangkong import settings as s; d = s.DATABASES['default']; "
    "print(json.dumps({'engine': d['ENGINE'], 'max_age': d.get('CONN_MAX_AGE'), "
    "'checks': d.get('CONN_HEALTH_CHECKS')}))"
)


@pytest.mark.parametrize(
    "database",
    [
        {},
        {"FANGKONG_SQLITE_PATH": "{var}/other.sqlite3"},
        {"DATABASE_URL": "sqlite:///{var}/url.sqlite3"},
        {"DATABASE_URL": "postgres://fangkong@127.0.0.1:5432/fangkong"},
        {
            "DATABASE_URL": "postgres://fangkong@127.0.0.1:5432/fangkong",
            "FANGKONG_PG_PREPARED_STATEMENTS": "0",
        },
    ],
    ids=["sqlite-default", "sqlite-path", "sqlite-url", "postgresql", "postgresql-unprepared"],
)
def test_every_database_configuration_checks_kept_connections_before_use(
    database: dict[str, str],
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "FANGKONG_SQLITE_PATH"}}
    env.update(
        {k: v.format(var=tmp_path) for k, v in database.items()},
        FANGKONG_TESTING="1",
        FANGKONG_VAR_DIR=str(tmp_path),
    )
    shown = subprocess.run(
        [sys.executable, "-c", SHOW_DATABASE],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert shown.returncode == 0, shown.stderr
    found = json.loads(shown.stdout)
    assert found["max_age"] == settings.CONN_MAX_AGE > 0
    assert found["checks"] is True, found


# --- A real server, and a PostgreSQL restart --------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str) -> int:
    """The status of one GET with the test's token (0: no answer at all)."""
    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", path, headers={"Authorization": f"Bearer {TOKEN}"})
        status = conn.getresponse().status
        conn.close()
        return status
    except OSError:
        return 0


@pytest.fixture
def server(officer_a: User) -> Iterator[int]:
    """granian serving the app from the test database, two threads each keeping a connection."""
    ApiToken.objects.create(user=officer_a, key_hash=hash_token(TOKEN), prefix=TOKEN[:8])
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "FANGKONG_TESTING": "1",
        "FANGKONG_CONN_MAX_AGE": "600",
        "FANGKONG_LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("granian")),
            "--interface",
            "wsgi",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
            "--blocking-threads",
            "2",
            "--no-ws",
            "--log-level",
            "warning",
            "fangkong.wsgi:application",
        ],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while get(port, "/api/v1/areas/") != 200:
            assert process.poll() is None, "the server did not start"
            assert time.monotonic() < deadline, "the server did not answer"
            time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def terminate_backends() -> int:
    """End every connection to the test database but the test's own: what a restart does to
    the server's kept connections. (The shared PostgreSQL cluster is never stopped: other
    databases live on it.)"""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a PostgreSQL restart: SQLite has no server to restart",
)
def test_the_app_answers_again_within_ten_seconds_after_postgresql_restarts(
    server: int,
) -> None:
    """The restart is simulated with ``pg_terminate_backend`` on the test database's
    connections, which is what a restart does to them, without stopping the PostgreSQL
    server that other test runs share."""
    # Given a server whose threads hold connections to the database
    for _ in range(6):
        assert get(server, "/api/v1/areas/") == 200

    # When every one of its connections is cut
    assert terminate_backends() >= 1
    cut = time.monotonic()

    # Then it answers 200 again within ten seconds, and no request failed (a 503 while the
    # database is away is an answer; a 500 or none at all is not)
    seen: list[int] = []
    while time.monotonic() - cut < RECOVERY_SECONDS and (not seen or seen[-1] != 200):
        seen.append(get(server, "/api/v1/areas/"))
        if seen[-1] != 200:
            time.sleep(0.2)
    assert seen[-1] == 200, f"no answer within {RECOVERY_SECONDS} s: {seen}"
    seen += [get(server, "/api/v1/areas/") for _ in range(6)]  # every thread, reconnected
    assert set(seen) <= {200, 503}, seen
    assert seen[-6:] == [200] * 6, seen
