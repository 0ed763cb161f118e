"""The community's health settings (quarantine periods, reports a day, disinfection)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.audit import record_change
from fangkong.core.choices import ChangeAction as AuditAction
from fangkong.core.querysets import require
from fangkong.core.services import check_version
from fangkong.health.models import HealthPolicy

if TYPE_CHECKING:
    from fangkong.accounts.models import User


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
    # RestrictedQuerySet's own methods return it without the model: typed here.
    locked: HealthPolicy = HealthPolicy.objects.select_for_update().get(pk=policy.pk)
    return locked


POLICY_FIELDS = ("quarantine_days", "monitoring_days", "reports_per_day", "disinfection_days")


@transaction.atomic
def do_update_policy(
    community: Area, *, by: User, expected_version: int | None = None, **data: Any
) -> HealthPolicy:
    """Change the community's periods and rhythms; running quarantines keep their dates."""
    require(by, HealthPolicy, "change", community)
    policy = locked_policy(community)
    check_version(policy, expected_version)
    before = policy.audit_snapshot()
    for key, value in data.items():
        if key in POLICY_FIELDS and value is not None:
            setattr(policy, key, value)
    policy.full_clean(exclude=["community"])
    policy.version += 1
    policy.save()
    record_change(AuditAction.UPDATE, policy, before=before, actor=by)
    return policy
