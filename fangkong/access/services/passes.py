"""Issuing, replacing and voiding passes. Serials continue the community's sequence (the
policy row, locked, holds it)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.access.choices import PassScope, PassStatus
from fangkong.access.models import Exemption, Pass, PassPolicy
from fangkong.access.pass_tokens import new_nonce, serial_for
from fangkong.access.services.policy import locked_policy
from fangkong.access.services.suspensions import open_suspensions, suspension_state
from fangkong.areas.models import Area
from fangkong.core.audit import record_change, record_changes
from fangkong.core.choices import ChangeAction
from fangkong.core.querysets import require
from fangkong.registry.choices import PersonStatus
from fangkong.registry.models import Building, Household, Person


@dataclass
class IssueResult:
    passes: list[Pass]
    skipped: int


@transaction.atomic
def do_issue_passes(
    *,
    community: Area,
    by: Any,
    building: Building | None = None,
    households: Iterable[Household] | None = None,
) -> IssueResult:
    """Issue passes in bulk: for a building, a list of households, or the whole community.

    One per occupied household (or, by the policy, per active member). Households or members
    that already hold a working pass are skipped. Serials continue the community's sequence.
    """
    require(by, Pass, "add", building if building is not None else community)
    policy = locked_policy(community)
    queryset = Household.objects.filter(community=community, is_active=True)
    if building is not None:
        if building.community_id != community.pk:
            raise ValidationError({"building": _("Choose a building of this community.")})
        queryset = queryset.filter(building=building)
    if households is not None:
        queryset = queryset.filter(pk__in=[h.pk for h in households])
    if by is not None:
        queryset = queryset.restrict(by, "view")
    # The audit rows name each pass's area: the building's grid (or community), read here.
    targets = list(
        queryset.select_related("building__grid", "building__community").order_by(
            "building__sort_key", "building__number", "unit", "room", "pk"
        )
    )
    held = Pass.objects.filter(
        household__in=targets, status__in=[PassStatus.ACTIVE, PassStatus.SUSPENDED]
    )
    now = timezone.now()
    suspended = open_suspensions([h.pk for h in targets], now)
    exempted = set(
        Exemption.objects.filter(
            household__in=targets, revoked_at__isnull=True, ends_on__gte=timezone.localdate()
        ).values_list("household_id", flat=True)
    )
    pairs, skipped = _to_issue(policy, targets, held)
    new: list[Pass] = []
    for household, person in pairs:
        policy.last_serial += 1
        status, until = suspension_state(suspended.get(household.pk))
        item = Pass(
            community=community,
            household=household,
            person=person,
            serial=serial_for(policy.last_serial),
            status=status,
            suspended_until=until,
            issued_by=by if getattr(by, "is_authenticated", False) else None,
            has_exemption=household.pk in exempted,
        )
        item.set_nonce(new_nonce())
        new.append(item)
    policy.save(update_fields=["last_serial"])
    created = Pass.objects.bulk_create(new, batch_size=500)
    record_changes(ChangeAction.CREATE, created, actor=by)
    return IssueResult(created, skipped)


def _to_issue(
    policy: PassPolicy, targets: list[Household], held: Any
) -> tuple[list[tuple[Household, Person | None]], int]:
    """Who gets a new pass (household and, with passes per person, the member) and how
    many already hold a working one (``held``: the targets' working passes)."""
    if policy.pass_scope == PassScope.PERSON:
        have = set(held.values_list("person_id", flat=True))
        members = Person.objects.filter(household__in=targets, status=PersonStatus.ACTIVE).order_by(
            "household_id", "pk"
        )
        by_household: dict[int, list[Person]] = {}
        for person in members:
            by_household.setdefault(person.household_id, []).append(person)
        wanted = [(h, p) for h in targets for p in by_household.get(h.pk, [])]
        pairs: list[tuple[Household, Person | None]] = [
            (h, p) for h, p in wanted if p.pk not in have
        ]
        return pairs, len(wanted) - len(pairs)
    have = set(held.values_list("household_id", flat=True))
    pairs = [(h, None) for h in targets if h.pk not in have]
    return pairs, len(targets) - len(pairs)


def _locked_pass(item: Pass) -> Pass:
    locked: Pass = (
        Pass.objects.select_for_update().select_related("household__building").get(pk=item.pk)
    )
    return locked


@transaction.atomic
def do_replace_pass(item: Pass, *, by: Any, reason: str) -> Pass:
    """A lost or damaged pass: the old one stops at once; a new serial and code replace it."""
    old = _locked_pass(item)
    require(by, Pass, "change", old)
    if old.status in (PassStatus.VOID, PassStatus.REPLACED):
        raise ValidationError(_("This pass no longer works; issue a new one instead."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give a reason.")})
    policy = locked_policy(old.community)
    policy.last_serial += 1
    policy.save(update_fields=["last_serial"])
    new = Pass(
        community_id=old.community_id,
        household=old.household,
        person=old.person,
        serial=serial_for(policy.last_serial),
        status=old.status,
        suspended_until=old.suspended_until,
        out_since=old.out_since,
        has_exemption=old.has_exemption,
        issued_by=by if getattr(by, "is_authenticated", False) else None,
    )
    new.set_nonce(new_nonce())
    new.save()
    record_change(ChangeAction.CREATE, new, actor=by)
    before = old.audit_snapshot()
    old.status, old.replaced_by, old.void_reason = PassStatus.REPLACED, new, reason.strip()
    old.out_since = None
    old.version += 1
    old.save(
        update_fields=["status", "replaced_by", "void_reason", "out_since", "version", "updated"]
    )
    record_change(ChangeAction.UPDATE, old, before=before, actor=by)
    return new


@transaction.atomic
def do_void_pass(item: Pass, *, by: Any, reason: str) -> Pass:
    """The pass stops for good (the household moved out, the card was misused)."""
    item = _locked_pass(item)
    require(by, Pass, "deactivate", item)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give a reason.")})
    if item.status in (PassStatus.VOID, PassStatus.REPLACED):
        return item
    before = item.audit_snapshot()
    item.status, item.void_reason, item.out_since = PassStatus.VOID, reason.strip(), None
    item.version += 1
    item.save(update_fields=["status", "void_reason", "out_since", "version", "updated"])
    record_change(ChangeAction.UPDATE, item, before=before, actor=by)
    return item
