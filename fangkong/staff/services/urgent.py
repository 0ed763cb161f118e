"""The urgent follow-up of a fever or a new symptom: one task, whichever module heard of it.

A temperature in a health report and a fever answer on a screening call are the same news
for the grid worker: call now, arrange a doctor, tell the health officer. Both modules raise
the task here, so it is the same task (kind, words, assignee, due time) and an open one is
not raised twice for the same person on the same day. It lives in the staff module, which
both use for tasks, because health already reads screening's alerts: screening calling
health would make the two depend on each other.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
from fangkong.areas.models import Area
from fangkong.core.services import officer_of
from fangkong.staff.choices import TaskKind, TaskPriority
from fangkong.staff.services.tasks import do_create_task

if TYPE_CHECKING:
    from fangkong.registry.models import Household
    from fangkong.staff.models import Task

#: Task kinds of the follow-up (``Task.kind`` is a free short code; fever is listed in
#: ``TaskKind``, a new symptom is shown as its code until a page offers it).
TASK_FEVER = TaskKind.HEALTH_FEVER.value
TASK_SYMPTOM = "health.symptom"
#: How soon the grid worker must call.
FOLLOW_UP_DUE = dt.timedelta(hours=1)


def grid_of(household: Household | None) -> Area | None:
    if household is None or household.building.grid_id is None:
        return None
    return household.building.grid


def grid_worker_for(household: Household | None) -> User | None:
    """The grid worker of a household's grid (the longest-standing account when several)."""
    grid = grid_of(household)
    if grid is None:
        return None
    worker: User | None = (
        User.objects.filter(role=Role.GRID_WORKER, area=grid, is_active=True).order_by("pk").first()
    )
    return worker


def fever_reason(day: dt.date) -> str:
    """One fever follow-up per person and day, whoever reported it first."""
    return f"fever:{day.isoformat()}"


def fever_text(
    *, who: str, where: str, temperature: Decimal | str | None, threshold: Decimal | str
) -> tuple[str, str]:
    """The title and description of a fever follow-up."""
    if temperature is not None:
        title = _("Fever %(temperature)s °C: %(who)s, %(where)s") % {
            "temperature": temperature,
            "who": who,
            "where": where,
        }
    else:
        title = _("Fever: %(who)s, %(where)s") % {"who": who, "where": where}
    description = _(
        "At or above the fever threshold of %(threshold)s °C. Call now, "
        "arrange a doctor's visit and tell the health officer."
    ) % {"threshold": threshold}
    return title, description


def raise_urgent_follow_up(
    *,
    community: Area,
    household: Household | None,
    link: models.Model,
    kind: str,
    reason: str,
    title: str,
    description: str,
    worker: User | None = None,
) -> Task:
    """An urgent task for the household's grid worker (else the health officer, else the
    community officer), due within the hour, on the household's grid.

    Raised by the system on the actor's behalf (``by=None``): a grid worker entering a fever
    may not hand out work, but the follow-up must reach whoever does it."""
    worker = worker or grid_worker_for(household)
    return do_create_task(
        by=None,
        community=community,
        kind=kind,
        link=link,
        reason=reason,
        title=title,
        description=description,
        priority=TaskPriority.URGENT,
        assignee=worker or officer_of(community, "health_officer") or officer_of(community),
        area=grid_of(household) or community,
        due=timezone.now() + FOLLOW_UP_DUE,
    )
