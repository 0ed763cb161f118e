"""Retention of self-service data (docs/data-dictionary.md, selfservice.*).

The activity log goes after 90 days (the officer's page shows recent activity; the figures
are counted the next night). A decided correction goes a year after its decision (the
registry's own audit rows keep what changed). A revoked or expired link goes a year after it
ended (its hash opens nothing; the activity it names lets go of it).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from fangkong.core.retention import Rule, cutoff, register
from fangkong.selfservice.choices import CorrectionStatus
from fangkong.selfservice.models import Activity, Correction, HouseholdLink


def _expired_links(now: dt.datetime) -> QuerySet[HouseholdLink]:
    before = cutoff(now, years=1)
    return HouseholdLink.objects.filter(Q(revoked_at__lt=before) | Q(expires_at__lt=before))


register(
    Rule(
        name="selfservice.activity",
        model=Activity,
        period="90 days",
        expired=lambda now: Activity.objects.filter(time__lt=cutoff(now, days=90)),
    ),
    Rule(
        name="selfservice.correction",
        model=Correction,
        period="1 year after the decision",
        expired=lambda now: Correction.objects.exclude(status=CorrectionStatus.PENDING).filter(
            decided_at__lt=cutoff(now, years=1)
        ),
    ),
    Rule(
        name="selfservice.link",
        model=HouseholdLink,
        period="1 year after it is revoked or expires",
        expired=_expired_links,
    ),
)
