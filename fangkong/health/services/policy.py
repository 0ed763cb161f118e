"""The community's health settings (quarantine periods, reports a day, disinfection)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from fangkong.areas.models import Area
from fangkong.core.audit import record_change
from fangkong.core.choices import ChangeAction as AuditAction
from fangkong.core.querysets import require
from fangkong.health.models import HealthPolicy
from fangkong.health.services.common import check_version, locked_policy

POLICY_FIELDS = ("quarantine_days", "monitoring_days", "reports_per_day", "disinfection_days")


@transaction.atomic
def do_update_policy(community: Area, *, by: Any, expected_version: int | None = None,
                     **data: Any) -> HealthPolicy:
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
