"""Suspensions of a household's passes, each by a source (the office, health): the passes
work again only when no suspension of any source remains."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.access.choices import PassStatus
from fangkong.access.models import Pass, Suspension
from fangkong.core.audit import record_change, record_changes
from fangkong.core.choices import ChangeAction
from fangkong.core.exceptions import ConflictError
from fangkong.core.querysets import require
from fangkong.registry.models import Household


def open_suspensions(
    household_ids: Iterable[int], at: dt.datetime
) -> dict[int, list[dt.datetime | None]]:
    """Suspensions in force per household: ``{household_id: [until, ...]}``."""
    found: dict[int, list[dt.datetime | None]] = {}
    rows = (
        Suspension.objects.filter(household_id__in=list(household_ids), lifted_at__isnull=True)
        .filter(Q(until__isnull=True) | Q(until__gt=at))
        .values_list("household_id", "until")
    )
    for household_id, until in rows:
        found.setdefault(household_id, []).append(until)
    return found


def suspension_state(untils: list[dt.datetime | None] | None) -> tuple[str, dt.datetime | None]:
    if not untils:
        return PassStatus.ACTIVE, None
    ends = [u for u in untils if u is not None]  # None: until lifted
    return PassStatus.SUSPENDED, None if len(ends) < len(untils) else max(ends)


def _refresh_household_passes(household: Household, *, by: Any, at: dt.datetime) -> int:
    """Set the household's working passes to what its suspensions in force say."""
    untils = open_suspensions([household.pk], at).get(household.pk)
    status, until = suspension_state(untils)
    passes = list(
        Pass.objects.select_for_update()
        .filter(household=household, status__in=[PassStatus.ACTIVE, PassStatus.SUSPENDED])
        .select_related("household__building")
    )
    changed, befores = [], {}
    for item in passes:
        if item.status == status and item.suspended_until == until:
            continue
        befores[item.pk] = item.audit_snapshot()
        item.status, item.suspended_until = status, until
        item.version += 1
        # bulk_update skips auto_now: the gate phones' sync finds changed passes by it.
        item.updated = timezone.now()
        changed.append(item)
    if changed:
        Pass.objects.bulk_update(changed, ["status", "suspended_until", "version", "updated"])
        record_changes(ChangeAction.UPDATE, changed, befores=befores, actor=by)
    return len(changed)


@transaction.atomic
def do_suspend_household_passes(
    household: Household, *, source: str, reason: str, until: dt.datetime | None, by: Any
) -> Suspension:
    """Suspend every pass of a household, for ``source``'s reason, until a time or lifted.

    The health module calls this when it quarantines a household (``source="health"``);
    the community office with ``source="office"``. A second call by the same source updates
    its suspension (reason, end). The gate shows only "suspended, please contact the
    community", never the reason.
    """
    require(by, Suspension, "add", household)
    source = (source or "").strip()[:30]
    if not source:
        raise ValidationError({"source": _("Say who suspends the passes.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give a reason.")})
    now = timezone.now()
    if until is not None and until <= now:
        raise ValidationError({"until": _("The end of a suspension must be in the future.")})
    actor = by if getattr(by, "is_authenticated", False) else None
    existing: Suspension | None = (
        Suspension.objects.select_for_update()
        .filter(household=household, source=source, lifted_at__isnull=True)
        .first()
    )
    if existing is not None:
        before = existing.audit_snapshot()
        existing.reason, existing.until = reason.strip()[:300], until
        existing.version += 1
        existing.save(update_fields=["reason", "until", "version", "updated"])
        record_change(ChangeAction.UPDATE, existing, before=before, actor=by)
        suspension = existing
    else:
        suspension = Suspension(
            community_id=household.community_id,
            household=household,
            source=source,
            reason=reason.strip()[:300],
            until=until,
            created_by=actor,
        )
        try:
            with transaction.atomic():
                suspension.save()
        except IntegrityError:
            raise ConflictError(
                _("This household was suspended by the same source a moment ago; try again.")
            ) from None
        record_change(ChangeAction.CREATE, suspension, actor=by)
    _refresh_household_passes(household, by=by, at=now)
    return suspension


@transaction.atomic
def do_lift_suspension(household: Household, *, source: str, by: Any) -> Suspension | None:
    """Lift ``source``'s suspension of a household. The passes work again only when no
    suspension of any other source remains. Lifting what is not there does nothing."""
    require(by, Suspension, "change", household)
    suspension = (
        Suspension.objects.select_for_update()
        .filter(household=household, source=(source or "").strip(), lifted_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if suspension is not None:
        before = suspension.audit_snapshot()
        suspension.lifted_at = now
        suspension.lifted_by = by if getattr(by, "is_authenticated", False) else None
        suspension.version += 1
        suspension.save(update_fields=["lifted_at", "lifted_by", "version", "updated"])
        record_change(ChangeAction.UPDATE, suspension, before=before, actor=by)
    _refresh_household_passes(household, by=by, at=now)
    return suspension


def lift_expired_suspensions(now: dt.datetime | None = None) -> int:
    """Suspensions whose end has come are lifted, and their passes refreshed (periodic)."""
    now = now or timezone.now()
    lifted = 0
    expired = Suspension.objects.filter(lifted_at__isnull=True, until__lte=now).select_related(
        "household__building"
    )
    for suspension in expired:
        with transaction.atomic():
            row = Suspension.objects.select_for_update().get(pk=suspension.pk)
            if row.lifted_at is not None:
                continue
            before = row.audit_snapshot()
            row.lifted_at = now
            row.version += 1
            row.save(update_fields=["lifted_at", "version", "updated"])
            record_change(ChangeAction.UPDATE, row, before=before, actor=None)
            _refresh_household_passes(suspension.household, by=None, at=now)
            lifted += 1
    return lifted
