"""A community's pass policy: shown to whoever may see passes, read at every scan,
changed by the community's officer (it applies from the next scan)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from fangkong.access import pass_policy
from fangkong.access.models import PassPolicy, fever_threshold_of
from fangkong.areas.models import Area
from fangkong.core.audit import record_change
from fangkong.core.choices import ChangeAction
from fangkong.core.querysets import require
from fangkong.core.services import check_version as _check_version

POLICY_FIELDS = ("outings", "window_days", "max_minutes", "visitors_allowed", "pass_scope")


def policy_for(community: Area) -> PassPolicy:
    """The community's policy, or the default one (unsaved) if its officer has set none."""
    policy = PassPolicy.objects.filter(community=community).first()
    return policy or PassPolicy(community=community)


def scan_policy(community: Area) -> PassPolicy:
    """The policy's few fields a scan needs, read in one light query at every scan (so a
    change applies from the next one)."""
    row = (
        PassPolicy.objects.filter(community=community)
        .order_by()
        .values_list("outings", "window_days", "max_minutes", "pass_scope")
        .first()
    )
    if row is None:
        return PassPolicy(community_id=community.pk)
    outings, window_days, max_minutes, pass_scope = row
    return PassPolicy(
        community_id=community.pk,
        outings=outings,
        window_days=window_days,
        max_minutes=max_minutes,
        pass_scope=pass_scope,
    )


def rules_for(policy: PassPolicy, community: Area) -> pass_policy.Rules:
    return pass_policy.Rules(
        outings=policy.outings,
        window_days=policy.window_days,
        max_minutes=policy.max_minutes,
        fever_threshold=fever_threshold_of(community),
        time_zone=community.time_zone or "Asia/Shanghai",
    )


def locked_policy(community: Area) -> PassPolicy:
    """The policy row, created with the defaults if missing, locked for this transaction."""
    PassPolicy.objects.get_or_create(community=community)
    policy: PassPolicy = (
        PassPolicy.objects.select_for_update().select_related("community").get(community=community)
    )
    return policy


@transaction.atomic
def do_update_policy(
    community: Area, *, by: Any, expected_version: int | None = None, **data: Any
) -> PassPolicy:
    """Change a community's pass policy. It applies from the next scan; the change log keeps
    who changed what and when."""
    require(by, PassPolicy, "change", community)
    existed = PassPolicy.objects.filter(community=community).exists()
    policy = locked_policy(community)
    _check_version(policy, expected_version)
    before = policy.audit_snapshot() if existed else None
    for key, value in data.items():
        if key in POLICY_FIELDS:
            setattr(policy, key, value)
    policy.full_clean(exclude=["community"])
    policy.version += 1
    policy.save()
    record_change(
        ChangeAction.UPDATE if existed else ChangeAction.CREATE, policy, before=before, actor=by
    )
    return policy
