"""Periodic work of the reports module (run by ``manage.py tick``)."""

from __future__ import annotations

from datetime import datetime

from fangkong.core.periodic import every


@every(minutes=1)
def refresh_stale_figures(now: datetime) -> None:
    """Count again the communities changed since their figures were stored, so the home
    pages rarely have to; move the others' gate event marks on."""
    from fangkong.reports.figures import refresh_stale

    refresh_stale(move_marks=True)


@every(minutes=24 * 60)
def refresh_all_figures(now: datetime) -> None:
    """Once a day, every community: a net for rows changed outside the services."""
    from fangkong.reports.figures import refresh_figures

    refresh_figures()


@every(minutes=10)
def store_yesterdays_figures(now: datetime) -> None:
    """Yesterday's daily figures of each community, once its local midnight has passed (a
    community whose yesterday is stored whole is skipped: one query per time zone)."""
    from fangkong.reports.daily import store_yesterday

    store_yesterday(now)
