"""Retention of screening data (docs/data-dictionary.md, screening.*).

Periods count from the campaign's close (``closed_at``): a campaign under way (or a draft)
is never purged. Rules run in the order registered here, children first: alerts before the
records they were raised from (an alert goes with its record, so a record is kept while an
alert of it is), then proposals and attempts. Attempts stay, without what the caller typed,
for the campaign's figures (calls per caller and per hour). Call assignments have no rule:
they hold the household's place on the list, its status and a mark that follows its open
alerts (cleared as each alert is resolved), which the coverage counts.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet

from fangkong.core.retention import Rule, cutoff, register
from fangkong.screening.choices import AlertStatus, ProposalStatus
from fangkong.screening.models import (
    Alert,
    CallAttempt,
    MoveOutProposal,
    ScreeningRecord,
)

#: Answers and what was heard on the phone: kept this long after the campaign closes.
ANSWER_DAYS = 180


def _closed_before(now: dt.datetime, prefix: str = "campaign__") -> Q:
    return Q(**{f"{prefix}closed_at__lt": cutoff(now, days=ANSWER_DAYS)})


def _expired_alerts(now: dt.datetime) -> QuerySet[Any]:
    # An open alert waits for the officer however old its campaign; a closed one counts from
    # the later of the campaign's close and its own resolution.
    before = cutoff(now, days=ANSWER_DAYS)
    return (
        Alert.objects.filter(_closed_before(now))
        .exclude(status=AlertStatus.OPEN)
        .filter(Q(resolved_at__isnull=True) | Q(resolved_at__lt=before))
    )


def _expired_records(now: dt.datetime) -> QuerySet[Any]:
    # Deleting a record deletes its alerts (CASCADE): keep it while one of them is kept.
    alerts = Alert.objects.filter(record=OuterRef("pk"))
    return ScreeningRecord.objects.filter(_closed_before(now)).exclude(Exists(alerts))


def _expired_proposals(now: dt.datetime) -> QuerySet[Any]:
    # A proposal still waiting for the grid worker is never purged.
    return (
        MoveOutProposal.objects.filter(_closed_before(now, "assignment__campaign__"))
        .exclude(status=ProposalStatus.PENDING)
        .filter(Q(decided_at__isnull=True) | Q(decided_at__lt=cutoff(now, days=ANSWER_DAYS)))
    )


register(
    Rule(
        name="screening.alert",
        model=Alert,
        period=f"{ANSWER_DAYS} days after the campaign closes (never while open)",
        expired=_expired_alerts,
    ),
    Rule(
        name="screening.record",
        model=ScreeningRecord,
        period=f"{ANSWER_DAYS} days after the campaign closes",
        expired=_expired_records,
    ),
    Rule(
        name="screening.move_out_proposal",
        model=MoveOutProposal,
        period=f"{ANSWER_DAYS} days after the campaign closes (never while pending)",
        expired=_expired_proposals,
    ),
    Rule(
        name="screening.call_attempt",
        model=CallAttempt,
        period=f"{ANSWER_DAYS} days after the campaign closes",
        # Caller, outcome and time stay for the figures; what was typed and noted goes.
        expired=lambda now: CallAttempt.objects.filter(_closed_before(now)),
        delete=False,
        anonymise={"note": "", "input": {}},
    ),
)
