"""What every app's retention tests use: steps either side of a period's end, a rule's
counts in a purge, and whether a row is still there."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fangkong.core.retention import PurgeResult

DAY = dt.timedelta(days=1)
SECOND = dt.timedelta(seconds=1)


def counts(result: PurgeResult, rule: str) -> tuple[int, int]:
    """(deleted, anonymised) by one rule in a purge."""
    outcome = next(o for o in result.outcomes if o.rule == rule)
    return outcome.deleted, outcome.anonymised


def exists(obj: Any) -> bool:
    """Whether the row is still in its table (whatever the model's default manager hides)."""
    return type(obj)._base_manager.filter(pk=obj.pk).exists()
