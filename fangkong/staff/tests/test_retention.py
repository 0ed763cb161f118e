"""Retention of staff data: each period of docs/data-dictionary.md, a row just inside it kept
and one just past it purged or anonymised; a patrol photo takes its file with it; a staff
member still on a roster is anonymised (PROTECT), and goes once nothing needs them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from fangkong.core.models import ObjectChange
from fangkong.core.retention import cutoff, purge_expired
from fangkong.core.tests.retention_helpers import DAY, SECOND, counts, exists
from fangkong.staff import services
from fangkong.staff.choices import TaskStatus
from fangkong.staff.models import (
    LeadingGroupMember,
    PatrolPhoto,
    PatrolVisit,
    Shift,
    ShiftAssignment,
    StaffMember,
    Task,
    TeamMembership,
)
from fangkong.staff.retention import PatrolOnDuty
from fangkong.staff.tests.factories import (
    CheckpointFactory,
    ShiftFactory,
    StaffMemberFactory,
    TaskFactory,
    TeamFactory,
    assign,
    patrol,
)
from fangkong.staff.tests.routes import PNG

pytestmark = pytest.mark.django_db


def deactivated(member: StaffMember, at: dt.datetime) -> StaffMember:
    StaffMember.objects.filter(pk=member.pk).update(is_active=False, updated=at)
    member.refresh_from_db()
    return member


def shift_ended(shift: Shift, at: dt.datetime) -> Shift:
    Shift.objects.filter(pk=shift.pk).update(
        start=at - dt.timedelta(hours=8), end=at, notes="张三请假"
    )
    shift.refresh_from_db()
    return shift


def test_a_staff_member_is_deleted_a_year_after_deactivation(community_a: Any) -> None:
    now = timezone.now()
    inside = deactivated(StaffMemberFactory(community=community_a), cutoff(now, years=1))
    past = deactivated(StaffMemberFactory(community=community_a), cutoff(now, years=1) - SECOND)
    active = StaffMemberFactory(community=community_a)
    StaffMember.objects.filter(pk=active.pk).update(updated=now - 900 * DAY)

    result = purge_expired(now)

    assert counts(result, "staff.member") == (1, 0)
    assert exists(inside)
    assert not exists(past)
    assert exists(active)


def test_a_member_still_on_a_roster_is_anonymised_then_deleted_once_the_roster_goes(
    community_a: Any,
) -> None:
    # Given a member deactivated over a year ago, on a shift of 200 days ago, in a team
    now = timezone.now()
    member = StaffMemberFactory(community=community_a, position="志愿者", notes="晚班")
    TeamFactory(community=community_a, members=[member])
    group = services.do_save_leading_group(community=community_a, by=None, name="领导小组")
    services.do_add_leading_group_member(group, member=member, by=None, duty="宣传")
    shift = ShiftFactory(community=community_a)
    assignment = assign(shift, member)
    shift_ended(shift, now - 200 * DAY)
    deactivated(member, cutoff(now, years=1) - SECOND)
    secrets = [member.phone_cipher, member.phone_index, member.phone_last4_index]
    assert all(secrets)

    # When the purge runs: seats go, the shift assignment (PROTECT) keeps the member
    result = purge_expired(now)

    assert counts(result, "staff.member") == (0, 1)
    assert counts(result, "staff.team_membership") == (1, 0)
    assert counts(result, "staff.leading_group_seat") == (1, 0)
    assert not LeadingGroupMember.objects.filter(member=member).exists()
    assert not TeamMembership.objects.filter(member=member).exists()
    member.refresh_from_db()
    assert (member.name, member.position, member.notes, member.user_id) == ("", "", "", None)
    assert member.phone_mask == ""
    for value in secrets:
        assert not StaffMember.objects.filter(phone_cipher=value).exists()
        assert not StaffMember.objects.filter(phone_index=value).exists()
        assert not StaffMember.objects.filter(phone_last4_index=value).exists()
    assert exists(assignment)

    # Once the shift is over a year old, its assignment goes, and then the member
    shift_ended(shift, cutoff(now, years=1) - SECOND)
    result = purge_expired(now)

    assert counts(result, "staff.shift_assignment") == (1, 0)
    assert counts(result, "staff.member") == (1, 0)
    assert not exists(member)
    shift.refresh_from_db()
    assert shift.notes == ""  # the shift stays, a roster of that day


def test_shift_assignments_are_kept_a_year_after_the_shift(community_a: Any) -> None:
    now = timezone.now()
    member = StaffMemberFactory(community=community_a)
    inside = ShiftFactory(community=community_a)
    past = ShiftFactory(community=community_a, start=inside.end + dt.timedelta(hours=1))
    kept, gone = assign(inside, member), assign(past, member)
    shift_ended(inside, cutoff(now, years=1))
    shift_ended(past, cutoff(now, years=1) - SECOND)

    result = purge_expired(now)

    assert counts(result, "staff.shift_assignment") == (1, 0)
    assert exists(kept)
    assert not exists(gone)
    assert exists(past)
    inside.refresh_from_db()
    assert inside.notes == "张三请假"


def test_a_patrol_loses_who_and_its_notes_after_a_year_and_keeps_its_findings(
    community_a: Any,
) -> None:
    now = timezone.now()
    gate = CheckpointFactory(community=community_a)
    by, on_duty = (
        StaffMemberFactory(community=community_a),
        StaffMemberFactory(community=community_a),
    )
    inside = patrol(
        gate,
        time=cutoff(now, years=1),
        by_member=by,
        on_duty=[on_duty],
        findings=["crowding"],
        notes="李静未戴口罩",
    )
    past = patrol(
        gate,
        time=cutoff(now, years=1) - SECOND,
        by_member=by,
        on_duty=[on_duty],
        findings=["crowding"],
        notes="李静未戴口罩",
    )

    result = purge_expired(now)

    assert counts(result, "staff.patrol") == (0, 1)
    assert counts(result, "staff.patrol_on_duty") == (1, 0)
    inside.refresh_from_db()
    past.refresh_from_db()
    assert (inside.by_member_id, inside.notes) == (by.pk, "李静未戴口罩")
    assert list(inside.on_duty.all()) == [on_duty]
    assert (past.by_member_id, past.by_user_id, past.notes) == (None, None, "")
    assert not past.on_duty.exists()
    assert past.finding_list == ["crowding"]  # findings per day still count it
    assert PatrolOnDuty.objects.count() == 1


def test_a_patrol_photo_and_its_file_go_ninety_days_after_the_patrol(
    community_a: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    now = timezone.now()
    gate = CheckpointFactory(community=community_a)

    def with_photo(time: dt.datetime) -> PatrolPhoto:
        visit = patrol(
            gate, time=time, photos=[SimpleUploadedFile("门口.png", PNG, content_type="image/png")]
        )
        return visit.photos.get()

    kept = with_photo(cutoff(now, days=90))
    gone = with_photo(cutoff(now, days=90) - SECOND)
    gone_file = Path(settings.MEDIA_ROOT) / gone.file.name
    assert gone_file.exists()

    with django_capture_on_commit_callbacks(execute=True):
        result = purge_expired(now)

    assert counts(result, "staff.patrol_photo") == (1, 0)
    assert exists(kept)
    assert (Path(settings.MEDIA_ROOT) / kept.file.name).exists()
    assert not exists(gone)
    assert not gone_file.exists()
    assert exists(gone.visit)


def test_a_finished_task_is_kept_a_year_an_open_one_always(community_a: Any) -> None:
    now = timezone.now()
    inside, past, cancelled, still_open = (TaskFactory(community=community_a) for _ in range(4))
    services.do_comment_on_task(past, by=None, text="已上门，王*不在家")
    Task.objects.filter(pk=inside.pk).update(
        status=TaskStatus.DONE, finished_at=cutoff(now, years=1), updated=cutoff(now, years=1)
    )
    Task.objects.filter(pk=past.pk).update(
        status=TaskStatus.DONE,
        finished_at=cutoff(now, years=1) - SECOND,
        updated=cutoff(now, years=1) - SECOND,
    )
    Task.objects.filter(pk=cancelled.pk).update(
        status=TaskStatus.CANCELLED, finished_at=None, updated=cutoff(now, years=1) - SECOND
    )
    Task.objects.filter(pk=still_open.pk).update(updated=now - 900 * DAY, due=now - 900 * DAY)

    result = purge_expired(now)

    assert counts(result, "staff.task") == (2, 0)
    assert exists(inside)
    assert exists(still_open)
    assert not exists(past)
    assert not exists(cancelled)
    assert not past.comments.exists()


def test_a_second_staff_purge_changes_nothing(community_a: Any) -> None:
    now = timezone.now()
    member = StaffMemberFactory(community=community_a)
    shift = ShiftFactory(community=community_a)
    assign(shift, member)
    shift_ended(shift, now - 200 * DAY)
    deactivated(member, now - 400 * DAY)
    patrol(CheckpointFactory(community=community_a), time=now - 400 * DAY, notes="门口拥挤")
    purge_expired(now)
    logged = ObjectChange.objects.count()

    again = purge_expired(now)

    assert all(o.deleted == o.anonymised == 0 for o in again.outcomes)
    assert ObjectChange.objects.count() == logged
    assert PatrolVisit.objects.count() == 1
    assert ShiftAssignment.objects.count() == 1
