"""Exemptions: a household (or one member) may go out beyond the quota, on a document.
``Pass.has_exemption`` mirrors them so an ordinary scan costs no query."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.access.models import Exemption, Pass
from fangkong.core.audit import record_change
from fangkong.core.choices import ChangeAction
from fangkong.core.querysets import require
from fangkong.registry.models import Household, Person


@transaction.atomic
def do_create_exemption(
    *,
    household: Household,
    by: Any,
    kind: str,
    document: str,
    ends_on: dt.date,
    starts_on: dt.date | None = None,
    person: Person | None = None,
    notes: str = "",
) -> Exemption:
    require(by, Exemption, "add", household)
    if person is not None and person.household_id != household.pk:
        raise ValidationError({"person": _("Choose a member of this household.")})
    if not (document or "").strip():
        raise ValidationError({"document": _("Say which document was shown.")})
    exemption = Exemption(
        community_id=household.community_id,
        household=household,
        person=person,
        kind=kind,
        document=document.strip(),
        starts_on=starts_on or timezone.localdate(),
        ends_on=ends_on,
        notes=notes,
    )
    exemption.full_clean(exclude=["community", "household", "person"])
    exemption.save()
    record_change(ChangeAction.CREATE, exemption, actor=by)
    _flag_exemptions(household.pk)
    return exemption


def _household_has_exemption(household_id: int) -> bool:
    return Exemption.objects.filter(
        household_id=household_id, revoked_at__isnull=True, ends_on__gte=timezone.localdate()
    ).exists()


def _flag_exemptions(household_id: int) -> None:
    """Keep ``Pass.has_exemption`` (which spares ordinary scans a query) up to date."""
    # ``updated`` too (update() skips auto_now): the gate phones' sync finds changes by it.
    Pass.objects.filter(household_id=household_id).update(
        has_exemption=_household_has_exemption(household_id), updated=timezone.now()
    )


@transaction.atomic
def do_revoke_exemption(exemption: Exemption, *, by: Any) -> Exemption:
    exemption = Exemption.objects.select_for_update().get(pk=exemption.pk)
    require(by, Exemption, "change", exemption)
    if exemption.revoked_at is None:
        before = exemption.audit_snapshot()
        exemption.revoked_at = timezone.now()
        exemption.version += 1
        exemption.save(update_fields=["revoked_at", "version", "updated"])
        record_change(ChangeAction.UPDATE, exemption, before=before, actor=by)
        _flag_exemptions(exemption.household_id)
    return exemption
