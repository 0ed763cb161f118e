"""``core.db.prepared_cursor()``: prepared on PostgreSQL, Django's own cursor elsewhere, and
in both cases a cursor that behaves like Django's (errors, query logging)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from fangkong.core.db import prepared_cursor

pytestmark = pytest.mark.django_db

MARKER = "SELECT 41 + %s AS fangkong_prepared_probe"


def test_a_statement_run_through_the_prepared_cursor_is_prepared_on_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    with prepared_cursor() as cursor:
        cursor.execute(MARKER, [1])
        assert cursor.fetchone()[0] == 42
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert any("fangkong_prepared_probe" in statement for statement in prepared)


def test_django_s_own_cursors_still_prepare_nothing() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    with connection.cursor() as cursor:
        for _ in range(3):
            cursor.execute("SELECT 1 AS fangkong_unprepared_probe")
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    assert not any("fangkong_unprepared_probe" in statement for statement in prepared)


def test_with_prepared_statements_off_it_is_django_s_own_cursor(monkeypatch: Any) -> None:
    options = dict(connection.settings_dict["OPTIONS"])
    options.pop("prepare_threshold", None)
    monkeypatch.setitem(connection.settings_dict, "OPTIONS", options)
    with prepared_cursor() as cursor, connection.cursor() as ordinary:
        assert type(cursor.cursor) is type(ordinary.cursor)
        cursor.execute(MARKER, [1])
        assert cursor.fetchone()[0] == 42


def test_a_unique_violation_is_django_s_integrity_error() -> None:
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE fangkong_probe (id integer PRIMARY KEY)")
    with prepared_cursor() as cursor:
        cursor.execute("INSERT INTO fangkong_probe (id) VALUES (%s)", [1])
        with pytest.raises(IntegrityError), transaction.atomic():
            cursor.execute("INSERT INTO fangkong_probe (id) VALUES (%s)", [1])


def test_its_queries_are_logged_like_any_other() -> None:
    with CaptureQueriesContext(connection) as captured, prepared_cursor() as cursor:
        cursor.execute(MARKER, [1])
    assert any("fangkong_prepared_probe" in query["sql"] for query in captured.captured_queries)
