"""Periodic work of the access module (run by ``manage.py tick``)."""

from __future__ import annotations

from datetime import datetime

from fangkong.core.periodic import every


@every(minutes=5)
def lift_expired_suspensions(now: datetime) -> None:
    """Suspensions whose end has come are lifted (the scan already ignores them)."""
    from fangkong.access.services import lift_expired_suspensions as lift

    lift(now)
