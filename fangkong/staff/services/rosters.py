"""Checkpoints, shifts, who is on them, swaps, and check-in and check-out.

Rules every path keeps (pages, API, demo):

* one person is never on two shifts that overlap in time (the person's row is locked while
  an assignment is checked, so two officers assigning at once cannot both succeed);
* a swap is refused when the person taking over is already on duty then;
* a person checks in and out themself, only from ``CHECKIN_WINDOW`` before the shift starts
  until it ends (check-in) or ``CHECKIN_WINDOW`` after it ends (check-out), and never out
  before in.

The shift's owner — the community officer (``staff.shift`` change) or the leader of the team
that staffs it — assigns people and decides swaps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.areas.models import Area
from fangkong.core.audit import record_change
from fangkong.core.choices import ChangeAction
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.services import check_version, locked, save_checked
from fangkong.staff.choices import SwapStatus
from fangkong.staff.duty_hours import zone_of
from fangkong.staff.models import Checkpoint, Shift, ShiftAssignment, StaffMember, SwapRequest
from fangkong.staff.services.checks import (
    clean_constraints,
    require_community,
    require_in_area,
    require_visible,
)

if TYPE_CHECKING:
    from fangkong.accounts.models import User

#: How long before a shift a person may check in, and after it check out. A module constant
#: with a setting to override it: the window is a site policy, not a per-shift choice.
CHECKIN_WINDOW = dt.timedelta(minutes=getattr(settings, "STAFF_CHECKIN_WINDOW_MINUTES", 30))
#: The longest shift accepted: anything longer is a typing mistake (a wrong date).
MAX_SHIFT = dt.timedelta(hours=24)
#: The right that lets a person check in and out (accounts.roles: "staff.checkin").
CHECKIN_RIGHT = ("staff.checkin", "add")


def _local(value: dt.datetime, community: Area) -> str:
    return f"{timezone.localtime(value, zone_of(community)):%m-%d %H:%M}"


# --- Checkpoints ----------------------------------------------------------------------------

CHECKPOINT_FIELDS = ("name", "location", "opens", "closes", "is_open", "notes")


def _validate_checkpoint(checkpoint: Checkpoint) -> None:
    checkpoint.name = (checkpoint.name or "").strip()
    if not checkpoint.name:
        raise ValidationError({"name": _("Give the checkpoint a name.")})
    if (checkpoint.opens is None) != (checkpoint.closes is None):
        raise ValidationError(
            {
                "closes": _(
                    "Give both opening and closing times, or neither "
                    "for a gate open round the clock."
                )
            }
        )
    clean_constraints(checkpoint, exclude=["community"])


@transaction.atomic
def do_create_checkpoint(
    *,
    community: Area,
    by: User | None,
    name: str,
    location: str = "",
    opens: dt.time | None = None,
    closes: dt.time | None = None,
    is_open: bool = True,
    notes: str = "",
) -> Checkpoint:
    require_community(community)
    require_in_area(by, Checkpoint, "add", community)
    checkpoint = Checkpoint(
        community=community,
        name=name,
        location=location or "",
        opens=opens,
        closes=closes,
        is_open=is_open,
        notes=notes or "",
    )
    _validate_checkpoint(checkpoint)
    save_checked(checkpoint)
    record_change(ChangeAction.CREATE, checkpoint, actor=by)
    return checkpoint


@transaction.atomic
def do_update_checkpoint(
    checkpoint: Checkpoint, *, by: User, expected_version: int | None = None, **data: Any
) -> Checkpoint:
    checkpoint = locked(Checkpoint, checkpoint.pk)
    require_visible(by, checkpoint, "change")
    check_version(checkpoint, expected_version)
    before = checkpoint.audit_snapshot()
    for key, value in data.items():
        if key in CHECKPOINT_FIELDS:
            setattr(checkpoint, key, value)
    _validate_checkpoint(checkpoint)
    checkpoint.version += 1
    save_checked(checkpoint)
    record_change(ChangeAction.UPDATE, checkpoint, before=before, actor=by)
    return checkpoint


# --- Shifts ---------------------------------------------------------------------------------

SHIFT_FIELDS = ("checkpoint", "place_name", "start", "end", "people_needed", "team", "notes")


def _validate_shift(shift: Shift) -> None:
    shift.place_name = (shift.place_name or "").strip()
    errors: dict[str, str] = {}
    if shift.checkpoint is not None and shift.checkpoint.community_id != shift.community_id:
        errors["checkpoint"] = _("Choose a checkpoint of this community.")
    if shift.checkpoint_id is None and not shift.place_name:
        errors["place_name"] = _("Choose a checkpoint or name the place.")
    if shift.team is not None and shift.team.community_id != shift.community_id:
        errors["team"] = _("Choose a team of this community.")
    if shift.start is None or shift.end is None:
        errors["start"] = _("Give the start and end of the shift.")
    elif timezone.is_naive(shift.start) or timezone.is_naive(shift.end):
        errors["start"] = _("Shift times need a time zone.")
    elif shift.end <= shift.start:
        errors["end"] = _("A shift must end after it starts.")
    elif shift.end - shift.start > MAX_SHIFT:
        errors["end"] = _("A shift lasts at most 24 hours; check the dates.")
    if not shift.people_needed or shift.people_needed < 1:
        errors["people_needed"] = _("A shift needs at least one person.")
    if errors:
        raise ValidationError(errors)
    clean_constraints(shift, exclude=["community", "checkpoint", "team"])


def _require_owner(by: User, shift: Shift) -> None:
    """The shift's owner: whoever may change shifts in its area, or its team's leader."""
    if by is None:
        return
    require_visible(by, shift, "view")
    if shift.team is not None and shift.team.is_led_by(by):
        return
    if not by.has_action(Shift, "change"):
        raise PermissionDeniedError("change")


@transaction.atomic
def do_create_shift(
    *,
    community: Area,
    by: User,
    start: dt.datetime,
    end: dt.datetime,
    checkpoint: Checkpoint | None = None,
    place_name: str = "",
    people_needed: int = 1,
    team: Any = None,
    notes: str = "",
) -> Shift:
    require_community(community)
    require_in_area(by, Shift, "add", community)
    shift = Shift(
        community=community,
        checkpoint=checkpoint,
        place_name=place_name or "",
        start=start,
        end=end,
        people_needed=people_needed,
        team=team,
        notes=notes or "",
    )
    _validate_shift(shift)
    save_checked(shift)
    record_change(ChangeAction.CREATE, shift, actor=by)
    return shift


@transaction.atomic
def do_update_shift(
    shift: Shift, *, by: User, expected_version: int | None = None, **data: Any
) -> Shift:
    """Change a shift. New times are checked against every assigned person's other shifts."""
    shift = locked(Shift, shift.pk)
    require_visible(by, shift, "change")
    check_version(shift, expected_version)
    before = shift.audit_snapshot()
    for key, value in data.items():
        if key in SHIFT_FIELDS:
            setattr(shift, key, value)
    _validate_shift(shift)
    for assignment in shift.assignments.select_related("member"):
        _refuse_clash(
            assignment.member, shift.start, shift.end, exclude=[shift.pk], community=shift.community
        )
    shift.version += 1
    save_checked(shift)
    record_change(ChangeAction.UPDATE, shift, before=before, actor=by)
    return shift


# --- Assignments ----------------------------------------------------------------------------


def clashing_assignment(
    member: StaffMember, start: dt.datetime, end: dt.datetime, exclude: Iterable[int] = ()
) -> ShiftAssignment | None:
    """The member's assignment on a shift overlapping [start, end), if any."""
    return (
        ShiftAssignment.objects.filter(member=member, shift__start__lt=end, shift__end__gt=start)
        .exclude(shift_id__in=list(exclude))
        .select_related("shift__checkpoint")
        .first()
    )


def _refuse_clash(
    member: StaffMember,
    start: dt.datetime,
    end: dt.datetime,
    *,
    exclude: Iterable[int],
    community: Area,
    field: str = "member",
) -> None:
    clash = clashing_assignment(member, start, end, exclude)
    if clash is not None:
        other = clash.shift
        raise ValidationError(
            {
                field: _("%(name)s is already on duty then: %(place)s, %(start)s to %(end)s.")
                % {
                    "name": member,
                    "place": other.place,
                    "start": _local(other.start, community),
                    "end": _local(other.end, community),
                }
            }
        )


def _validate_member_for(shift: Shift, member: StaffMember, field: str = "member") -> None:
    if member.community_id != shift.community_id:
        raise ValidationError({field: _("Choose a staff member of this community.")})
    if not member.is_active:
        raise ValidationError({field: _("%(name)s is no longer active.") % {"name": member}})


@transaction.atomic
def do_assign_shift(shift: Shift, *, member: StaffMember, by: User) -> ShiftAssignment:
    """Put a person on a shift, unless they are already on duty at an overlapping time."""
    shift = locked(Shift, shift.pk)
    _require_owner(by, shift)
    # Locking the person serialises every assignment of theirs: the overlap check below
    # cannot be raced by an officer assigning them elsewhere at the same moment.
    member = locked(StaffMember, member.pk)
    _validate_member_for(shift, member)
    if shift.assignments.filter(member=member).exists():
        raise ValidationError(
            {"member": _("%(name)s is already on this shift.") % {"name": member}}
        )
    _refuse_clash(member, shift.start, shift.end, exclude=[], community=shift.community)
    assignment = ShiftAssignment(community_id=shift.community_id, shift=shift, member=member)
    save_checked(assignment)
    record_change(ChangeAction.CREATE, assignment, actor=by)
    return assignment


@transaction.atomic
def do_unassign_shift(assignment: ShiftAssignment, *, by: User) -> None:
    """Take a person off a shift (not once they have checked in: that is history)."""
    assignment = locked(ShiftAssignment, assignment.pk)
    _require_owner(by, assignment.shift)
    if assignment.checked_in_at is not None:
        raise ValidationError(
            _("%(name)s has checked in to this shift; they can no longer be taken off it.")
            % {"name": assignment.member}
        )
    before = assignment.audit_snapshot()
    record_change(ChangeAction.DELETE, assignment, before=before, actor=by)
    assignment.delete()


@transaction.atomic
def do_move_assignment(
    assignment: ShiftAssignment, *, to_shift: Shift, by: User
) -> ShiftAssignment:
    """Move a person from their shift to another one (typically a shift short of people)."""
    assignment = locked(ShiftAssignment, assignment.pk)
    to_shift = locked(Shift, to_shift.pk)
    _require_owner(by, assignment.shift)
    _require_owner(by, to_shift)
    member = locked(StaffMember, assignment.member_id)
    if assignment.shift_id == to_shift.pk:
        raise ValidationError({"assignment": _("This person is already on this shift.")})
    if assignment.checked_in_at is not None:
        raise ValidationError(
            {
                "assignment": _(
                    "%(name)s has checked in to their shift; they cannot be moved from it."
                )
                % {"name": member}
            }
        )
    _validate_member_for(to_shift, member, "assignment")
    if to_shift.assignments.filter(member=member).exists():
        raise ValidationError(
            {"assignment": _("%(name)s is already on this shift.") % {"name": member}}
        )
    _refuse_clash(
        member,
        to_shift.start,
        to_shift.end,
        exclude=[assignment.shift_id],
        community=to_shift.community,
        field="assignment",
    )
    before = assignment.audit_snapshot()
    assignment.shift = to_shift
    assignment.version += 1
    save_checked(assignment)
    record_change(ChangeAction.UPDATE, assignment, before=before, actor=by)
    return assignment


# --- Swaps ----------------------------------------------------------------------------------


def _validate_swap(swap: SwapRequest) -> None:
    """Both sides of the swap still hold and nobody ends up on duty twice at once."""
    shift, giver, taker = swap.shift, swap.from_member, swap.to_member
    community = shift.community
    if giver.pk == taker.pk:
        raise ValidationError({"to_member": _("A swap needs two different people.")})
    _validate_member_for(shift, taker, "to_member")
    if not shift.assignments.filter(member=giver).exists():
        raise ValidationError({"shift": _("%(name)s is not on this shift.") % {"name": giver}})
    if shift.assignments.filter(member=taker).exists():
        raise ValidationError(
            {"to_member": _("%(name)s is already on this shift.") % {"name": taker}}
        )
    back = swap.return_shift
    exclude_for_taker = [back.pk] if back is not None else []
    _refuse_clash(
        taker,
        shift.start,
        shift.end,
        exclude=exclude_for_taker,
        community=community,
        field="to_member",
    )
    if back is not None:
        if back.community_id != shift.community_id:
            raise ValidationError({"return_shift": _("Choose a shift of this community.")})
        if not back.assignments.filter(member=taker).exists():
            raise ValidationError(
                {"return_shift": _("%(name)s is not on that shift.") % {"name": taker}}
            )
        if back.assignments.filter(member=giver).exists():
            raise ValidationError(
                {"return_shift": _("%(name)s is already on that shift.") % {"name": giver}}
            )
        _refuse_clash(
            giver,
            back.start,
            back.end,
            exclude=[shift.pk],
            community=community,
            field="return_shift",
        )
    if shift.start <= timezone.now():
        raise ValidationError(
            {"shift": _("This shift has already started; it can no longer be swapped.")}
        )


@transaction.atomic
def do_request_swap(
    *,
    shift: Shift,
    from_member: StaffMember,
    to_member: StaffMember,
    by: User,
    return_shift: Shift | None = None,
    note: str = "",
) -> SwapRequest:
    """Ask that ``to_member`` take ``from_member``'s place on ``shift`` (and, with a
    ``return_shift``, that they exchange shifts). The person giving up the shift asks, or
    the shift's owner for them; the owner approves."""
    if by is not None:
        require_visible(by, shift, "view")
        own = from_member.user_id is not None and from_member.user_id == by.pk
        if not own:
            _require_owner(by, shift)
        elif not by.has_action(SwapRequest, "add"):
            raise PermissionDeniedError("add")
    pending = SwapRequest.objects.filter(
        shift=shift, from_member=from_member, status=SwapStatus.PENDING
    )
    if pending.exists():
        raise ValidationError({"shift": _("A swap of this shift is already waiting for approval.")})
    swap = SwapRequest(
        community_id=shift.community_id,
        shift=shift,
        from_member=from_member,
        to_member=to_member,
        return_shift=return_shift,
        note=(note or "").strip()[:200],
        requested_by=by if by is not None else None,
    )
    _validate_swap(swap)
    save_checked(swap)
    record_change(ChangeAction.CREATE, swap, actor=by)
    return swap


@transaction.atomic
def do_decide_swap(swap: SwapRequest, *, by: User, approve: bool, note: str = "") -> SwapRequest:
    """The shift's owner approves (the people change places) or rejects a swap."""
    swap = locked(SwapRequest, swap.pk)
    _require_owner(by, swap.shift)
    if swap.status != SwapStatus.PENDING:
        raise ValidationError(_("This swap has already been decided."))
    before = swap.audit_snapshot()
    if approve:
        # Lock both people, then check again: the roster may have changed since the request.
        locked(StaffMember, swap.from_member_id)
        locked(StaffMember, swap.to_member_id)
        _validate_swap(swap)
        _hand_over(swap.shift, swap.from_member, swap.to_member, by)
        if swap.return_shift is not None:
            _hand_over(swap.return_shift, swap.to_member, swap.from_member, by)
    swap.status = SwapStatus.APPROVED if approve else SwapStatus.REJECTED
    swap.decided_by = by if by is not None else None
    swap.decided_at = timezone.now()
    swap.decision_note = (note or "").strip()[:200]
    swap.version += 1
    swap.save()
    record_change(ChangeAction.UPDATE, swap, before=before, actor=by)
    return swap


def _hand_over(shift: Shift, giver: StaffMember, taker: StaffMember, by: User) -> None:
    assignment = ShiftAssignment.objects.select_for_update().get(shift=shift, member=giver)
    before = assignment.audit_snapshot()
    assignment.member = taker
    assignment.version += 1
    assignment.save(update_fields=["member", "version", "updated"])
    record_change(ChangeAction.UPDATE, assignment, before=before, actor=by)


@transaction.atomic
def do_withdraw_swap(swap: SwapRequest, *, by: User) -> SwapRequest:
    """The person who asked (or the owner) withdraws a swap still waiting."""
    swap = locked(SwapRequest, swap.pk)
    if by is not None:
        require_visible(by, swap, "view")
        if swap.from_member.user_id != by.pk:
            _require_owner(by, swap.shift)
    if swap.status != SwapStatus.PENDING:
        raise ValidationError(_("This swap has already been decided."))
    before = swap.audit_snapshot()
    swap.status = SwapStatus.CANCELLED
    swap.version += 1
    swap.save(update_fields=["status", "version", "updated"])
    record_change(ChangeAction.UPDATE, swap, before=before, actor=by)
    return swap


# --- Check-in and check-out -----------------------------------------------------------------


def _require_self(by: User, assignment: ShiftAssignment) -> None:
    """Only the person on the shift checks in and out, and only with the right to."""
    if by is None:
        return
    require_visible(by, assignment.shift, "view")
    if not by.has_action(*CHECKIN_RIGHT):
        raise PermissionDeniedError("add")
    if assignment.member.user_id != by.pk:
        raise PermissionDeniedError("change", _("Only the person on the shift checks in and out."))


def checkin_opens(shift: Shift) -> dt.datetime:
    return shift.start - CHECKIN_WINDOW


def checkout_closes(shift: Shift) -> dt.datetime:
    return shift.end + CHECKIN_WINDOW


@transaction.atomic
def do_check_in(
    assignment: ShiftAssignment, *, by: User, now: dt.datetime | None = None
) -> ShiftAssignment:
    """The person arrives: from 30 minutes before the shift until it ends."""
    assignment = locked(ShiftAssignment, assignment.pk)
    _require_self(by, assignment)
    shift = assignment.shift
    now = now or timezone.now()
    if assignment.checked_in_at is not None:
        raise ValidationError(_("You have already checked in to this shift."))
    if now < checkin_opens(shift):
        raise ValidationError(
            _("Too early: check-in opens at %(time)s, %(minutes)s minutes before the shift.")
            % {
                "time": _local(checkin_opens(shift), shift.community),
                "minutes": int(CHECKIN_WINDOW.total_seconds() // 60),
            }
        )
    if now > shift.end:
        raise ValidationError(
            _("This shift ended at %(time)s; it is too late to check in.")
            % {"time": _local(shift.end, shift.community)}
        )
    before = assignment.audit_snapshot()
    assignment.checked_in_at = now
    assignment.version += 1
    assignment.save(update_fields=["checked_in_at", "version", "updated"])
    record_change(ChangeAction.UPDATE, assignment, before=before, actor=by)
    return assignment


@transaction.atomic
def do_check_out(
    assignment: ShiftAssignment, *, by: User, now: dt.datetime | None = None
) -> ShiftAssignment:
    """The person leaves: after checking in, until 30 minutes after the shift ends."""
    assignment = locked(ShiftAssignment, assignment.pk)
    _require_self(by, assignment)
    shift = assignment.shift
    now = now or timezone.now()
    if assignment.checked_in_at is None:
        raise ValidationError(_("Check in first: there is no check-in to check out from."))
    if assignment.checked_out_at is not None:
        raise ValidationError(_("You have already checked out of this shift."))
    if now < assignment.checked_in_at:
        raise ValidationError(_("A check-out cannot come before the check-in."))
    if now > checkout_closes(shift):
        raise ValidationError(
            _(
                "Check-out closed at %(time)s, %(minutes)s minutes after the shift; ask the "
                "community officer to record your hours."
            )
            % {
                "time": _local(checkout_closes(shift), shift.community),
                "minutes": int(CHECKIN_WINDOW.total_seconds() // 60),
            }
        )
    before = assignment.audit_snapshot()
    assignment.checked_out_at = now
    assignment.version += 1
    assignment.save(update_fields=["checked_out_at", "version", "updated"])
    record_change(ChangeAction.UPDATE, assignment, before=before, actor=by)
    return assignment
