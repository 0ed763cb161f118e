"""Retention of access data (docs/data-dictionary.md, access.*).

Rules run in the order registered here, children first: gate events let go of their passes
before the passes are looked at. Gate events and visitors stay for the figures (scans per
gate and per day, visitors per day) without who they were; exemptions and suspensions go;
a void or replaced pass goes once no gate event needs it (until then it is anonymised).
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet

from fangkong.access.choices import PassStatus
from fangkong.access.models import Exemption, GateEvent, Pass, Suspension, Visitor
from fangkong.core.retention import Rule, cutoff, cutoff_date, register

#: Every field of the dictionary's access.Visitor table that says who the visitor was.
ANONYMOUS_VISITOR = {
    "name": "",
    "phone_cipher": "",
    "phone_index": "",
    "phone_last4_index": "",
    "phone_mask": "",
    "id_number_cipher": "",
    "id_number_index": "",
    "id_number_mask": "",
    "purpose": "",
    "plate": "",
    "confirmed_by": "",
    "refusal_reason": "",
    "recorded_by": None,
}


def _expired_visitors(now: dt.datetime) -> QuerySet[Visitor]:
    # The visit ends when the visitor leaves (or is refused); a visitor whose leaving was
    # never recorded counts from coming in, so a forgotten check-out keeps nobody forever.
    before = cutoff(now, days=30)
    return Visitor.objects.filter(
        Q(time_out__lt=before) | Q(time_out__isnull=True, time_in__lt=before)
    )


def _expired_exemptions(now: dt.datetime) -> QuerySet[Exemption]:
    # Ended on its last day, or revoked earlier: whichever came first.
    return Exemption.objects.filter(
        Q(ends_on__lt=cutoff_date(now, days=90)) | Q(revoked_at__lt=cutoff(now, days=90))
    )


def _expired_passes(now: dt.datetime) -> QuerySet[Pass]:
    # Passes have no "voided on" date; ``updated`` is never earlier than the change that
    # voided or replaced the pass, so counting from it is never early.
    return Pass.objects.filter(
        status__in=[PassStatus.VOID, PassStatus.REPLACED], updated__lt=cutoff(now, years=1)
    )


register(
    Rule(
        name="access.gate_temperature",
        model=GateEvent,
        period="30 days",
        # The reading goes; the decision (and its reason) stays with the event.
        expired=lambda now: GateEvent.objects.filter(time__lt=cutoff(now, days=30)),
        delete=False,
        anonymise={"temperature": None},
    ),
    Rule(
        name="access.gate_event",
        model=GateEvent,
        period="1 year",
        # Gate, time, direction and decision stay: the counts per gate, day and hour.
        expired=lambda now: GateEvent.objects.filter(time__lt=cutoff(now, years=1)),
        delete=False,
        anonymise={"pass_obj": None, "household": None, "temperature": None, "recorded_by": None},
    ),
    Rule(
        name="access.visitor",
        model=Visitor,
        period="30 days after the visit",
        # The gate, the household visited (a place, and required), the times, the status
        # and the temperature (nobody's once the visitor is anonymous) stay: visitors per day.
        expired=_expired_visitors,
        delete=False,
        anonymise=ANONYMOUS_VISITOR,
    ),
    Rule(
        name="access.exemption",
        model=Exemption,
        period="90 days after it ends or is revoked",
        expired=_expired_exemptions,
    ),
    Rule(
        name="access.suspension",
        model=Suspension,
        period="1 year after it is lifted",
        # A suspension in force (not lifted) is never purged; expired ones are lifted by
        # the periodic job, which sets ``lifted_at``.
        expired=lambda now: Suspension.objects.filter(lifted_at__lt=cutoff(now, years=1)),
    ),
    Rule(
        name="access.pass",
        model=Pass,
        period="while valid; 1 year after it is voided or replaced",
        expired=_expired_passes,
        # The household stays (required, and a place); who held it and why it was voided go.
        anonymise={"person": None, "void_reason": "", "issued_by": None},
    ),
)
