"""Retention of volunteers' data (docs/data-dictionary.md, volunteers.*).

A request and the answers to it (who served where, how many hours) are kept 3 years after
the duty: long enough for a certificate of service asked for later. A volunteer who is
inactive and unchanged for more than a year is deleted once no answer of theirs is kept any
more (their answers go with their requests first: the rules run in this order).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from fangkong.core.retention import Rule, cutoff, register
from fangkong.volunteers.models import Volunteer, VolunteerRequest


def _expired_requests(now: dt.datetime) -> QuerySet[Any]:
    return VolunteerRequest.objects.filter(end__lt=cutoff(now, years=3))


def _expired_volunteers(now: dt.datetime) -> QuerySet[Any]:
    # No "deactivated on" date: ``updated`` is never earlier than the change that
    # deactivated them, so counting from it is never early.
    return Volunteer.objects.filter(
        is_active=False, updated__lt=cutoff(now, years=1), responses__isnull=True
    )


register(
    Rule(
        name="volunteers.request",
        model=VolunteerRequest,
        period="3 years after the duty",
        expired=_expired_requests,
    ),
    Rule(
        name="volunteers.volunteer",
        model=Volunteer,
        period="1 year after deactivation, once no answer of theirs is kept",
        expired=_expired_volunteers,
    ),
)
