"""Periodic work run by ``manage.py tick`` every minute (cron, a systemd timer, ``make demo``).

Apps register a function with ``@every(minutes=N)``; tick runs those that are due. Due-ness
is kept in ``TickRun`` rows so several machines running tick never run one thing twice in
the same slot.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicTask:
    name: str
    minutes: int
    func: Callable[[datetime], object]


PERIODIC: dict[str, PeriodicTask] = {}


def every(*, minutes: int) -> Callable[[Callable[[datetime], object]], Callable[..., Any]]:
    def register(func: Callable[[datetime], object]) -> Callable[[datetime], object]:
        name = f"{func.__module__}.{func.__qualname__}"
        PERIODIC[name] = PeriodicTask(name, minutes, func)
        return func

    return register


def run_due(now: datetime | None = None) -> list[str]:
    """Run every periodic task whose slot has come; return the names that ran here."""
    from fangkong.core.models import TickRun

    now = now or timezone.now()
    ran = []
    for name, periodic in sorted(PERIODIC.items()):
        slot = int(now.timestamp() // (periodic.minutes * 60))
        try:
            with transaction.atomic():
                TickRun.objects.create(name=name, slot=slot)
        except IntegrityError:
            continue  # another tick already took this slot
        try:
            periodic.func(now)
        except Exception:
            logger.exception("periodic task %s failed", name)
        ran.append(name)
    return ran


@every(minutes=60)
def purge_old_tick_runs(now: datetime) -> None:
    from fangkong.core.models import TickRun

    TickRun.objects.filter(ran_at__lt=now - timedelta(days=2)).delete()


@every(minutes=24 * 60)
def purge_expired_personal_data(now: datetime) -> None:
    """The daily retention purge (core.retention), as a job on a worker: a long backlog
    must not hold up the rest of tick."""
    from fangkong.core.jobs import enqueue_job
    from fangkong.core.retention import JOB_KIND

    enqueue_job(JOB_KIND, user=None, area_path="", params={"as_of": now.isoformat()})


@every(minutes=60)
def purge_stale_uploads(now: datetime) -> None:
    """Delete uploads left by previews nobody confirmed or cancelled (every app's imports)."""
    from fangkong.core.imports.uploads import purge_stale_uploads as purge

    purge(now)
