"""Prepared statements for the few hot statements written by hand (the gate scan's).

PostgreSQL spends most of a small query's time planning it: the scan's one read joins five
tables and took ~0.25 ms of planning to ~0.03 ms of running. A prepared statement is parsed
and planned once per connection and then only executed. Django's cursors bind parameters on
the client, which can never be prepared, so ``prepared_cursor()`` hands out a cursor that
binds them on the server, wrapped like Django's own (errors translated to Django's, queries
logged when Django logs them, thread sharing checked).

Only statements run through this cursor are prepared; every other query is as Django runs
it. ``FANGKONG_PG_PREPARED_STATEMENTS=0`` turns it off (a connection pooler in transaction
mode older than PgBouncer 1.21 cannot carry prepared statements; see docs/configuration.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections


@contextmanager
def prepared_cursor(using: str = DEFAULT_DB_ALIAS) -> Iterator[Any]:
    """A cursor like ``connections[using].cursor()`` whose statements PostgreSQL prepares
    (at their first run on the connection; settings put ``prepare_threshold`` at 0). On
    other databases, or with prepared statements off, the ordinary cursor."""
    db = connections[using]
    if db.vendor != "postgresql" or db.settings_dict["OPTIONS"].get("prepare_threshold") is None:
        with db.cursor() as cursor:
            yield cursor
        return
    from django.db.backends.postgresql.base import ServerBindingCursor

    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_thread_sharing()
    with db.wrap_database_errors:
        raw = ServerBindingCursor(db.connection)
    cursor = db.make_debug_cursor(raw) if db.queries_logged else db.make_cursor(raw)
    with cursor:
        yield cursor
