"""Periodic work of the health module (run by ``manage.py tick``)."""

from __future__ import annotations

from datetime import datetime

from fangkong.core.periodic import every


@every(minutes=30)
def check_missing_reports(now: datetime) -> None:
    """A follow-up task for each part of a day that ended without its health report."""
    from fangkong.health.services import check_missing_reports as check

    check(now)


@every(minutes=5)
def link_waiting_handovers(now: datetime) -> None:
    """Hand-overs the background task has not linked (no worker running, or it failed)."""
    from fangkong.health.services import link_waiting_handovers as link

    link(now)
