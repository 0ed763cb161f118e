"""Retention of staff data (docs/data-dictionary.md, staff.*).

Rules run in the order registered here, children first: photos, duty lists, swaps, shift
assignments, tasks and team seats go before the staff members they point at (PROTECT), so a
member past their period is deleted in the same run once nothing needs them any more, and
anonymised until then. Patrol visits and shifts stay for the figures (findings per day,
rosters) without who did what.

A patrol photo's row going takes its file with it (below): a photo is personal data on disk
as much as in the table, and the purge deletes rows only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.db.models.signals import post_delete
from django.dispatch import receiver

from fangkong.core.retention import Rule, cutoff, register
from fangkong.staff.choices import OPEN_STATUSES
from fangkong.staff.models import (
    LeadingGroupMember,
    PatrolPhoto,
    PatrolVisit,
    Shift,
    ShiftAssignment,
    StaffMember,
    SwapRequest,
    Task,
    TeamMembership,
)

#: The on-duty list of a patrol visit (the many-to-many's own table).
PatrolOnDuty = PatrolVisit.on_duty.through

#: Every field of the dictionary's staff.StaffMember table that says who the person is.
ANONYMOUS_MEMBER = {
    "name": "",
    "position": "",
    "user": None,
    "notes": "",
    "phone_cipher": "",
    "phone_index": "",
    "phone_last4_index": "",
    "phone_mask": "",
}


@receiver(post_delete, sender=PatrolPhoto, dispatch_uid="staff.patrol_photo_file")
def _delete_photo_file(sender: type[PatrolPhoto], instance: PatrolPhoto, **kwargs: Any) -> None:
    """Remove the file once the row's deletion is committed (a rolled-back delete keeps
    both); a file already gone is no error."""
    if name := instance.file.name:
        storage = instance.file.storage
        transaction.on_commit(lambda: storage.delete(name))


def _expired_members(now: dt.datetime) -> QuerySet[Any]:
    # Members have no "deactivated on" date; ``updated`` is never earlier than the change
    # that deactivated them, so counting from it is never early.
    return StaffMember.objects.filter(is_active=False, updated__lt=cutoff(now, years=1))


def _expired_tasks(now: dt.datetime) -> QuerySet[Any]:
    # Done or cancelled: from ``finished_at`` when there is one, and never before the last
    # change (a task reopened and closed again counts from its last close).
    before = cutoff(now, years=1)
    return (
        Task.objects.exclude(status__in=OPEN_STATUSES)
        .filter(updated__lt=before)
        .filter(Q(finished_at__isnull=True) | Q(finished_at__lt=before))
    )


def _expired_swaps(now: dt.datetime) -> QuerySet[Any]:
    before = cutoff(now, years=1)
    return SwapRequest.objects.filter(shift__end__lt=before).filter(
        Q(return_shift__isnull=True) | Q(return_shift__end__lt=before)
    )


register(
    Rule(
        name="staff.patrol_photo",
        model=PatrolPhoto,
        period="90 days after the patrol",
        expired=lambda now: PatrolPhoto.objects.filter(visit__time__lt=cutoff(now, days=90)),
    ),
    Rule(
        name="staff.patrol_on_duty",
        model=PatrolOnDuty,
        period="1 year after the patrol",
        expired=lambda now: PatrolOnDuty.objects.filter(patrolvisit__time__lt=cutoff(now, years=1)),
    ),
    Rule(
        name="staff.patrol",
        model=PatrolVisit,
        period="1 year after the patrol",
        # Checkpoint, time, findings and the follow-up task stay: findings per day.
        expired=lambda now: PatrolVisit.objects.filter(time__lt=cutoff(now, years=1)),
        delete=False,
        anonymise={"by_member": None, "by_user": None, "notes": ""},
    ),
    Rule(
        name="staff.swap_request",
        model=SwapRequest,
        period="1 year after the shift",
        expired=_expired_swaps,
    ),
    Rule(
        name="staff.shift_assignment",
        model=ShiftAssignment,
        period="1 year after the shift",
        expired=lambda now: ShiftAssignment.objects.filter(shift__end__lt=cutoff(now, years=1)),
    ),
    Rule(
        name="staff.shift_notes",
        model=Shift,
        period="1 year after the shift",
        # The shift (place, times, people needed) stays: the roster of that day.
        expired=lambda now: Shift.objects.filter(end__lt=cutoff(now, years=1)),
        delete=False,
        anonymise={"notes": ""},
    ),
    Rule(
        name="staff.task",
        model=Task,
        period="1 year after it is done or cancelled",
        expired=_expired_tasks,
    ),
    Rule(
        name="staff.team_membership",
        model=TeamMembership,
        period="as the staff member",
        expired=lambda now: TeamMembership.objects.filter(member__in=_expired_members(now)),
    ),
    Rule(
        name="staff.leading_group_seat",
        model=LeadingGroupMember,
        period="as the staff member",
        expired=lambda now: LeadingGroupMember.objects.filter(member__in=_expired_members(now)),
    ),
    Rule(
        name="staff.member",
        model=StaffMember,
        period="while active; 1 year after deactivation",
        expired=_expired_members,
        anonymise=ANONYMOUS_MEMBER,
    ),
)
