"""Who to call in a grid, and the tasks the health module raises through the staff module."""

from __future__ import annotations

from typing import Any

from django.db import models

from fangkong.areas.models import Area
from fangkong.staff.services.urgent import TASK_FEVER, TASK_SYMPTOM, grid_of, grid_worker_for

#: Task kinds the health module raises (``Task.kind`` is a free short code). A fever and a
#: new symptom are raised through the staff module's urgent follow-up, which screening uses too.
TASK_MISSING_REPORT = "health.missing_report"
TASK_DELIVERY = "health.delivery"
TASK_HANDOVER = "health.handover"
TASK_APPROVAL = "health.approval"

__all__ = [
    "TASK_APPROVAL",
    "TASK_DELIVERY",
    "TASK_FEVER",
    "TASK_HANDOVER",
    "TASK_MISSING_REPORT",
    "TASK_SYMPTOM",
    "grid_of",
    "grid_worker_for",
    "raise_task",
    "task_ever_raised",
]


def raise_task(**kwargs: Any) -> Any:
    """A task through the staff module's one entrance (idempotent while open).

    Raised by the system on the actor's behalf (``by=None``): a grid worker entering a fever
    may not hand out work, but the follow-up must reach whoever does it.
    """
    from fangkong.staff.services import do_create_task

    return do_create_task(by=None, **kwargs)


def task_ever_raised(community: Area, link: models.Model, kind: str, reason: str) -> bool:
    """Whether a task for this object, kind and reason exists in any state (periodic checks
    raise each follow-up once, not again after it was done)."""
    from fangkong.staff.models import Task
    from fangkong.staff.services.tasks import dedup_key

    return Task.objects.filter(dedup_key=dedup_key(community, link, kind, reason)).exists()
