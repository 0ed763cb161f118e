"""Checkpoint patrols: record a visit, its findings and photos, and raise its follow-up task."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from fangkong.accounts.models import User
from fangkong.core.audit import record_change
from fangkong.core.choices import ChangeAction
from fangkong.staff import patrol_findings
from fangkong.staff.choices import PatrolFinding, TaskKind, TaskPriority
from fangkong.staff.models import Checkpoint, PatrolPhoto, PatrolVisit, StaffMember
from fangkong.staff.services.checks import require_in_area, require_visible
from fangkong.staff.services.tasks import do_create_task

#: What a patrol photo may be, recognised by its first bytes (the browser's word is not
#: trusted), and how big: a phone's photo is 2–4 MB.
PHOTO_SIGNATURES = {
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}
MAX_PHOTO_BYTES = 8 * 1024 * 1024
MAX_PHOTOS = 5
#: A patrol is recorded on the spot or after; a time this far ahead is a typing mistake.
FUTURE_SLACK = dt.timedelta(minutes=10)


def photo_type(head: bytes) -> str | None:
    """The photo's content type from its first bytes, or None if it is no photo we take."""
    for content_type, signatures in PHOTO_SIGNATURES.items():
        if any(head.startswith(sig) for sig in signatures):
            return content_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return None


def check_photo(upload: UploadedFile[bytes]) -> str:
    """Refuse anything but a JPEG, PNG or WebP photo up to MAX_PHOTO_BYTES; its type."""
    if upload.size is not None and upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            {
                "photos": _("A photo may be at most %(mb)s MB.")
                % {"mb": MAX_PHOTO_BYTES // (1024 * 1024)}
            }
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = photo_type(head)
    if content_type is None:
        raise ValidationError({"photos": _("Only photos (JPEG, PNG or WebP) can be attached.")})
    return content_type


def _validate_people(checkpoint: Checkpoint, members: Iterable[StaffMember], field: str) -> None:
    for member in members:
        if member.community_id != checkpoint.community_id:
            raise ValidationError({field: _("Choose staff members of this community.")})


def _raise_follow_up(
    visit: PatrolVisit,
    findings: list[str],
    *,
    by: User | None,
    assignee: User | None,
    due: dt.datetime | None,
) -> None:
    """A task about the visit's findings, linked to the visit (so one task per visit)."""
    if not findings:
        raise ValidationError({"follow_up": _("A follow-up task needs at least one finding.")})
    checkpoint = visit.checkpoint
    labels = pgettext("list separator", ", ").join(visit.finding_labels())
    visit.follow_up = do_create_task(
        community=checkpoint.community,
        kind=TaskKind.PATROL_FOLLOW_UP,
        by=by,
        title=_("%(checkpoint)s: %(findings)s") % {"checkpoint": checkpoint, "findings": labels},
        description=visit.notes,
        link=visit,
        reason="patrol",
        assignee=assignee,
        due=due or timezone.now() + dt.timedelta(days=1),
        priority=TaskPriority.HIGH
        if PatrolFinding.STAFF_ABSENT in findings
        else TaskPriority.NORMAL,
    )
    visit.save(update_fields=["follow_up"])


@transaction.atomic
def do_record_patrol(
    *,
    checkpoint: Checkpoint,
    by: User | None,
    time: dt.datetime,
    by_member: StaffMember | None = None,
    on_duty: Iterable[StaffMember] = (),
    findings: Iterable[str] = (),
    notes: str = "",
    photos: Iterable[UploadedFile[bytes]] = (),
    follow_up: bool = False,
    follow_up_assignee: User | None = None,
    follow_up_due: dt.datetime | None = None,
) -> PatrolVisit:
    """Record a patrol visit. With ``follow_up``, a task about the visit is raised through
    ``do_create_task`` (linked to the visit, so recording it twice raises one task)."""
    require_in_area(by, PatrolVisit, "add", checkpoint.community)
    if by is not None:
        require_visible(by, checkpoint, "view")
    findings = list(findings)
    unknown = set(findings) - set(PatrolFinding.values)
    if unknown:
        raise ValidationError(
            {"findings": _("Unknown finding: %(codes)s.") % {"codes": ", ".join(sorted(unknown))}}
        )
    if time is None or timezone.is_naive(time):
        raise ValidationError({"time": _("Give the time of the visit.")})
    if time > timezone.now() + FUTURE_SLACK:
        raise ValidationError({"time": _("A patrol cannot be recorded in the future.")})
    on_duty = list(on_duty)
    _validate_people(checkpoint, on_duty, "on_duty")
    if by_member is None and by is not None:
        by_member = StaffMember.objects.filter(user=by).first()
    if by_member is not None:
        _validate_people(checkpoint, [by_member], "by_member")
    photos = list(photos)
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("Attach at most %(n)s photos.") % {"n": MAX_PHOTOS}})
    types = [check_photo(photo) for photo in photos]
    notes = (notes or "").strip()
    if PatrolFinding.OTHER in findings and not notes:
        raise ValidationError({"notes": _("Describe the other problem found.")})

    visit = PatrolVisit.objects.create(
        community_id=checkpoint.community_id,
        checkpoint=checkpoint,
        time=time,
        by_member=by_member,
        by_user=by if by is not None else None,
        findings=PatrolVisit.encode_findings(findings),
        notes=notes,
    )
    visit.on_duty.set(on_duty)
    for upload, content_type in zip(photos, types, strict=True):
        photo = PatrolPhoto(
            community_id=visit.community_id,
            visit=visit,
            content_type=content_type,
            size=upload.size or 0,
        )
        photo.file.save("photo", upload, save=False)
        photo.save()
        record_change(ChangeAction.CREATE, photo, actor=by)
    if follow_up:
        _raise_follow_up(visit, findings, by=by, assignee=follow_up_assignee, due=follow_up_due)
    record_change(ChangeAction.CREATE, visit, actor=by)
    # Other modules' work about the findings (supplies short: a supply request).
    patrol_findings.react(visit, findings, by)
    return visit
