"""Retention of health data (docs/data-dictionary.md, health.*).

Rules run in the order registered here, children first, so a quarantine's reports are gone
before the quarantine is looked at. A case or quarantine still needed by a status change
(kept 5 years as the person's record) is anonymised and deleted by a later run.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet

from fangkong.core.retention import Rule, cutoff, cutoff_date, register
from fangkong.health.choices import ChangeStatus, Classification, Outcome
from fangkong.health.models import (
    Case,
    Contact,
    Disinfection,
    HealthReport,
    Quarantine,
    StatusChange,
)

#: Closed cases: recovered, died or excluded.
CLOSED_CASE = Q(classification=Classification.EXCLUDED) | Q(
    outcome__in=[Outcome.RECOVERED, Outcome.DIED]
)


def _expired_status_changes(now: dt.datetime) -> QuerySet[Any]:
    # Never a pending change (its payload waits for a decision), nor one of a case still
    # open or a quarantine still running: those are still being acted on.
    open_case = Q(case__isnull=False) & ~Q(case__in=Case.objects.filter(CLOSED_CASE))
    running = Q(quarantine__isnull=False, quarantine__ended_on__isnull=True)
    return (
        StatusChange.objects.filter(created__lt=cutoff(now, years=5))
        .exclude(status=ChangeStatus.PENDING)
        .exclude(open_case)
        .exclude(running)
    )


def _expired_cases(now: dt.datetime) -> QuerySet[Any]:
    # Cases have no "closed on" date of their own: the outcome date when there is one, and
    # ``updated`` (never earlier than the change that closed the case) in every case.
    day = cutoff_date(now, years=3)
    return Case.objects.filter(CLOSED_CASE, updated__lt=cutoff(now, years=3)).filter(
        Q(outcome_date__isnull=True) | Q(outcome_date__lt=day)
    )


register(
    Rule(
        name="health.status_change",
        model=StatusChange,
        period="5 years",
        expired=_expired_status_changes,
    ),
    Rule(
        name="health.health_report",
        model=HealthReport,
        period="1 year after the quarantine ends",
        expired=lambda now: HealthReport.objects.filter(
            quarantine__ended_on__lt=cutoff_date(now, years=1)
        ),
    ),
    Rule(
        name="health.contact",
        model=Contact,
        period="2 years after the last exposure",
        expired=lambda now: Contact.objects.filter(last_exposure__lt=cutoff_date(now, years=2)),
    ),
    Rule(
        name="health.quarantine",
        model=Quarantine,
        period="2 years after the end",
        expired=lambda now: Quarantine.objects.filter(ended_on__lt=cutoff_date(now, years=2)),
        # The household stays: a home quarantine must name one (a check constraint), and
        # it is a place, not the person.
        anonymise={"site": "", "contact": None, "alert_id": None, "grid_worker": None},
    ),
    Rule(
        name="health.case",
        model=Case,
        period="3 years after the case is closed",
        expired=_expired_cases,
        anonymise={
            "taken_to_name": "",
            "household": None,
            "building": None,
            "unit": None,
            "notes": "",
        },
    ),
    Rule(
        name="health.disinfection",
        model=Disinfection,
        period="3 years",
        # Places, times and agents are not personal data and stay for the figures.
        expired=lambda now: Disinfection.objects.filter(done_at__lt=cutoff(now, years=3)),
        delete=False,
        anonymise={"operator": "", "recorded_by": None, "notes": ""},
    ),
)
