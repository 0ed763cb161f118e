"""What every health service shares: the rights checks, the community's policy and clock,
who to call in a grid, and raising tasks through the staff module."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.exceptions import ConflictError
from fangkong.core.querysets import require
from fangkong.health.models import HealthPolicy
from fangkong.registry.models import Household

#: Task kinds the health module raises (``Task.kind`` is a free short code).
TASK_FEVER = "health.fever"
TASK_SYMPTOM = "health.symptom"
TASK_MISSING_REPORT = "health.missing_report"
TASK_DELIVERY = "health.delivery"
TASK_HANDOVER = "health.handover"
TASK_APPROVAL = "health.approval"
#: The access module's source code for the health module's suspensions.
PASS_SOURCE = "health"  # noqa: S105 - a source code, not a password


def require_health_role(user: Any, model: type[models.Model], at: Any) -> None:
    """Health status, cases and quarantines change only through the health role. ``at``: the
    row changed, or the row or area a new one belongs to (``core.querysets.require``)."""
    require(user, model, "change", at, reason=health_role_only())


def health_role_only() -> str:
    """The refusal every status change gives a role other than the health officer."""
    return _("Only the health officer may change a health status or a quarantine.")


def check_version(obj: Any, expected: int | None) -> None:
    if expected is not None and obj.version != expected:
        raise ConflictError(
            _("Someone else changed this record while you were editing it. Your input is "
              "shown again below; check the current values and save again."),
            current_version=obj.version,
        )


def locked(model: type[models.Model], pk: int) -> Any:
    # select_for_update serialises writers on PostgreSQL; on SQLite the IMMEDIATE
    # transaction already holds the write lock.
    return model.objects.select_for_update().get(pk=pk)


# --- The community's policy and clock -------------------------------------------------------


def policy_for(community: Area) -> HealthPolicy:
    """The community's health policy, made with the defaults on first use."""
    if community.level != AreaLevel.COMMUNITY:
        raise ValidationError(_("Choose a community."))
    policy, _created = HealthPolicy.objects.get_or_create(community=community)
    return policy


def locked_policy(community: Area) -> HealthPolicy:
    """The policy row locked for this transaction: one status change per community at a
    time, so the four-eyes count cannot be raced past its limit."""
    policy = policy_for(community)
    return HealthPolicy.objects.select_for_update().get(pk=policy.pk)


@cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_now(community: Area, now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()).astimezone(zone(community.time_zone))


def local_today(community: Area, now: dt.datetime | None = None) -> dt.date:
    return local_now(community, now).date()


def day_start(day: dt.date, community: Area) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=zone(community.time_zone))


def end_of_day(day: dt.date, community: Area) -> dt.datetime:
    """Midnight after ``day``: a quarantine's last day is a whole day."""
    return day_start(day + dt.timedelta(days=1), community)


def slot_of(local: dt.datetime, reports_per_day: int) -> int:
    """The part of the day (0-based) a local time falls in: with two reports a day, 00:00–
    11:59 is the morning report's and 12:00–23:59 the afternoon's."""
    return min(reports_per_day - 1, local.hour * reports_per_day // 24)


def slot_start(day: dt.date, slot: int, reports_per_day: int, community: Area) -> dt.datetime:
    return day_start(day, community) + dt.timedelta(hours=24 * slot / reports_per_day)


# --- Who works where ------------------------------------------------------------------------


def grid_of(household: Household | None) -> Area | None:
    if household is None or household.building.grid_id is None:
        return None
    return household.building.grid


def grid_worker_for(household: Household | None) -> User | None:
    """The grid worker of a household's grid (the longest-standing account when several)."""
    grid = grid_of(household)
    if grid is None:
        return None
    return (User.objects.filter(role=Role.GRID_WORKER, area=grid, is_active=True)
            .order_by("pk").first())


def officer_of(community: Area, role: str = Role.COMMUNITY_OFFICER) -> User | None:
    return (User.objects.filter(role=role, area=community, is_active=True)
            .order_by("pk").first())


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
