"""Who to call in a grid, and the tasks the health module raises through the staff module."""

from __future__ import annotations

from typing import Any

from django.db import models

from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
from fangkong.areas.models import Area
from fangkong.registry.models import Household

#: Task kinds the health module raises (``Task.kind`` is a free short code).
TASK_FEVER = "health.fever"
TASK_SYMPTOM = "health.symptom"
TASK_MISSING_REPORT = "health.missing_report"
TASK_DELIVERY = "health.delivery"
TASK_HANDOVER = "health.handover"
TASK_APPROVAL = "health.approval"


def grid_of(household: Household | None) -> Area | None:
    if household is None or household.building.grid_id is None:
        return None
    return household.building.grid


def grid_worker_for(household: Household | None) -> User | None:
    """The grid worker of a household's grid (the longest-standing account when several)."""
    grid = grid_of(household)
    if grid is None:
        return None
    # RestrictedQuerySet's own methods return it without the model: typed here.
    worker: User | None = (
        User.objects.filter(role=Role.GRID_WORKER, area=grid, is_active=True).order_by("pk").first()
    )
    return worker


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
