"""Every change of the volunteers app: volunteers, requests, answers, hours served.

Rules every path keeps (pages, API, import, demo):

* a resident volunteer is linked to their registry row, never copied: their name and phone
  stay on the person; someone from outside has their own name and a protected phone;
* a volunteer accepts a request only when they match it (``matching.why_not``): active, fit
  with a recent health check, serving its area, with its skills, available then, and not on
  duty elsewhere at an overlapping time. The request's row and the volunteer's are locked,
  so two officers filling the last place, or booking one person twice, cannot both succeed;
* an accepted volunteer goes on the request's shift of the staff roster through the staff
  app's services, as a staff member of the community's volunteer organisation;
* hours are counted once the shift is over: from the roster's check-in and check-out where
  the volunteer has both, else the length of the shift.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.areas.models import Area
from fangkong.core.audit import record_change
from fangkong.core.choices import ChangeAction
from fangkong.core.personal_data import protect_phone
from fangkong.core.querysets import require
from fangkong.core.services import check_version, locked, save_checked
from fangkong.core.validators import validate_phone
from fangkong.registry.choices import PersonTag
from fangkong.staff import services as staff
from fangkong.staff.choices import OrganisationKind
from fangkong.staff.models import Checkpoint, Organisation, StaffMember
from fangkong.staff.services.checks import in_community, require_community
from fangkong.staff.services.rosters import MAX_SHIFT
from fangkong.volunteers.choices import (
    ALL_WEEKDAYS,
    Answer,
    Health,
    RequestStatus,
    Skill,
    VolunteerGroup,
    Weekday,
    group_rank,
    pack_codes,
    unpack_codes,
)
from fangkong.volunteers.matching import why_not
from fangkong.volunteers.models import Volunteer, VolunteerRequest, VolunteerResponse

if TYPE_CHECKING:
    from fangkong.accounts.models import User
    from fangkong.registry.models import Person

#: The organisation of the staff roster that volunteers are members of (data, in Chinese).
VOLUNTEER_ORGANISATION = "志愿者队伍"
VOLUNTEER_POSITION = "志愿者"
HOUR = Decimal("3600")

VOLUNTEER_FIELDS = (
    "name",
    "groups",
    "skills",
    "weekdays",
    "available_from",
    "available_until",
    "area",
    "health",
    "health_checked_on",
    "is_active",
    "notes",
)


# --- Volunteers -----------------------------------------------------------------------------


def _codes(value: Any, choices: type[Any], field: str) -> str:
    codes = unpack_codes(value) if isinstance(value, str) else list(value or ())
    unknown = [c for c in codes if c not in choices.values]
    if unknown:
        raise ValidationError({field: _("Unknown choice: %(value)s.") % {"value": unknown[0]}})
    return pack_codes(codes)


def _weekdays(value: Any) -> str:
    digits = "".join(sorted(set(value if isinstance(value, str) else "".join(value or ()))))
    if not digits or any(d not in Weekday.values for d in digits):
        raise ValidationError({"weekdays": _("Choose the days of the week they can serve.")})
    return digits


def _validate_volunteer(volunteer: Volunteer) -> None:
    community = volunteer.community
    person = volunteer.person
    if person is not None:
        if person.community_id != volunteer.community_id:
            raise ValidationError({"person": _("Choose a resident of this community.")})
        volunteer.name = ""  # linked, not copied: the registry holds the name
        volunteer.set_phone(protect_phone(""))
    else:
        volunteer.name = (volunteer.name or "").strip()
        if not volunteer.name:
            raise ValidationError({"name": _("Choose a resident or give the volunteer's name.")})
    if not in_community(volunteer.area, community):
        raise ValidationError({"area": _("Choose the community or one of its grids.")})
    volunteer.groups = _codes(volunteer.groups, VolunteerGroup, "groups")
    volunteer.skills = _codes(volunteer.skills, Skill, "skills")
    volunteer.weekdays = _weekdays(volunteer.weekdays)
    volunteer.rank = group_rank(unpack_codes(volunteer.groups))
    others = Volunteer.objects.filter(community_id=volunteer.community_id).exclude(pk=volunteer.pk)
    if volunteer.phone_index and others.filter(phone_index=volunteer.phone_index).exists():
        raise ValidationError({"phone": _("A volunteer with this phone is already recorded.")})
    if volunteer.person_id is not None and others.filter(person_id=volunteer.person_id).exists():
        raise ValidationError({"person": _("This resident is already a volunteer.")})
    if volunteer.health not in Health.values:
        raise ValidationError({"health": _("Choose fit or not fit for duty.")})
    volunteer.full_clean(
        exclude=["community", "person", "area", "staff_member"],
        validate_unique=True,
        validate_constraints=True,
    )


def _set_phone(volunteer: Volunteer, phone: str | None) -> None:
    if phone is None or volunteer.person_id is not None:
        return
    try:
        volunteer.set_phone(protect_phone(validate_phone(phone) if phone else ""))
    except ValidationError as exc:
        raise ValidationError({"phone": exc.messages}) from None


@transaction.atomic
def do_create_volunteer(
    *,
    community: Area,
    by: User | None,
    person: Person | None = None,
    name: str = "",
    phone: str = "",
    groups: Iterable[str] | str = (),
    skills: Iterable[str] | str = (),
    weekdays: Iterable[str] | str = ALL_WEEKDAYS,
    available_from: dt.time = dt.time(0, 0),
    available_until: dt.time = dt.time(0, 0),
    area: Area | None = None,
    health: str = Health.FIT,
    health_checked_on: dt.date | None = None,
    is_active: bool = True,
    notes: str = "",
) -> Volunteer:
    """Record a volunteer: a resident (``person``) or someone from outside (``name``)."""
    require_community(community)
    require(by, Volunteer, "add", community)
    volunteer = Volunteer(
        community=community,
        person=person,
        name=name or "",
        groups=groups,  # type: ignore[misc]  # packed by _validate_volunteer
        skills=skills,
        weekdays=weekdays,
        available_from=available_from or dt.time(0, 0),
        available_until=available_until or dt.time(0, 0),
        area=area or community,
        health=health or Health.FIT,
        health_checked_on=health_checked_on,
        is_active=is_active,
        notes=notes or "",
    )
    _set_phone(volunteer, phone)
    _validate_volunteer(volunteer)
    save_checked(volunteer)
    record_change(ChangeAction.CREATE, volunteer, actor=by)
    return volunteer


@transaction.atomic
def do_update_volunteer(
    volunteer: Volunteer, *, by: User | None, expected_version: int | None = None, **data: Any
) -> Volunteer:
    volunteer = locked(Volunteer, volunteer.pk)
    require(by, Volunteer, "change", volunteer)
    check_version(volunteer, expected_version)
    before = volunteer.audit_snapshot()
    for key, value in data.items():
        if key in VOLUNTEER_FIELDS and value is not None:
            setattr(volunteer, key, value)
    _set_phone(volunteer, data.get("phone"))
    _validate_volunteer(volunteer)
    volunteer.version += 1
    save_checked(volunteer)
    record_change(ChangeAction.UPDATE, volunteer, before=before, actor=by)
    return volunteer


@transaction.atomic
def do_add_resident_as_volunteer(person: Person, *, by: User | None) -> Volunteer:
    """Offer a resident (a veteran, most often) as a volunteer in one step: linked to their
    registry row, serving their grid, every day, until a health check says fit."""
    tags = unpack_codes(person.tags)
    groups = [VolunteerGroup.RESIDENT]
    if PersonTag.VETERAN in tags:
        groups.append(VolunteerGroup.VETERAN)
    community = Area.objects.get(pk=person.community_id)
    if Volunteer.objects.filter(community=community, person=person).exists():
        raise ValidationError(_("This resident is already a volunteer."))
    grid = Area.objects.filter(pk=person.grid_id).first() if person.grid_id else None
    return do_create_volunteer(
        community=community, by=by, person=person, groups=groups, area=grid or community
    )


def volunteer_hours(volunteer: Volunteer) -> Decimal:
    total = volunteer.responses.filter(answer=Answer.ACCEPTED).aggregate(h=Sum("hours"))["h"]
    return Decimal(total or 0)


# --- Requests -------------------------------------------------------------------------------


def _validate_request(request: VolunteerRequest) -> None:
    errors: dict[str, str] = {}
    community = request.community
    request.place_name = (request.place_name or "").strip()
    if request.checkpoint is not None and request.checkpoint.community_id != community.pk:
        errors["checkpoint"] = _("Choose a checkpoint of this community.")
    if request.checkpoint_id is None and not request.place_name:
        errors["place_name"] = _("Choose a checkpoint or name the place.")
    if not in_community(request.area, community):
        errors["area"] = _("Choose the community or one of its grids.")
    if request.start is None or request.end is None:
        errors["start"] = _("Give the start and end of the duty.")
    elif request.end <= request.start:
        errors["end"] = _("A request must end after it starts.")
    elif request.end - request.start > MAX_SHIFT:
        errors["end"] = _("A duty lasts at most 24 hours; check the dates.")
    if not request.people_needed or request.people_needed < 1:
        errors["people_needed"] = _("Ask for at least one person.")
    if errors:
        raise ValidationError(errors)
    request.skills = _codes(request.skills, Skill, "skills")


@transaction.atomic
def do_create_request(
    *,
    community: Area,
    by: User | None,
    start: dt.datetime,
    end: dt.datetime,
    people_needed: int = 1,
    skills: Iterable[str] | str = (),
    checkpoint: Checkpoint | None = None,
    place_name: str = "",
    area: Area | None = None,
    notes: str = "",
) -> VolunteerRequest:
    """Ask for volunteers at a place and time; the roster gets the shift they will fill."""
    require_community(community)
    require(by, VolunteerRequest, "add", community)
    request = VolunteerRequest(
        community=community,
        checkpoint=checkpoint,
        place_name=place_name or "",
        area=area or community,
        start=start,
        end=end,
        people_needed=people_needed,
        skills=skills,  # type: ignore[misc]  # packed by _validate_request
        notes=notes or "",
        requested_by=by if by is not None and by.is_authenticated else None,
    )
    _validate_request(request)
    request.shift = staff.do_create_shift(
        community=community,
        by=by,  # type: ignore[arg-type]  # None: system work, as staff's services allow
        start=start,
        end=end,
        checkpoint=checkpoint,
        place_name=request.place_name,
        people_needed=people_needed,
        notes=(notes or VOLUNTEER_POSITION)[:200],
    )
    save_checked(request)
    record_change(ChangeAction.CREATE, request, actor=by)
    return request


def _roster_member(volunteer: Volunteer, by: User | None) -> StaffMember:
    """The volunteer's entry on the staff roster, made the first time they accept."""
    member = volunteer.staff_member
    if member is not None:
        if not member.is_active:
            staff.do_update_staff_member(member, by=by, is_active=True)  # type: ignore[arg-type]
        return member
    community = volunteer.community
    organisation = Organisation.objects.filter(
        community=community, name=VOLUNTEER_ORGANISATION
    ).first() or staff.do_create_organisation(
        community=community, by=None, kind=OrganisationKind.OTHER, name=VOLUNTEER_ORGANISATION
    )
    member = staff.do_create_staff_member(
        community=community,
        by=None,
        organisation=organisation,
        name=volunteer.display_name,
        position=VOLUNTEER_POSITION,
        area=volunteer.area,
    )
    volunteer.staff_member = member
    volunteer.save(update_fields=["staff_member", "updated"])
    return member


def accepted_count(request: VolunteerRequest) -> int:
    return request.responses.filter(answer=Answer.ACCEPTED).count()


@transaction.atomic
def do_answer_request(
    request: VolunteerRequest, volunteer: Volunteer, *, accepted: bool, by: User | None
) -> VolunteerResponse:
    """Record a volunteer's answer; an acceptance puts them on the request's shift."""
    request = locked(VolunteerRequest, request.pk)
    require(by, VolunteerResponse, "add", request)
    volunteer = locked(Volunteer, volunteer.pk)
    if volunteer.community_id != request.community_id:
        raise ValidationError({"volunteer": _("Choose a volunteer of this community.")})
    if VolunteerResponse.objects.filter(request=request, volunteer=volunteer).exists():
        raise ValidationError(
            {"volunteer": _("%(name)s has already answered this request.") % {"name": volunteer}}
        )
    assignment = None
    if accepted:
        if request.status != RequestStatus.OPEN:
            raise ValidationError(
                _("This request is %(status)s; it takes no one more.")
                % {"status": request.get_status_display()}
            )
        reason = why_not(volunteer, request)
        if reason is not None:
            raise ValidationError({"volunteer": reason})
        if accepted_count(request) >= request.people_needed:
            raise ValidationError(_("This request already has everyone it asked for."))
        member = _roster_member(volunteer, by)
        assert request.shift is not None  # made with the request
        assignment = staff.do_assign_shift(request.shift, member=member, by=by)  # type: ignore[arg-type]
    response = VolunteerResponse(
        community_id=request.community_id,
        request=request,
        volunteer=volunteer,
        answer=Answer.ACCEPTED if accepted else Answer.DECLINED,
        assignment=assignment,
    )
    save_checked(response)
    record_change(ChangeAction.CREATE, response, actor=by)
    if accepted and accepted_count(request) >= request.people_needed:
        before = request.audit_snapshot()
        request.status = RequestStatus.FILLED
        request.version += 1
        request.save(update_fields=["status", "version", "updated"])
        record_change(ChangeAction.UPDATE, request, before=before, actor=by)
    return response


def _hours_of(response: VolunteerResponse, request: VolunteerRequest) -> Decimal:
    assignment = response.assignment
    if assignment is not None and assignment.served is not None:
        served = assignment.served
    else:
        served = request.end - request.start
    return (Decimal(int(served.total_seconds())) / HOUR).quantize(Decimal("0.01"))


@transaction.atomic
def do_count_hours(
    request: VolunteerRequest,
    *,
    by: User | None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> VolunteerRequest:
    """Close a request whose shift is over: each accepted volunteer's hours are counted."""
    request = locked(VolunteerRequest, request.pk)
    require(by, VolunteerRequest, "change", request)
    check_version(request, expected_version)
    now = now or timezone.now()
    if request.status in (RequestStatus.DONE, RequestStatus.CANCELLED):
        raise ValidationError(
            _("This request is %(status)s already.") % {"status": request.get_status_display()}
        )
    if now < request.end:
        raise ValidationError(_("The duty is not over yet; count the hours after it ends."))
    for response in request.responses.filter(answer=Answer.ACCEPTED).select_related(
        "assignment", "volunteer"
    ):
        before = response.audit_snapshot()
        response.hours = _hours_of(response, request)
        response.version += 1
        response.save(update_fields=["hours", "version", "updated"])
        record_change(ChangeAction.UPDATE, response, before=before, actor=by)
    before = request.audit_snapshot()
    request.status = RequestStatus.DONE
    request.version += 1
    request.save(update_fields=["status", "version", "updated"])
    record_change(ChangeAction.UPDATE, request, before=before, actor=by)
    return request


@transaction.atomic
def do_cancel_request(
    request: VolunteerRequest, *, by: User | None, expected_version: int | None = None
) -> VolunteerRequest:
    """Call a request off: its volunteers come off the roster (unless checked in)."""
    request = locked(VolunteerRequest, request.pk)
    require(by, VolunteerRequest, "change", request)
    check_version(request, expected_version)
    if request.status in (RequestStatus.DONE, RequestStatus.CANCELLED):
        raise ValidationError(
            _("This request is %(status)s already.") % {"status": request.get_status_display()}
        )
    for response in request.responses.filter(assignment__isnull=False).select_related("assignment"):
        assert response.assignment is not None
        staff.do_unassign_shift(response.assignment, by=by)  # type: ignore[arg-type]
    before = request.audit_snapshot()
    request.status = RequestStatus.CANCELLED
    request.version += 1
    request.save(update_fields=["status", "version", "updated"])
    record_change(ChangeAction.UPDATE, request, before=before, actor=by)
    return request
