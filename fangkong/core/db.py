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

#: The largest value a database integer column holds (PostgreSQL bigint, SQLite INTEGER): ids
#: and numbers from a request beyond it are refused before they reach a query.
MAX_DB_INT = 2**63 - 1


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
        # The stubs know neither psycopg's cursor constructor nor that Django wraps the
        # driver's cursor (they type the argument as Django's own wrapper).
        raw = ServerBindingCursor(db.connection)  # type: ignore[call-arg]
    cursor = (
        db.make_debug_cursor(raw)  # type: ignore[arg-type]
        if db.queries_logged
        else db.make_cursor(raw)  # type: ignore[arg-type]
    )
    with cursor:
        yield cursor


# --- A database that is busy or away --------------------------------------------------------

#: PostgreSQL SQLSTATEs that mean "try again shortly", with the seconds to wait: another
#: transaction holds the lock or won the race (40001 serialisation, 40P01 deadlock, 55P03 lock
#: not available, 57014 a lock or statement timeout), or the server is restarting, refusing
#: or out of connections (57P01–57P03, 53300). Class 08 (connection exceptions) below.
_PG_RETRY_AFTER = {
    "40001": 1,
    "40P01": 1,
    "55P03": 2,
    "57014": 2,
    "57P01": 10,
    "57P02": 10,
    "57P03": 10,
    "53300": 5,
}
#: SQLite's result codes for "another connection holds the lock" (SQLITE_BUSY, SQLITE_LOCKED),
#: extended codes included (their low byte is the primary code).
_SQLITE_BUSY_CODES = {5, 6}


def retry_after_if_unavailable(exc: BaseException) -> int | None:
    """The seconds to wait before trying again if ``exc`` means the database is busy or
    unreachable for a moment (a lock held past the busy timeout, a serialisation failure, a
    restart), else None: a bad query or a broken schema stays an error (a 500).

    Django wraps the driver's error (``django.db.OperationalError`` and friends, the driver's
    one as ``__cause__``), so both are looked at."""
    from django.db import InterfaceError, OperationalError

    if not isinstance(exc, OperationalError | InterfaceError):
        return None
    cause = exc.__cause__ or exc
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is not None:  # PostgreSQL (psycopg)
        if sqlstate.startswith("08"):
            return 10
        return _PG_RETRY_AFTER.get(sqlstate)
    code = getattr(cause, "sqlite_errorcode", None)
    if code is not None:  # SQLite
        return 2 if code & 0xFF in _SQLITE_BUSY_CODES else None
    message = str(cause).lower()
    if "database is locked" in message or "database table is locked" in message:
        return 2
    if type(cause).__module__.startswith("psycopg"):
        # psycopg's errors without a SQLSTATE are the client's: the server could not be
        # reached or the connection broke (a restart, a network blip).
        return 10
    if isinstance(exc, InterfaceError) and "closed" in message:
        return 10
    return None
