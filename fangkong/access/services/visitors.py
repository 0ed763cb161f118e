"""Visitors at the gate: registered, confirmed by the household on the phone (the logged
call route), refused, gone."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.access.choices import VisitorStatus
from fangkong.access.models import Visitor
from fangkong.access.services.policy import policy_for
from fangkong.core.audit import record_access, record_change
from fangkong.core.choices import AccessKind, ChangeAction
from fangkong.core.personal_data import decrypt, protect_id_number, protect_phone
from fangkong.core.querysets import require
from fangkong.core.validators import validate_phone, validate_temperature
from fangkong.registry.choices import PersonStatus
from fangkong.registry.models import Household, Person
from fangkong.staff.models import Checkpoint


@transaction.atomic
def do_register_visitor(
    *,
    checkpoint: Checkpoint,
    household: Household,
    by: Any,
    name: str,
    purpose: str,
    temperature: Any,
    phone: str = "",
    id_number: str = "",
    plate: str = "",
) -> Visitor:
    """Register a visitor at the gate. Refused when the community's policy admits none."""
    require(by, Visitor, "add", household)
    if household.community_id != checkpoint.community_id:
        raise ValidationError({"household": _("Choose a household of this gate's community.")})
    if not policy_for(checkpoint.community).visitors_allowed:
        raise ValidationError(_("The community admits no visitors for now."))
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = [_("Enter the visitor's name.")]
    if not (purpose or "").strip():
        errors["purpose"] = [_("Say why they visit.")]
    try:
        value = validate_temperature(temperature)
    except ValidationError as exc:
        errors["temperature"] = exc.messages
    protected_phone = None
    if phone:
        try:
            protected_phone = protect_phone(validate_phone(phone))
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if errors:
        raise ValidationError(errors)
    visitor = Visitor(
        community_id=household.community_id,
        checkpoint=checkpoint,
        household=household,
        name=name.strip(),
        purpose=purpose.strip(),
        plate=(plate or "").strip().upper(),
        temperature=value,
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    if protected_phone is not None:
        visitor.set_phone(protected_phone)
    if id_number:
        visitor.set_id_number(protect_id_number(id_number.strip()))
    visitor.save()
    record_change(ChangeAction.CREATE, visitor, actor=by)
    return visitor


def _change_visitor(visitor: Visitor, by: Any, **values: Any) -> Visitor:
    visitor = (
        Visitor.objects.select_for_update().select_related("household__building").get(pk=visitor.pk)
    )
    require(by, Visitor, "change", visitor)
    before = visitor.audit_snapshot()
    for key, value in values.items():
        setattr(visitor, key, value)
    visitor.version += 1
    visitor.save(update_fields=[*values, "version", "updated"])
    record_change(ChangeAction.UPDATE, visitor, before=before, actor=by)
    return visitor


@transaction.atomic
def do_confirm_visitor(visitor: Visitor, *, by: Any, confirmed_by: str) -> Visitor:
    """The household confirmed the visit on the phone: record who did."""
    if not (confirmed_by or "").strip():
        raise ValidationError({"confirmed_by": _("Who in the household confirmed?")})
    return _change_visitor(
        visitor,
        by,
        status=VisitorStatus.CONFIRMED,
        confirmed_by=confirmed_by.strip()[:100],
        refusal_reason="",
    )


@transaction.atomic
def do_refuse_visitor(visitor: Visitor, *, by: Any, reason: str) -> Visitor:
    """The household declined, or nobody answered: the visitor is not let in."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give a reason.")})
    return _change_visitor(
        visitor,
        by,
        status=VisitorStatus.REFUSED,
        refusal_reason=reason.strip()[:200],
        time_out=timezone.now(),
    )


@transaction.atomic
def do_visitor_leaves(visitor: Visitor, *, by: Any) -> Visitor:
    if visitor.time_out is not None:
        return visitor
    return _change_visitor(visitor, by, status=VisitorStatus.LEFT, time_out=timezone.now())


def household_phone(household: Household) -> str:
    """The number the gate calls: the household's landline, else the head's, else a member's."""
    if household.phone_cipher:
        return decrypt(household.phone_cipher)
    members = (
        Person.objects.filter(household=household, status=PersonStatus.ACTIVE)
        .exclude(phone_cipher="")
        .order_by("pk")
    )
    head = next((m for m in members if m.pk == household.head_id), None)
    chosen = head or next(iter(members), None)
    return decrypt(chosen.phone_cipher) if chosen is not None else ""


def call_household_for_visitor(visitor: Visitor, *, by: Any) -> str:
    """The logged call route: the number is handed to the phone's dialler, and the call is an
    access event (who, when, which household — never the number)."""
    require(by, Visitor, "change", visitor)
    number = household_phone(visitor.household)
    if not number:
        raise ValidationError(_("This household has no phone on record; ask the community office."))
    record_access(
        AccessKind.CALL,
        actor=by,
        area_path=visitor.area_path(),
        obj=visitor.household,
        reason=_("Visitor %(name)s at the gate") % {"name": visitor.name},
        detail={"visitor": visitor.pk},
    )
    return number
