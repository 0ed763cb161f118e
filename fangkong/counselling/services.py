"""Every change of a counselling case, and the one way its notes are read.

A case is opened for a person of the community with a counsellor (a user of the community
who may see counselling cases). Sessions are recorded by the counsellor, or by the community
officer (``read_notes``), who alone may read the notes; ``read_notes`` logs every read as an
access event (``reveal``), on the page and through the API alike. A session's follow-up date
raises a task for the counsellor through the staff app's services.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core.audit import record_access, record_change
from fangkong.core.choices import AccessKind, ChangeAction
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.querysets import may, require
from fangkong.core.services import actor_or_none, check_version, locked, save_checked
from fangkong.counselling.choices import CaseStatus, RiskLevel, SessionMode
from fangkong.counselling.models import CounsellingCase, CounsellingSession
from fangkong.registry.choices import PersonStatus
from fangkong.registry.models import Person
from fangkong.staff import services as staff
from fangkong.staff.choices import TaskKind

if TYPE_CHECKING:
    from fangkong.accounts.models import User

#: The kind of task a call back (or a follow-up) raises.
FOLLOW_UP_TASK = TaskKind.COUNSELLING_FOLLOW_UP

NOTES_MAX = 4000
REFERRAL_MAX = 100


def _check_counsellor(counsellor: User | None, case_community: Any) -> None:
    if counsellor is None:
        raise ValidationError({"counsellor": _("Choose the counsellor.")})
    if not counsellor.is_active or not may(counsellor, CounsellingCase, "change", case_community):
        raise ValidationError(
            {"counsellor": _("%(name)s cannot counsel in this community.") % {"name": counsellor}}
        )


def _risk(value: Any) -> str:
    if value not in RiskLevel.values:
        raise ValidationError({"risk_level": _("Choose a risk level: low, medium or high.")})
    return str(value)


def may_read_notes(user: User | None, case: CounsellingCase) -> bool:
    """The case's counsellor, or a user with ``read_notes`` where the case is (the
    community officer). Without the view right, not even the counsellor."""
    if user is None or not user.is_authenticated:
        return False
    if not may(user, CounsellingCase, "view", case, seen=True):
        return False
    if case.counsellor_id == user.pk:
        return True
    return may(user, CounsellingCase, "read_notes", case)


def read_notes(case: CounsellingCase, *, by: User, via: str = "page") -> list[CounsellingSession]:
    """The case's sessions with their notes, for someone allowed to read them; the read is
    logged (an access event of kind ``reveal``). Refused with the reason otherwise."""
    if not may_read_notes(by, case):
        raise PermissionDeniedError(
            "read_notes",
            _("Only the counsellor of this case and the community officer read its notes."),
        )
    sessions = list(case.sessions.order_by("-held_at", "-id"))
    record_access(
        AccessKind.REVEAL,
        actor=by,
        area_path=case.community.path,
        obj=case,
        reason=_("Counselling notes read"),
        detail={"what": "counselling_notes", "sessions": len(sessions), "via": via},
    )
    return sessions


@transaction.atomic
def do_open_case(
    person: Person,
    *,
    by: User | None,
    counsellor: User | None = None,
    risk_level: str = RiskLevel.LOW,
    opened_on: dt.date | None = None,
) -> CounsellingCase:
    """Open counselling for a person of the community."""
    community = person.community
    require(
        by,
        CounsellingCase,
        "add",
        community,
        reason=_("Your role does not open counselling cases."),
    )
    if person.status != PersonStatus.ACTIVE:
        raise ValidationError({"person": _("This person is no longer in the registry.")})
    _check_counsellor(counsellor, community)
    today = community.local_today()
    opened_on = opened_on or today
    if opened_on > today:
        raise ValidationError({"opened_on": _("A case cannot be opened in the future.")})
    case = CounsellingCase(
        community=community,
        person=person,
        counsellor=counsellor,
        risk_level=_risk(risk_level),
        opened_on=opened_on,
    )
    save_checked(case)
    record_change(ChangeAction.CREATE, case, actor=by)
    return case


@transaction.atomic
def do_update_case(
    case: CounsellingCase,
    data: dict[str, Any],
    *,
    expected_version: int | None = None,
    by: User | None,
) -> CounsellingCase:
    """Change the counsellor or the risk level as judged now."""
    obj: CounsellingCase = locked(CounsellingCase, case.pk, "community")
    require(
        by, CounsellingCase, "change", obj, reason=_("Your role does not change counselling cases.")
    )
    check_version(obj, expected_version)
    if obj.status == CaseStatus.CLOSED:
        raise ValidationError(_("This case is closed."))
    before = obj.audit_snapshot()
    if "counsellor" in data:
        _check_counsellor(data["counsellor"], obj.community)
        obj.counsellor = data["counsellor"]
    if "risk_level" in data:
        obj.risk_level = _risk(data["risk_level"])
    obj.version += 1
    save_checked(obj)
    record_change(ChangeAction.UPDATE, obj, before=before, actor=by)
    return obj


@transaction.atomic
def do_refer_case(
    case: CounsellingCase,
    *,
    referral_to: str,
    referred_on: dt.date | None = None,
    expected_version: int | None = None,
    by: User | None,
) -> CounsellingCase:
    """Refer the person to a professional (a hospital's psychological clinic, a hotline)."""
    obj: CounsellingCase = locked(CounsellingCase, case.pk, "community")
    require(
        by, CounsellingCase, "change", obj, reason=_("Your role does not change counselling cases.")
    )
    check_version(obj, expected_version)
    if obj.status == CaseStatus.CLOSED:
        raise ValidationError(_("This case is closed."))
    referral = str(referral_to or "").strip()
    if not referral:
        raise ValidationError({"referral_to": _("Say to whom the person is referred.")})
    if len(referral) > REFERRAL_MAX:
        raise ValidationError({"referral_to": _("At most %(n)s characters.") % {"n": REFERRAL_MAX}})
    today = obj.community.local_today()
    referred_on = referred_on or today
    if referred_on > today or referred_on < obj.opened_on:
        raise ValidationError(
            {"referred_on": _("The referral date lies between the opening and today.")}
        )
    before = obj.audit_snapshot()
    obj.status = CaseStatus.REFERRED
    obj.referral_to = referral
    obj.referred_on = referred_on
    obj.version += 1
    save_checked(obj)
    record_change(ChangeAction.UPDATE, obj, before=before, actor=by)
    return obj


@transaction.atomic
def do_close_case(
    case: CounsellingCase, *, expected_version: int | None = None, by: User | None
) -> CounsellingCase:
    obj: CounsellingCase = locked(CounsellingCase, case.pk, "community")
    require(
        by, CounsellingCase, "change", obj, reason=_("Your role does not change counselling cases.")
    )
    check_version(obj, expected_version)
    if obj.status == CaseStatus.CLOSED:
        raise ValidationError(_("This case is closed already."))
    before = obj.audit_snapshot()
    obj.status = CaseStatus.CLOSED
    obj.closed_on = obj.community.local_today()
    obj.version += 1
    save_checked(obj)
    record_change(ChangeAction.UPDATE, obj, before=before, actor=by)
    return obj


@transaction.atomic
def do_record_session(
    case: CounsellingCase,
    *,
    by: User | None,
    mode: str,
    notes: str = "",
    held_at: dt.datetime | None = None,
    follow_up_on: dt.date | None = None,
) -> CounsellingSession:
    """A conversation held, with its notes, recorded by the counsellor (or the officer);
    a follow-up date raises a task for the counsellor."""
    obj: CounsellingCase = locked(CounsellingCase, case.pk, "community")
    require(by, CounsellingCase, "change", obj, reason=_("Your role does not record counselling."))
    if by is not None and not may_read_notes(by, obj):
        raise PermissionDeniedError(
            "change",
            _("Only the counsellor of this case and the community officer record its sessions."),
        )
    if obj.status == CaseStatus.CLOSED:
        raise ValidationError(_("This case is closed."))
    if mode not in SessionMode.values:
        raise ValidationError({"mode": _("Choose how the conversation was held.")})
    text = str(notes or "").strip()
    if len(text) > NOTES_MAX:
        raise ValidationError({"notes": _("At most %(n)s characters.") % {"n": NOTES_MAX}})
    held_at = held_at or timezone.now()
    if held_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationError({"held_at": _("A session cannot be recorded in the future.")})
    today = obj.community.local_today()
    if follow_up_on is not None and follow_up_on < today:
        raise ValidationError({"follow_up_on": _("A follow-up cannot be planned in the past.")})
    session = CounsellingSession(
        community=obj.community,
        case=obj,
        held_at=held_at,
        mode=mode,
        notes=text,
        follow_up_on=follow_up_on,
        recorded_by=actor_or_none(by),
    )
    save_checked(session)
    record_change(ChangeAction.CREATE, session, actor=by)
    if follow_up_on is not None:
        staff.do_create_task(
            community=obj.community,
            # The task names no person: tasks are seen by more people than the case is.
            title=_("Counselling follow-up, case %(n)s") % {"n": obj.pk},
            by=None,  # part of recording the session, checked above
            kind=FOLLOW_UP_TASK,
            assignee=obj.counsellor,
            link=obj,
            reason=follow_up_on.isoformat(),
            due=dt.datetime.combine(
                follow_up_on + dt.timedelta(days=1), dt.time(0), tzinfo=obj.community.zone
            ),
        )
    return session
