"""A full disk, told apart from other failures so that users get a message they can act on.

A job or a request that runs out of space fails with whatever the layer that hit the limit
raises: SQLite's ``database or disk is full`` (SQLITE_FULL), PostgreSQL's ``could not extend
file`` (SQLSTATE 53100, ``disk_full``), or an ``OSError`` from writing an upload or a progress
file (ENOSPC; EDQUOT, a quota; EFBIG, a file-size limit). Django wraps the drivers' errors in
its own, the driver's one as ``__cause__``, so the whole chain is looked at.

Nothing is half-written when this happens: imports and services run in one transaction,
which the database rolls back; the job says so and names the cause.
"""

from __future__ import annotations

import errno

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

#: The code a failed job's result and an API error carry.
DISK_FULL_CODE = "disk_full"
DISK_FULL_MESSAGE: Promise = gettext_lazy(
    "The server's disk is full, so nothing was written. Ask your administrator to free some "
    "space, then try again."
)

_NO_ROOM_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
#: PostgreSQL's SQLSTATE for "disk full" (class 53, insufficient resources).
_PG_DISK_FULL = "53100"
#: SQLite's primary result code SQLITE_FULL (an extended code keeps it in its low byte).
_SQLITE_FULL = 13


def is_disk_full(exc: BaseException | None) -> bool:
    """Whether ``exc``, or an exception it was raised from or during, says there is no room."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, OSError) and exc.errno in _NO_ROOM_ERRNOS:
            return True
        if (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF == _SQLITE_FULL:
            return True
        if getattr(exc, "sqlstate", None) == _PG_DISK_FULL:
            return True
        exc = exc.__cause__ or exc.__context__
    return False
