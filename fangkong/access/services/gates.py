"""What a gate knows besides the scan itself: its words, whether it is open, who may scan
there, the scan's request and answer, finding a pass by token or serial, and the office's
review of a flagged event."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.access import pass_policy
from fangkong.access.choices import ReasonCode
from fangkong.access.models import GateEvent, Pass, fever_threshold_of
from fangkong.access.pass_tokens import looks_like_token, nonce_of, normalise_serial
from fangkong.areas.models import Area
from fangkong.core.audit import record_change
from fangkong.core.choices import ChangeAction
from fangkong.core.querysets import covered, require, works_in
from fangkong.staff.models import Checkpoint

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

#: The neutral reasons the gate shows (translated when shown).
REASON_TEXTS: dict[str, StrPromise] = {
    ReasonCode.OK: gettext_lazy("Valid"),
    ReasonCode.QUOTA_USED: gettext_lazy("Already out this period"),
    ReasonCode.SUSPENDED: gettext_lazy("Suspended: please contact the community"),
    ReasonCode.VOID: gettext_lazy("Invalid pass"),
    ReasonCode.REPLACED: gettext_lazy("Invalid pass: it has been replaced"),
    ReasonCode.OVERDUE: gettext_lazy("Overdue return: please contact the community"),
    ReasonCode.GATE_CLOSED: gettext_lazy("This gate is closed now"),
    ReasonCode.UNKNOWN_PASS: gettext_lazy("Unknown pass"),
}


def reason_text(code: str, next_allowed_at: dt.datetime | None, community: Area) -> str:
    """What the gate shows: a decision's neutral reason, never a health status (DESIGN.md)."""
    if code == ReasonCode.QUOTA_USED and next_allowed_at is not None:
        local = next_allowed_at.astimezone(pass_policy.zone(community.time_zone))
        return _("Already out this period; next outing from %(time)s") % {
            "time": local.strftime("%Y-%m-%d %H:%M")
        }
    if code == ReasonCode.FEVER:
        return _("Temperature at or above %(threshold)s °C: please measure again") % {
            "threshold": fever_threshold_of(community)
        }
    return str(REASON_TEXTS.get(code, code))


def gate_is_open(checkpoint: Checkpoint, at: dt.datetime) -> bool:
    return pass_policy.is_open(
        is_open_flag=checkpoint.is_open,
        opens=checkpoint.opens,
        closes=checkpoint.closes,
        at=at,
        time_zone=checkpoint.community.time_zone,
    )


def checkpoints_for(user: Any) -> Any:
    """The gates where ``user`` may scan: those of communities in their scope.

    Scoped here rather than by the staff app's ``restrict`` (which shows checkpoint staff
    only their own duty rows): whoever may record gate events in a community may use its
    gates.
    """
    queryset = Checkpoint.objects.select_related("community")
    if user is None or not getattr(user, "is_authenticated", False):
        return queryset.none()
    if not user.has_action(GateEvent, "add") and not user.has_action(GateEvent, "view"):
        return queryset.none()
    # The checkpoint's own rule: a grid worker's scope is a grid, and the gates of its
    # community (community-wide staff rows) are still theirs.
    return covered(queryset, user)


def may_scan_at(user: Any, checkpoint: Checkpoint) -> bool:
    """Whether ``user`` may scan at this gate: a right on gate events, and the gate's
    community in their scope (or their scope inside it: a grid worker's community)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not user.has_action(GateEvent, "add") and not user.has_action(GateEvent, "view"):
        return False
    return works_in(user, checkpoint.community_id)


@dataclass(frozen=True)
class ScanRequest:
    #: The gate: one the caller already holds, or the id the scanner sent, which is read
    #: with the scan itself; a gate the caller may not use is then not found (404).
    checkpoint: Checkpoint | int
    code: str
    direction: str
    temperature: Decimal | None
    client_event_id: uuid.UUID
    device_time: dt.datetime | None = None
    device_decision: str | None = None


@dataclass
class ScanAnswer:
    """What the gate is told; the same for a replayed event as for the first time."""

    event: GateEvent | None
    decision: str
    reason_code: str
    reason: str
    quota_left: int | None
    next_allowed_at: dt.datetime | None
    created: bool = True
    pass_obj: Pass | None = None
    time_zone: str = "Asia/Shanghai"

    def as_dict(self) -> dict[str, Any]:
        """The API's answer; times in the community's zone, the same for every replay."""
        next_at = self.next_allowed_at
        if next_at is not None:
            next_at = next_at.astimezone(pass_policy.zone(self.time_zone))
        return {
            "event_id": self.event.pk if self.event is not None else None,
            "decision": self.decision,
            "reason_code": self.reason_code,
            "reason": self.reason,
            "quota_left": self.quota_left,
            "next_allowed_at": next_at.isoformat() if next_at is not None else None,
        }


#: What a scan reads of a pass (fewer columns, less to convert on the hot path).
SCAN_FIELDS = (
    "id",
    "community_id",
    "household_id",
    "grid_id",
    "person_id",
    "serial",
    "status",
    "suspended_until",
    "out_since",
    "has_exemption",
)


def pass_lookup(code: str) -> tuple[str, str] | None:
    """The column and value a scanned token or typed serial is looked up by; None for a
    code that names no pass (an altered or forged token is refused here, before any
    lookup)."""
    code = (code or "").strip()
    if looks_like_token(code):
        nonce = nonce_of(code)
        return ("nonce", nonce) if nonce is not None else None
    serial = normalise_serial(code)
    return ("serial", serial) if serial is not None else None


def find_pass(
    community: Area, code: str, *, at: dt.datetime | None = None, with_household: bool = False
) -> Pass | None:
    """The pass a scanned token or typed serial names, in this community only (one query;
    an altered or forged token is refused before any lookup)."""
    lookup = pass_lookup(code)
    if lookup is None:
        return None
    queryset = Pass.objects.filter(Q(**{lookup[0]: lookup[1]}), community=community).order_by()
    if with_household:
        queryset = queryset.select_related("household__building")
    else:
        queryset = queryset.only(*SCAN_FIELDS)
    found = list(queryset[:1])
    return found[0] if found else None


@transaction.atomic
def do_review_event(event: GateEvent, *, by: Any) -> GateEvent:
    """The office has looked at a flagged event: it leaves the list for review. Once (a
    second review changes nothing); the change log keeps who reviewed it and when."""
    require(by, GateEvent, "change", event)
    reviewed = GateEvent.objects.filter(pk=event.pk, reviewed_at__isnull=True).update(
        reviewed_at=timezone.now()
    )
    event.refresh_from_db(fields=["flag", "reviewed_at"])
    if reviewed:
        before = {**event.audit_snapshot(), "reviewed_at": None}
        record_change(ChangeAction.UPDATE, event, before=before, actor=by)
    return event
