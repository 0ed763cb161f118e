"""A busy database: SQLite gets its settings however it is configured, and a database that
stays busy or away answers 503 with ``Retry-After`` (JSON under /api/, a page elsewhere),
never a 500."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import InterfaceError, OperationalError, ProgrammingError, connection
from django.urls import reverse

from fangkong.access.tests.factories import CheckpointFactory, household_with_pass
from fangkong.accounts.models import ApiToken
from fangkong.core.api import hash_token
from fangkong.core.db import retry_after_if_unavailable
from fangkong.core.tests.server import ROOT, database_url_for_a_server, granian

# --- SQLite's settings ----------------------------------------------------------------------

SHOW_SQLITE_SETTINGS = (
    "import django, json; django.setup(); from django.db import connection; "
    "cursor = connection.cursor(); "
    "pragmas = {p: cursor.execute(f'PRAGMA {p}').fetchone()[0] "
    "           for p in ('journal_mode', 'foreign_keys', 'busy_timeout')}; "
    "print(json.dumps({**pragmas, "
    "'transaction_mode': connection.settings_dict['OPTIONS'].get('transaction_mode')}))"
)


def _sqlite_settings(**env: str) -> dict[str, Any]:
    server_env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    server_env.pop("DATABASE_URL", None)
    server_env.update(DJANGO_SETTINGS_MODULE="fangkong.settings", FANGKONG_TESTING="1", **env)
    result = subprocess.run(
        [sys.executable, "-c", SHOW_SQLITE_SETTINGS],
        env=server_env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


EXPECTED_SQLITE = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "busy_timeout": 20000,
    "transaction_mode": "IMMEDIATE",
}


def test_a_sqlite_database_url_gets_wal_immediate_transactions_a_busy_wait_and_foreign_keys(
    tmp_path: Path,
) -> None:
    assert _sqlite_settings(DATABASE_URL=f"sqlite:///{tmp_path / 'url.sqlite3'}") == (
        EXPECTED_SQLITE
    )


def test_the_default_sqlite_file_gets_the_same_settings(tmp_path: Path) -> None:
    assert _sqlite_settings(FANGKONG_SQLITE_PATH=str(tmp_path / "path.sqlite3")) == (
        EXPECTED_SQLITE
    )


@pytest.mark.django_db(transaction=True)
def test_two_gates_scanning_at_once_on_a_sqlite_database_url_never_get_a_500(
    tmp_path: Path,
    community_a: Any,
    grid_a1: Any,
    checkpoint_a: Any,
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("about SQLite named by a sqlite:/// DATABASE_URL")
    # Given two gates, two households with passes and a scanner's token, in a SQLite file
    # served by two granian workers (two processes, as a small office runs it)
    gates = [CheckpointFactory(community=community_a) for _ in range(2)]
    passes = [household_with_pass(community_a, grid_a1)[1] for _ in range(2)]
    ApiToken.objects.create(user=checkpoint_a, key_hash=hash_token("two-gates"), prefix="two")
    statuses: list[int] = []
    with granian(database_url_for_a_server(tmp_path), workers=2) as base_url:
        # When both gates scan at the same moment, round after round
        for round_ in range(10):
            barrier = threading.Barrier(2)
            threads = [
                threading.Thread(
                    target=_scan_at_once,
                    args=(
                        base_url,
                        barrier,
                        gate.pk,
                        item.token,
                        "out" if round_ % 2 == 0 else "in",
                        statuses,
                    ),
                )
                for gate, item in zip(gates, passes, strict=True)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
    # Then every scan was answered, none with a 500 ("database is locked")
    assert statuses == [200] * 20


def _scan_at_once(
    base_url: str,
    barrier: threading.Barrier,
    gate: int,
    code: str,
    direction: str,
    statuses: list[int],
) -> None:
    body = json.dumps(
        {
            "pass_code": code,
            "checkpoint": gate,
            "direction": direction,
            "client_event_id": str(uuid.uuid4()),
        }
    ).encode()
    request = urllib.request.Request(  # noqa: S310 (our own server, over http)
        f"{base_url}/api/v1/gate/scans/",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": "Bearer two-gates"},
    )
    barrier.wait()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            statuses.append(response.status)
    except urllib.error.HTTPError as error:
        statuses.append(error.code)


# --- Which errors mean "busy" ---------------------------------------------------------------


def _wrapped(django_error: type[Exception], cause: Exception) -> Exception:
    """An error as Django raises it: its own class, the driver's error as the cause."""
    error = django_error(*cause.args)
    error.__cause__ = cause
    return error


@pytest.mark.parametrize(
    ("error", "wait"),
    [
        (_wrapped(OperationalError, sqlite3.OperationalError("database is locked")), 2),
        (OperationalError("database table is locked"), 2),
        (_wrapped(OperationalError, psycopg.errors.SerializationFailure("conflict")), 1),
        (_wrapped(OperationalError, psycopg.errors.DeadlockDetected("deadlock")), 1),
        (_wrapped(OperationalError, psycopg.errors.LockNotAvailable("lock timeout")), 2),
        (_wrapped(OperationalError, psycopg.errors.AdminShutdown("restarting")), 10),
        (_wrapped(OperationalError, psycopg.errors.TooManyConnections("too many")), 5),
        (_wrapped(OperationalError, psycopg.OperationalError("connection refused")), 10),
        (_wrapped(InterfaceError, psycopg.InterfaceError("the connection is closed")), 10),
    ],
)
def test_a_busy_or_unreachable_database_is_told_apart_with_a_time_to_wait(
    error: Exception, wait: int
) -> None:
    assert retry_after_if_unavailable(error) == wait


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("no such table: registry_person"),
        _wrapped(OperationalError, psycopg.errors.DiskFull("disk full")),
        _wrapped(ProgrammingError, psycopg.errors.UndefinedColumn("no such column")),
        RuntimeError("database is locked"),
    ],
)
def test_a_broken_query_is_not_mistaken_for_a_busy_database(error: Exception) -> None:
    assert retry_after_if_unavailable(error) is None


# --- What the caller sees -------------------------------------------------------------------


@pytest.fixture
def locked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every list of people finds the database locked past its busy timeout."""

    def busy(*args: Any, **kwargs: Any) -> None:
        raise _wrapped(OperationalError, sqlite3.OperationalError("database is locked"))

    monkeypatch.setattr("fangkong.registry.api.PersonViewSet.list", busy)
    monkeypatch.setattr("fangkong.registry.views.PersonListView.get_queryset", busy)


@pytest.mark.django_db
def test_a_locked_database_is_a_503_in_the_error_shape_on_the_api(
    client: Any, officer_a: Any, locked: None
) -> None:
    client.force_login(officer_a)

    response = client.get(reverse("api:person-list"))

    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    body = response.json()
    assert (body["code"], body["fields"]) == ("unavailable", {})
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])


@pytest.mark.django_db
def test_a_locked_database_is_a_chinese_503_page_on_pages(
    client: Any, officer_a: Any, locked: None
) -> None:
    client.force_login(officer_a)
    client.raise_request_exception = False  # Django signals the error, then answers it

    response = client.get(reverse("registry:person_list"))

    assert response.status_code == 503
    assert response["Retry-After"] == "2"
    assert response["Content-Type"].startswith("text/html")
    assert "数据库正忙" in response.content.decode()
