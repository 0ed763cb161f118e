"""Every state change of the access module: policy, passes, suspensions, scans, visitors.

Atomic, checked against the actor's scope and role, audited (``core.audit``). Views, the API,
the demo and other modules (health suspends a quarantined household's passes) come through
here. Gate events are their own log: a scan writes one row and touches the pass's
``out_since``, nothing else, so a gate stays fast.
"""

from __future__ import annotations

import datetime as dt
import uuid
import weakref
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.access import pass_policy
from fangkong.access.choices import (
    Decision,
    Direction,
    FlagReason,
    PassScope,
    PassStatus,
    ReasonCode,
    VisitorStatus,
)
from fangkong.access.models import (
    Exemption,
    GateEvent,
    Pass,
    PassPolicy,
    Suspension,
    Visitor,
    fever_threshold_of,
)
from fangkong.access.pass_tokens import (
    looks_like_token,
    new_nonce,
    nonce_of,
    normalise_serial,
    serial_for,
)
from fangkong.areas.models import Area
from fangkong.core.audit import record_access, record_change, record_changes
from fangkong.core.choices import AccessKind, ChangeAction
from fangkong.core.db import prepared_cursor
from fangkong.core.exceptions import ConflictError
from fangkong.core.personal_data import decrypt, protect_id_number, protect_phone
from fangkong.core.querysets import covered, require, works_in
from fangkong.core.services import check_version as _check_version
from fangkong.core.validators import validate_phone, validate_temperature
from fangkong.registry.choices import PersonStatus
from fangkong.registry.models import Building, Household, Person
from fangkong.staff.models import Checkpoint

#: An event whose device time is this much older than its arrival was queued offline.
OFFLINE_AFTER = dt.timedelta(seconds=90)
#: A device clock this far ahead of the server's is wrong; the arrival time is used instead.
CLOCK_SKEW = dt.timedelta(minutes=5)

POLICY_FIELDS = ("outings", "window_days", "max_minutes", "visitors_allowed", "pass_scope")


# --- Checks ---------------------------------------------------------------------------------


# --- Policy ---------------------------------------------------------------------------------


def policy_for(community: Area) -> PassPolicy:
    """The community's policy, or the default one (unsaved) if its officer has set none."""
    policy = PassPolicy.objects.filter(community=community).first()
    return policy or PassPolicy(community=community)


def scan_policy(community: Area) -> PassPolicy:
    """The policy's few fields a scan needs, read in one light query at every scan (so a
    change applies from the next one)."""
    row = (PassPolicy.objects.filter(community=community).order_by()
           .values_list("outings", "window_days", "max_minutes", "pass_scope").first())
    if row is None:
        return PassPolicy(community_id=community.pk)
    outings, window_days, max_minutes, pass_scope = row
    return PassPolicy(community_id=community.pk, outings=outings, window_days=window_days,
                      max_minutes=max_minutes, pass_scope=pass_scope)


def rules_for(policy: PassPolicy, community: Area) -> pass_policy.Rules:
    return pass_policy.Rules(
        outings=policy.outings, window_days=policy.window_days, max_minutes=policy.max_minutes,
        fever_threshold=fever_threshold_of(community),
        time_zone=community.time_zone or "Asia/Shanghai",
    )


def _locked_policy(community: Area) -> PassPolicy:
    """The policy row, created with the defaults if missing, locked for this transaction."""
    PassPolicy.objects.get_or_create(community=community)
    return PassPolicy.objects.select_for_update().select_related("community").get(
        community=community
    )


@transaction.atomic
def do_update_policy(
    community: Area, *, by: Any, expected_version: int | None = None, **data: Any
) -> PassPolicy:
    """Change a community's pass policy. It applies from the next scan; the change log keeps
    who changed what and when."""
    require(by, PassPolicy, "change", community)
    existed = PassPolicy.objects.filter(community=community).exists()
    policy = _locked_policy(community)
    _check_version(policy, expected_version)
    before = policy.audit_snapshot() if existed else None
    for key, value in data.items():
        if key in POLICY_FIELDS:
            setattr(policy, key, value)
    policy.full_clean(exclude=["community"])
    policy.version += 1
    policy.save()
    record_change(ChangeAction.UPDATE if existed else ChangeAction.CREATE, policy,
                  before=before, actor=by)
    return policy


# --- Exemptions -----------------------------------------------------------------------------


@transaction.atomic
def do_create_exemption(
    *, household: Household, by: Any, kind: str, document: str, ends_on: dt.date,
    starts_on: dt.date | None = None, person: Person | None = None, notes: str = "",
) -> Exemption:
    require(by, Exemption, "add", household)
    if person is not None and person.household_id != household.pk:
        raise ValidationError({"person": _("Choose a member of this household.")})
    if not (document or "").strip():
        raise ValidationError({"document": _("Say which document was shown.")})
    exemption = Exemption(
        community_id=household.community_id, household=household, person=person, kind=kind,
        document=document.strip(), starts_on=starts_on or timezone.localdate(),
        ends_on=ends_on, notes=notes,
    )
    exemption.full_clean(exclude=["community", "household", "person"])
    exemption.save()
    record_change(ChangeAction.CREATE, exemption, actor=by)
    _flag_exemptions(household.pk)
    return exemption


def _household_has_exemption(household_id: int) -> bool:
    return Exemption.objects.filter(
        household_id=household_id, revoked_at__isnull=True, ends_on__gte=timezone.localdate()
    ).exists()


def _flag_exemptions(household_id: int) -> None:
    """Keep ``Pass.has_exemption`` (which spares ordinary scans a query) up to date."""
    Pass.objects.filter(household_id=household_id).update(
        has_exemption=_household_has_exemption(household_id)
    )


@transaction.atomic
def do_revoke_exemption(exemption: Exemption, *, by: Any) -> Exemption:
    exemption = Exemption.objects.select_for_update().get(pk=exemption.pk)
    require(by, Exemption, "change", exemption)
    if exemption.revoked_at is None:
        before = exemption.audit_snapshot()
        exemption.revoked_at = timezone.now()
        exemption.version += 1
        exemption.save(update_fields=["revoked_at", "version", "updated"])
        record_change(ChangeAction.UPDATE, exemption, before=before, actor=by)
        _flag_exemptions(exemption.household_id)
    return exemption


# --- Passes ---------------------------------------------------------------------------------


def _open_suspensions(household_ids: Iterable[int], at: dt.datetime) -> dict[int, list]:
    """Suspensions in force per household: ``{household_id: [until, ...]}``."""
    found: dict[int, list] = {}
    rows = Suspension.objects.filter(
        household_id__in=list(household_ids), lifted_at__isnull=True
    ).filter(Q(until__isnull=True) | Q(until__gt=at)).values_list("household_id", "until")
    for household_id, until in rows:
        found.setdefault(household_id, []).append(until)
    return found


def _suspension_state(untils: list | None) -> tuple[str, dt.datetime | None]:
    if not untils:
        return PassStatus.ACTIVE, None
    return PassStatus.SUSPENDED, None if None in untils else max(untils)


@dataclass
class IssueResult:
    passes: list[Pass]
    skipped: int


@transaction.atomic
def do_issue_passes(
    *, community: Area, by: Any, building: Building | None = None,
    households: Iterable[Household] | None = None,
) -> IssueResult:
    """Issue passes in bulk: for a building, a list of households, or the whole community.

    One per occupied household (or, by the policy, per active member). Households or members
    that already hold a working pass are skipped. Serials continue the community's sequence.
    """
    require(by, Pass, "add", building if building is not None else community)
    policy = _locked_policy(community)
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
    targets = list(queryset.select_related("building__grid", "building__community").order_by(
        "building__sort_key", "building__number", "unit", "room", "pk"
    ))
    held = Pass.objects.filter(
        household__in=targets, status__in=[PassStatus.ACTIVE, PassStatus.SUSPENDED]
    )
    now = timezone.now()
    suspended = _open_suspensions([h.pk for h in targets], now)
    exempted = set(Exemption.objects.filter(
        household__in=targets, revoked_at__isnull=True, ends_on__gte=timezone.localdate()
    ).values_list("household_id", flat=True))
    new: list[Pass] = []
    skipped = 0
    if policy.pass_scope == PassScope.PERSON:
        have = set(held.values_list("person_id", flat=True))
        members = Person.objects.filter(
            household__in=targets, status=PersonStatus.ACTIVE
        ).order_by("household_id", "pk")
        by_household: dict[int, list[Person]] = {}
        for person in members:
            by_household.setdefault(person.household_id, []).append(person)
        wanted = [(h, p) for h in targets for p in by_household.get(h.pk, [])]
        pairs = [(h, p) for h, p in wanted if p.pk not in have]
        skipped = len(wanted) - len(pairs)
    else:
        have = set(held.values_list("household_id", flat=True))
        pairs = [(h, None) for h in targets if h.pk not in have]
        skipped = len(targets) - len(pairs)
    for household, person in pairs:
        policy.last_serial += 1
        status, until = _suspension_state(suspended.get(household.pk))
        item = Pass(
            community=community, household=household, person=person,
            serial=serial_for(policy.last_serial), status=status, suspended_until=until,
            issued_by=by if getattr(by, "is_authenticated", False) else None,
            has_exemption=household.pk in exempted,
        )
        item.set_nonce(new_nonce())
        new.append(item)
    policy.save(update_fields=["last_serial"])
    created = Pass.objects.bulk_create(new, batch_size=500)
    record_changes(ChangeAction.CREATE, created, actor=by)
    return IssueResult(created, skipped)


def _locked_pass(item: Pass) -> Pass:
    return Pass.objects.select_for_update().select_related("household__building").get(
        pk=item.pk
    )


@transaction.atomic
def do_replace_pass(item: Pass, *, by: Any, reason: str) -> Pass:
    """A lost or damaged pass: the old one stops at once; a new serial and code replace it."""
    old = _locked_pass(item)
    require(by, Pass, "change", old)
    if old.status in (PassStatus.VOID, PassStatus.REPLACED):
        raise ValidationError(_("This pass no longer works; issue a new one instead."))
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give a reason.")})
    policy = _locked_policy(old.community)
    policy.last_serial += 1
    policy.save(update_fields=["last_serial"])
    new = Pass(
        community_id=old.community_id, household=old.household, person=old.person,
        serial=serial_for(policy.last_serial), status=old.status,
        suspended_until=old.suspended_until, out_since=old.out_since,
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
    old.save(update_fields=["status", "replaced_by", "void_reason", "out_since", "version",
                            "updated"])
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


# --- Suspensions ----------------------------------------------------------------------------


def _refresh_household_passes(household: Household, *, by: Any, at: dt.datetime) -> int:
    """Set the household's working passes to what its suspensions in force say."""
    untils = _open_suspensions([household.pk], at).get(household.pk)
    status, until = _suspension_state(untils)
    passes = list(Pass.objects.select_for_update().filter(
        household=household, status__in=[PassStatus.ACTIVE, PassStatus.SUSPENDED]
    ).select_related("household__building"))
    changed, befores = [], {}
    for item in passes:
        if item.status == status and item.suspended_until == until:
            continue
        befores[item.pk] = item.audit_snapshot()
        item.status, item.suspended_until = status, until
        item.version += 1
        changed.append(item)
    if changed:
        Pass.objects.bulk_update(changed, ["status", "suspended_until", "version"])
        record_changes(ChangeAction.UPDATE, changed, befores=befores, actor=by)
    return len(changed)


@transaction.atomic
def do_suspend_household_passes(
    household: Household, *, source: str, reason: str, until: dt.datetime | None, by: Any
) -> Suspension:
    """Suspend every pass of a household, for ``source``'s reason, until a time or lifted.

    The health module calls this when it quarantines a household (``source="health"``);
    the community office with ``source="office"``. A second call by the same source updates
    its suspension (reason, end). The gate shows only "suspended, please contact the
    community", never the reason.
    """
    require(by, Suspension, "add", household)
    source = (source or "").strip()[:30]
    if not source:
        raise ValidationError({"source": _("Say who suspends the passes.")})
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give a reason.")})
    now = timezone.now()
    if until is not None and until <= now:
        raise ValidationError({"until": _("The end of a suspension must be in the future.")})
    actor = by if getattr(by, "is_authenticated", False) else None
    existing = Suspension.objects.select_for_update().filter(
        household=household, source=source, lifted_at__isnull=True
    ).first()
    if existing is not None:
        before = existing.audit_snapshot()
        existing.reason, existing.until = reason.strip()[:300], until
        existing.version += 1
        existing.save(update_fields=["reason", "until", "version", "updated"])
        record_change(ChangeAction.UPDATE, existing, before=before, actor=by)
        suspension = existing
    else:
        suspension = Suspension(
            community_id=household.community_id, household=household, source=source,
            reason=reason.strip()[:300], until=until, created_by=actor,
        )
        try:
            with transaction.atomic():
                suspension.save()
        except IntegrityError:
            raise ConflictError(_("This household was suspended by the same source a moment "
                                  "ago; try again.")) from None
        record_change(ChangeAction.CREATE, suspension, actor=by)
    _refresh_household_passes(household, by=by, at=now)
    return suspension


@transaction.atomic
def do_lift_suspension(household: Household, *, source: str, by: Any) -> Suspension | None:
    """Lift ``source``'s suspension of a household. The passes work again only when no
    suspension of any other source remains. Lifting what is not there does nothing."""
    require(by, Suspension, "change", household)
    suspension = Suspension.objects.select_for_update().filter(
        household=household, source=(source or "").strip(), lifted_at__isnull=True
    ).first()
    now = timezone.now()
    if suspension is not None:
        before = suspension.audit_snapshot()
        suspension.lifted_at = now
        suspension.lifted_by = by if getattr(by, "is_authenticated", False) else None
        suspension.version += 1
        suspension.save(update_fields=["lifted_at", "lifted_by", "version", "updated"])
        record_change(ChangeAction.UPDATE, suspension, before=before, actor=by)
    _refresh_household_passes(household, by=by, at=now)
    return suspension


def lift_expired_suspensions(now: dt.datetime | None = None) -> int:
    """Suspensions whose end has come are lifted, and their passes refreshed (periodic)."""
    now = now or timezone.now()
    lifted = 0
    expired = Suspension.objects.filter(lifted_at__isnull=True, until__lte=now).select_related(
        "household__building"
    )
    for suspension in expired:
        with transaction.atomic():
            row = Suspension.objects.select_for_update().get(pk=suspension.pk)
            if row.lifted_at is not None:
                continue
            before = row.audit_snapshot()
            row.lifted_at = now
            row.version += 1
            row.save(update_fields=["lifted_at", "version", "updated"])
            record_change(ChangeAction.UPDATE, row, before=before, actor=None)
            _refresh_household_passes(suspension.household, by=None, at=now)
            lifted += 1
    return lifted


# --- Scans ----------------------------------------------------------------------------------


#: The neutral reasons the gate shows (translated when shown).
REASON_TEXTS = {
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
        is_open_flag=checkpoint.is_open, opens=checkpoint.opens, closes=checkpoint.closes,
        at=at, time_zone=checkpoint.community.time_zone,
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


def _may_scan_at(user: Any, checkpoint: Checkpoint) -> bool:
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
SCAN_FIELDS = ("id", "community_id", "household_id", "grid_id", "person_id", "serial",
               "status", "suspended_until", "out_since", "has_exemption")


def _pass_lookup(code: str) -> tuple[str, str] | None:
    """The column and value a scanned token or typed serial is looked up by; None for a
    code that names no pass (an altered or forged token is refused here, before any
    lookup)."""
    code = (code or "").strip()
    if looks_like_token(code):
        nonce = nonce_of(code)
        return ("nonce", nonce) if nonce is not None else None
    serial = normalise_serial(code)
    return ("serial", serial) if serial is not None else None


def find_pass(community: Area, code: str, *, at: dt.datetime | None = None,
              with_household: bool = False) -> Pass | None:
    """The pass a scanned token or typed serial names, in this community only (one query;
    an altered or forged token is refused before any lookup)."""
    lookup = _pass_lookup(code)
    if lookup is None:
        return None
    queryset = Pass.objects.filter(Q(**{lookup[0]: lookup[1]}), community=community).order_by()
    if with_household:
        queryset = queryset.select_related("household__building")
    else:
        queryset = queryset.only(*SCAN_FIELDS)
    found = list(queryset[:1])
    return found[0] if found else None


# --- The scan's one read --------------------------------------------------------------------
# A scan is the busiest request there is (hundreds a day at every gate, in bursts), and the
# ORM's cost of building its queries was most of a scan's time. So the gate, its community,
# the community's policy, the pass and the household's recent exits come in one statement,
# written once per process (plain SQL that SQLite and PostgreSQL both run), and its values
# are converted by the fields' own database converters, as the ORM would.

#: What the read takes of each model (any order: it is put in the models' field order).
_GATE_READ = (
    (Checkpoint, "cp", ("id", "community_id", "is_open", "opens", "closes")),
    (Area, "a", ("id", "path", "time_zone", "fever_threshold")),
    (PassPolicy, "pol", ("id", "community_id", "outings", "window_days", "max_minutes",
                         "pass_scope")),
    (Pass, "p", SCAN_FIELDS),
)
#: Exits older than this are never in a window (at most 31 calendar days, in any zone).
_EXITS_REACH = dt.timedelta(days=33)


@cache
def _gate_read_columns() -> tuple[tuple[type, str, tuple[Any, ...]], ...]:
    return tuple(
        (model, alias, tuple(f for f in model._meta.concrete_fields if f.attname in names))
        for model, alias, names in _GATE_READ
    )


@cache
def _gate_read_sql(vendor: str, lookup: str) -> str:
    """The read, for a pass looked up by ``lookup`` (nonce or serial). Parameters: the exit
    direction, the exits' first and last time, the pass's nonce or serial, the gate's id."""
    qn = connection.ops.quote_name
    columns = ", ".join(f"{alias}.{qn(f.column)}" for _model, alias, fields in
                        _gate_read_columns() for f in fields)
    if vendor == "postgresql":
        # UTC ISO 8601 text whatever the server's DateStyle (SQLite stores it so already).
        exits = """STRING_AGG(to_char(e."time" AT TIME ZONE 'UTC',
                                      'YYYY-MM-DD"T"HH24:MI:SS.US'), ',')"""
    else:
        exits = """GROUP_CONCAT(e."time", ',')"""
    return f"""
        SELECT {columns},
               (SELECT {exits} FROM access_gateevent e
                 WHERE e.household_id = p.household_id AND e.direction = %s AND e.passed
                   AND e."time" >= %s AND e."time" <= %s)
          FROM staff_checkpoint cp
         INNER JOIN areas_area a ON a.id = cp.community_id
          LEFT JOIN access_passpolicy pol ON pol.community_id = cp.community_id
          LEFT JOIN access_pass p ON p.community_id = cp.community_id AND p.{lookup} = %s
         WHERE cp.id = %s"""  # noqa: S608 (names from this module only; values are parameters)


#: Per connection (they may depend on its settings): for each model of the read, the fields'
#: attnames and, per field, the converters the ORM would apply to its column.
_readers: weakref.WeakKeyDictionary[Any, tuple[Any, ...]] = weakref.WeakKeyDictionary()


def _row_readers(db: Any) -> tuple[Any, ...]:
    if db not in _readers:
        readers = []
        for model, _alias, fields in _gate_read_columns():
            converters = []
            for field in fields:
                col = field.get_col(model._meta.db_table)
                converters.append([(c, col) for c in (
                    db.ops.get_db_converters(col) + col.get_db_converters(db))])
            readers.append((model, [f.attname for f in fields], converters))
        _readers[db] = tuple(readers)
    return _readers[db]


def _from_row(db: Any, model: type, attnames: list[str], converters: list[Any],
              values: tuple[Any, ...]) -> Any:
    """A model instance from the read's values, converted as the ORM converts them; the
    fields not read are deferred (loaded if ever asked for), as with ``only()``."""
    converted = list(values)
    for i, column in enumerate(converters):
        for converter, col in column:
            converted[i] = converter(converted[i], col, db)
    return model.from_db(db.alias, attnames, converted)


def _utc_times(text: str | None) -> tuple[dt.datetime, ...]:
    """The read's exit times (comma-separated UTC ISO text) as aware datetimes."""
    if not text:
        return ()
    return tuple(dt.datetime.fromisoformat(t).replace(tzinfo=dt.UTC) for t in text.split(","))


def _read_gate(checkpoint: Checkpoint | int, code: str,
               at: dt.datetime) -> tuple[Checkpoint | None, Pass | None]:
    """The gate (with its ``community`` and ``scan_policy``) and the pass the code names in
    its community (with ``recent_exits``: ``at`` and the household's allowed exits in the
    33 days before it), in one statement. (None, None) when there is no such gate."""
    db = connections[DEFAULT_DB_ALIAS]
    pk = checkpoint if isinstance(checkpoint, int) else checkpoint.pk
    lookup = _pass_lookup(code) or ("nonce", None)  # NULL matches no pass
    adapt = db.ops.adapt_datetimefield_value
    with prepared_cursor() as cursor:  # planned once per connection (PostgreSQL)
        cursor.execute(_gate_read_sql(db.vendor, lookup[0]), [
            Direction.OUT.value, adapt(at - _EXITS_REACH), adapt(at), lookup[1], pk])
        row = cursor.fetchone()
    if row is None:
        return None, None
    found, start = [], 0
    for model, attnames, converters in _row_readers(db):
        values = row[start:start + len(attnames)]
        start += len(attnames)
        # A LEFT JOIN that found nothing (no policy row, no such pass) gives a NULL id.
        found.append(_from_row(db, model, attnames, converters, values)
                     if values[0] is not None else None)
    gate, community, policy, item = found
    gate.community = community
    gate.scan_policy = policy or PassPolicy(community_id=gate.community_id)
    if item is not None:
        item.recent_exits = (at, _utc_times(row[start]))
    return gate, item


def _exempt(item: Pass, day: dt.date) -> bool:
    """Whether an exemption covers the pass's holder today. Asked only of passes flagged as
    having one, so an ordinary scan costs no query here."""
    if not item.has_exemption:
        return False
    return Exemption.objects.filter(
        household_id=item.household_id, revoked_at__isnull=True, starts_on__lte=day,
        ends_on__gte=day,
    ).filter(Q(person__isnull=True) | Q(person_id=item.person_id)).exists()


def _first_out(item: Pass, policy: PassPolicy) -> dt.datetime | None:
    """When the household's longest outing in progress began. With one pass per household
    that is this pass's own; with passes per person, any member's."""
    if policy.pass_scope != PassScope.PERSON:
        return item.out_since
    return (Pass.objects.filter(household_id=item.household_id, out_since__isnull=False)
            .order_by("out_since").values_list("out_since", flat=True).first())


def _exit_times(item: Pass, policy: PassPolicy, rules: pass_policy.Rules,
                at: dt.datetime) -> tuple[dt.datetime, ...]:
    first_day = pass_policy.local_day(at, rules.time_zone) - dt.timedelta(
        days=rules.window_days - 1
    )
    since = pass_policy.day_start(first_day, rules.time_zone)
    person = policy.pass_scope == PassScope.PERSON and item.person_id
    # The household's exits, read with the pass for this very scan (``_read_gate``).
    read_at, recent = getattr(item, "recent_exits", (None, ()))
    if read_at == at and not person and since >= at - _EXITS_REACH:
        return tuple(t for t in recent if since <= t <= at)
    events = GateEvent.objects.filter(
        direction=Direction.OUT, passed=True, time__gte=since, time__lte=at
    )
    if person:
        events = events.filter(pass_obj__person_id=item.person_id, household=item.household_id)
    else:
        events = events.filter(household=item.household_id)
    return tuple(events.values_list("time", flat=True))


def _status_at(item: Pass, at: dt.datetime, offline: bool) -> tuple[str, dt.datetime | None]:
    """The pass's status for the rules. For an event that happened offline a while ago, a
    suspension counts only if it was in force then (a later one was unknowable, and no rule
    was broken)."""
    if not offline or item.status not in (PassStatus.ACTIVE, PassStatus.SUSPENDED):
        return item.status, item.suspended_until
    in_force = Suspension.objects.filter(household=item.household_id, created__lte=at).filter(
        Q(lifted_at__isnull=True) | Q(lifted_at__gt=at)
    ).filter(Q(until__isnull=True) | Q(until__gt=at)).values_list("until", flat=True)
    return _suspension_state(list(in_force))


def evaluate(
    checkpoint: Checkpoint, code: str, direction: str, temperature: Decimal | None,
    at: dt.datetime, *, offline: bool = False, policy: PassPolicy | None = None,
    with_household: bool = False,
) -> tuple[Pass | None, pass_policy.Outcome]:
    """The decision for a scan, without recording anything (the scanner's preview)."""
    item = find_pass(checkpoint.community, code, with_household=with_household)
    return item, _outcome(checkpoint, item, direction, temperature, at, offline=offline,
                          policy=policy)


def _outcome(
    checkpoint: Checkpoint, item: Pass | None, direction: str, temperature: Decimal | None,
    at: dt.datetime, *, offline: bool = False, policy: PassPolicy | None = None,
) -> pass_policy.Outcome:
    """The decision for the pass ``item`` (None: no such pass here) at this gate."""
    community = checkpoint.community
    policy = policy or getattr(checkpoint, "scan_policy", None) or scan_policy(community)
    rules = rules_for(policy, community)
    gate_open = gate_is_open(checkpoint, at)
    if item is None:
        return pass_policy.decide(pass_policy.Facts(
            direction=direction, at=at, rules=rules, pass_status=None, gate_open=gate_open,
        ))
    status, until = _status_at(item, at, offline)
    working = status not in (PassStatus.VOID, PassStatus.REPLACED)
    exempt = working and _exempt(item, pass_policy.local_day(at, rules.time_zone))
    first_out = _first_out(item, policy) if working and direction == Direction.OUT else None
    facts = pass_policy.Facts(
        direction=direction, at=at, rules=rules, pass_status=status, suspended_until=until,
        gate_open=gate_open, temperature=temperature,
        exits=_exit_times(item, policy, rules, at) if working else (),
        out_since=item.out_since,
        household_overdue=(
            not exempt and pass_policy.is_overdue(first_out, at, rules.max_minutes)
        ),
        exempt=exempt,
    )
    return pass_policy.decide(facts)


def _answer(event: GateEvent, community: Area, *, created: bool,
            item: Pass | None = None) -> ScanAnswer:
    return ScanAnswer(
        event=event, decision=event.decision, reason_code=event.reason_code,
        reason=reason_text(event.reason_code, event.next_allowed_at, community),
        quota_left=event.quota_left, next_allowed_at=event.next_allowed_at, created=created,
        pass_obj=item, time_zone=community.time_zone,
    )


def _event_time(device_time: dt.datetime | None, received: dt.datetime) -> tuple[dt.datetime,
                                                                                  bool]:
    """When the event happened, and whether it was queued offline."""
    if device_time is None or device_time > received + CLOCK_SKEW:
        return received, False
    if received - device_time > OFFLINE_AFTER:
        return device_time, True
    return received, False


def _in_transaction(direction: str) -> bool:
    """Whether a scan decides and records in a transaction of its own: the decision and its
    event are one step per household, so two gates can never both spend a household's last
    outing.

    On SQLite, one IMMEDIATE transaction from the first read to the insert: scans are
    serialised, and it costs no round trip. On PostgreSQL an exit runs in a transaction that
    first takes the household's lock (``_lock_household``), then reads and writes: another
    gate's exit of the same household waits for this one's commit, and its read (a new
    statement, so a new snapshot under READ COMMITTED) sees the outing just spent. BEGIN, the
    lock and COMMIT cost three short round trips (about 0.1 ms). An entry spends nothing, so
    it takes no lock and no transaction: its read runs on its own, its write is one statement.
    """
    return connection.vendor == "sqlite" or direction == Direction.OUT


@cache
def _household_lock_sql(lookup: str) -> str:
    """Lock the household of the pass a code names (nonce or serial), in the gate's
    community, until the transaction ends. Parameters: the gate's id, the nonce or serial."""
    return f"""
        SELECT pg_advisory_xact_lock(p.household_id)
          FROM access_pass p
         INNER JOIN staff_checkpoint cp ON cp.community_id = p.community_id
         WHERE cp.id = %s AND p.{lookup} = %s"""  # noqa: S608 (lookup: nonce or serial)


def _lock_household(checkpoint: Checkpoint | int, code: str) -> None:
    """PostgreSQL: take the transaction-level advisory lock keyed by the household's id
    (the only advisory locks fangkong takes), before the scan's read. A code that names no
    pass here locks nothing: there is no quota to spend."""
    db = connections[DEFAULT_DB_ALIAS]
    lookup = _pass_lookup(code)
    if db.vendor != "postgresql" or lookup is None:
        return
    pk = checkpoint if isinstance(checkpoint, int) else checkpoint.pk
    with prepared_cursor() as cursor:  # planned once per connection
        cursor.execute(_household_lock_sql(lookup[0]), [pk, lookup[1]])


@cache
def _event_insert(vendor: str, moving: bool, relaxed: bool) -> tuple[str, tuple[Any, ...]]:
    """The gate event's INSERT (every column but the id, which it returns first), and its
    fields. On PostgreSQL a moving pass's ``out_since`` is set by the same statement
    (parameters first: the new ``out_since`` and the pass's id), and a ``relaxed`` one sets
    ``synchronous_commit`` off for its own transaction (``set_config(..., true)``, read
    in RETURNING so that it runs before the commit)."""
    qn = connection.ops.quote_name
    fields = tuple(f for f in GateEvent._meta.local_concrete_fields if not f.primary_key)
    columns = ", ".join(qn(f.column) for f in fields)
    values = ", ".join(["%s"] * len(fields))
    ctes, returning = [], "id"
    if moving and vendor == "postgresql":
        ctes.append("moved AS (UPDATE access_pass SET out_since = %s WHERE id = %s)")
    if relaxed and vendor == "postgresql":
        ctes.append("relaxed AS (SELECT set_config('synchronous_commit', 'off', true) AS v)")
        returning = "id, (SELECT v FROM relaxed)"
    with_clause = f"WITH {', '.join(ctes)} " if ctes else ""
    sql = (f"{with_clause}INSERT INTO access_gateevent ({columns}) VALUES ({values}) "  # noqa: S608
           f"RETURNING {returning}")
    return sql, fields


def _write_scan(event: GateEvent, moved: Pass | None, out_since: dt.datetime | None, *,
                may_relax: bool) -> None:
    """Insert the event as ``event.save(force_insert=True)`` would (each field prepared by
    the field itself, ``auto_now`` included) and, if the pass ``moved``, set its
    ``out_since``: all or nothing. A duplicate ``client_event_id`` raises IntegrityError.

    From a statement written once per process: on PostgreSQL one statement, so one round
    trip and one commit; on SQLite two, inside the scan's transaction. Gate events have no
    signal receivers and are written here only.

    With ``FANGKONG_GATE_ASYNC_COMMIT`` on (PostgreSQL, off by default) the statement also
    sets ``synchronous_commit`` off for its own transaction (the scan's, ``may_relax``): it
    commits without waiting for its WAL to reach the disk (see docs/configuration.md).
    Inside a caller's transaction it never does: that transaction's durability is the
    caller's.
    """
    db = connections[DEFAULT_DB_ALIAS]
    postgres = db.vendor == "postgresql"
    relaxed = postgres and settings.GATE_ASYNC_COMMIT and may_relax
    sql, fields = _event_insert(db.vendor, moved is not None, relaxed)
    values = [f.get_db_prep_save(f.pre_save(event, True), db) for f in fields]
    if moved is not None and postgres:
        prep = Pass._meta.get_field("out_since").get_db_prep_save(out_since, db)
        values = [prep, moved.pk, *values]
    two_statements = moved is not None and not postgres
    with (transaction.atomic() if two_statements and not db.in_atomic_block
          else nullcontext()), prepared_cursor() as cursor:
        cursor.execute(sql, values)
        event.pk = cursor.fetchone()[0]
        if two_statements:
            Pass.objects.filter(pk=moved.pk).update(out_since=out_since)
    event._state.adding, event._state.db = False, db.alias
    if moved is not None:
        moved.out_since = out_since


def record_scan(request: ScanRequest, *, by: Any) -> ScanAnswer:
    """Decide and record one scan. The same ``client_event_id`` again at the same gate
    returns the first answer and records nothing (a unique constraint settles concurrent
    replays); at another gate it is a ``ConflictError``.

    One read (``_read_gate``) and one write (``_write_scan``): the event, and the pass's
    ``out_since`` when the movement changes it. On PostgreSQL an exit first locks its
    household (``_in_transaction``).
    """
    # No look-up first: a replay is rare (an offline queue sent again), and the unique
    # constraint on client_event_id recognises it at the insert, concurrent replays included.
    caller_transaction = connection.in_atomic_block
    try:
        atomic = _in_transaction(request.direction)
        with transaction.atomic() if atomic else nullcontext():
            if atomic:
                _lock_household(request.checkpoint, request.code)  # PostgreSQL's exits
            # The time is taken once the household is this scan's (SQLite's transaction, or
            # the lock): a scan that waited for another gate's exit comes after it, so the
            # exits it counts (up to its own time) include that one.
            received = timezone.now()
            at, offline = _event_time(request.device_time, received)
            checkpoint, item = _read_gate(request.checkpoint, request.code, at)
            if checkpoint is None or (
                isinstance(request.checkpoint, int) and not _may_scan_at(by, checkpoint)
            ):
                raise Http404  # a gate out of the caller's scope is not found either
            community = checkpoint.community
            require(by, GateEvent, "add", community)
            outcome = _outcome(checkpoint, item, request.direction, request.temperature, at,
                               offline=offline)
            passed = outcome.allowed
            flag = outcome.flags[0] if outcome.flags else ""
            if offline and request.device_decision == Decision.ALLOW and not outcome.allowed:
                # The phone let them through on what it knew; the office reviews it.
                passed, flag = True, FlagReason.OFFLINE_RULE
            event = GateEvent(
                community=community, checkpoint=checkpoint, pass_obj=item,
                household_id=item.household_id if item else None,
                # The pass's copy of its household's grid (core.placement): no extra read.
                grid_id=item.grid_id if item else None,
                direction=request.direction, decision=outcome.decision,
                reason_code=outcome.reason_code, passed=passed,
                temperature=request.temperature, quota_left=outcome.quota_left,
                next_allowed_at=outcome.next_allowed_at,
                client_event_id=request.client_event_id, time=at,
                device_time=request.device_time, received_at=received, offline=offline,
                recorded_by=by if getattr(by, "is_authenticated", False) else None, flag=flag,
            )
            value = at if request.direction == Direction.OUT else None
            moves = passed and item is not None and _moves(item, value, at, offline)
            # In a caller's transaction, a savepoint: a replay's unique violation then
            # rolls back the scan only (the scan's own transaction, if any, rolls back whole:
            # in a caller's transaction it is that savepoint).
            with transaction.atomic() if caller_transaction and not atomic else nullcontext():
                _write_scan(event, item if moves else None, value,
                            may_relax=not caller_transaction)
    except IntegrityError as error:
        # Sent before: the unique constraint refused the copy (and everything it would
        # have changed with it). Answer as the first time.
        try:
            existing = GateEvent.objects.get(client_event_id=request.client_event_id)
        except GateEvent.DoesNotExist:
            raise error from None  # another constraint: not a replay
        if existing.checkpoint_id != checkpoint.pk:
            # Not a replay: the id is taken at another gate, perhaps another community's.
            # Say only that (409), never that event's id, decision or community.
            raise ConflictError(_("This event id was already used at another gate: the "
                                  "scanner must make a new one.")) from None
        return _replayed(existing, community)
    return _answer(event, community, created=True, item=item)


def _replayed(event: GateEvent, community: Area) -> ScanAnswer:
    return _answer(event, community, created=False)


def _moves(item: Pass, value: dt.datetime | None, at: dt.datetime, offline: bool) -> bool:
    """Whether a movement sets the pass's ``out_since`` (who is out now) to ``value``: not
    when it says so already, and a late offline event never overrides a newer movement
    already recorded."""
    if value == item.out_since:
        return False
    return not (offline and GateEvent.objects.filter(pass_obj=item, passed=True,
                                                     time__gt=at).exists())


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


# --- Visitors -------------------------------------------------------------------------------


@transaction.atomic
def do_register_visitor(
    *, checkpoint: Checkpoint, household: Household, by: Any, name: str, purpose: str,
    temperature: Any, phone: str = "", id_number: str = "", plate: str = "",
) -> Visitor:
    """Register a visitor at the gate. Refused when the community's policy admits none."""
    require(by, Visitor, "add", household)
    if household.community_id != checkpoint.community_id:
        raise ValidationError({"household": _("Choose a household of this gate's community.")})
    if not policy_for(checkpoint.community).visitors_allowed:
        raise ValidationError(_("The community admits no visitors for now."))
    errors: dict[str, list[str]] = {}
    if not (name or "").strip():
        errors["name"] = [_("Enter the visitor's name.")]
    if not (purpose or "").strip():
        errors["purpose"] = [_("Say why they visit.")]
    try:
        value = validate_temperature(temperature)
    except ValidationError as exc:
        errors["temperature"] = exc.messages
    protected_phone = None
    if phone:
        try:
            protected_phone = protect_phone(validate_phone(phone))
        except ValidationError as exc:
            errors["phone"] = exc.messages
    if errors:
        raise ValidationError(errors)
    visitor = Visitor(
        community_id=household.community_id, checkpoint=checkpoint, household=household,
        name=name.strip(), purpose=purpose.strip(), plate=(plate or "").strip().upper(),
        temperature=value, recorded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    if protected_phone is not None:
        visitor.set_phone(protected_phone)
    if id_number:
        visitor.set_id_number(protect_id_number(id_number.strip()))
    visitor.save()
    record_change(ChangeAction.CREATE, visitor, actor=by)
    return visitor


def _change_visitor(visitor: Visitor, by: Any, **values: Any) -> Visitor:
    visitor = Visitor.objects.select_for_update().select_related("household__building").get(
        pk=visitor.pk
    )
    require(by, Visitor, "change", visitor)
    before = visitor.audit_snapshot()
    for key, value in values.items():
        setattr(visitor, key, value)
    visitor.version += 1
    visitor.save(update_fields=[*values, "version", "updated"])
    record_change(ChangeAction.UPDATE, visitor, before=before, actor=by)
    return visitor


@transaction.atomic
def do_confirm_visitor(visitor: Visitor, *, by: Any, confirmed_by: str) -> Visitor:
    """The household confirmed the visit on the phone: record who did."""
    if not (confirmed_by or "").strip():
        raise ValidationError({"confirmed_by": _("Who in the household confirmed?")})
    return _change_visitor(visitor, by, status=VisitorStatus.CONFIRMED,
                           confirmed_by=confirmed_by.strip()[:100], refusal_reason="")


@transaction.atomic
def do_refuse_visitor(visitor: Visitor, *, by: Any, reason: str) -> Visitor:
    """The household declined, or nobody answered: the visitor is not let in."""
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give a reason.")})
    return _change_visitor(visitor, by, status=VisitorStatus.REFUSED,
                           refusal_reason=reason.strip()[:200], time_out=timezone.now())


@transaction.atomic
def do_visitor_leaves(visitor: Visitor, *, by: Any) -> Visitor:
    if visitor.time_out is not None:
        return visitor
    return _change_visitor(visitor, by, status=VisitorStatus.LEFT, time_out=timezone.now())


def household_phone(household: Household) -> str:
    """The number the gate calls: the household's landline, else the head's, else a member's."""
    if household.phone_cipher:
        return decrypt(household.phone_cipher)
    members = Person.objects.filter(household=household, status=PersonStatus.ACTIVE).exclude(
        phone_cipher=""
    ).order_by("pk")
    head = next((m for m in members if m.pk == household.head_id), None)
    chosen = head or next(iter(members), None)
    return decrypt(chosen.phone_cipher) if chosen is not None else ""


def call_household_for_visitor(visitor: Visitor, *, by: Any) -> str:
    """The logged call route: the number is handed to the phone's dialler, and the call is an
    access event (who, when, which household — never the number)."""
    require(by, Visitor, "change", visitor)
    number = household_phone(visitor.household)
    if not number:
        raise ValidationError(_("This household has no phone on record; ask the community "
                                "office."))
    record_access(
        AccessKind.CALL, actor=by, area_path=visitor.area_path(), obj=visitor.household,
        reason=_("Visitor %(name)s at the gate") % {"name": visitor.name},
        detail={"visitor": visitor.pk},
    )
    return number
