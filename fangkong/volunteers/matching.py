"""Which volunteers fit a request: active, fit for duty (checked recently), serving the
request's area, with every skill it wants, available that weekday for the whole time
window, and not already booked at an overlapping time (on another request, or on any shift
of the roster).

The database narrows by community, state, area, skills and weekday (indexed columns and one
LIKE each); the time of day is compared in Python, since a window may run past midnight.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.staff.duty_hours import zone_of
from fangkong.staff.models import ShiftAssignment
from fangkong.volunteers.choices import Answer, Health, RequestStatus, unpack_codes
from fangkong.volunteers.models import Volunteer, VolunteerRequest, VolunteerResponse

#: A health check older than this (before the request's day) no longer counts.
HEALTH_CHECK_VALID = dt.timedelta(days=14)
DAY = 24 * 60


def _minutes(value: dt.time) -> int:
    return value.hour * 60 + value.minute


def window_covers(
    available_from: dt.time, available_until: dt.time, start: dt.datetime, end: dt.datetime
) -> bool:
    """Whether a daily window (local times; ending at or before its start: past midnight;
    00:00–00:00 the whole day) holds the local stretch ``start``–``end`` that begins on a
    day the volunteer is available."""
    length = (end - start).total_seconds() / 60
    begin = _minutes(available_from)
    finish = _minutes(available_until)
    if finish <= begin:
        finish += DAY
    if finish - begin >= DAY:
        return length <= DAY
    at = start.hour * 60 + start.minute + start.second / 60
    return begin <= at and at + length <= finish


def booked_volunteer_ids(
    community_id: int, start: dt.datetime, end: dt.datetime, exclude_request: int | None = None
) -> set[int]:
    """Volunteers who are on duty at some moment of [start, end): accepted on an overlapping
    request, or on an overlapping shift of the roster."""
    on_requests = (
        VolunteerResponse.objects.filter(
            community_id=community_id,
            answer=Answer.ACCEPTED,
            request__start__lt=end,
            request__end__gt=start,
        )
        .exclude(request__status=RequestStatus.CANCELLED)
        .exclude(request_id=exclude_request)
        .values_list("volunteer_id", flat=True)
    )
    on_shifts = ShiftAssignment.objects.filter(
        community_id=community_id, shift__start__lt=end, shift__end__gt=start
    )
    if exclude_request is not None:
        on_shifts = on_shifts.exclude(shift__volunteer_request__id=exclude_request)
    by_member = Volunteer.objects.filter(
        community_id=community_id, staff_member_id__in=on_shifts.values("member_id")
    ).values_list("id", flat=True)
    return set(on_requests) | set(by_member)


def candidates(request: VolunteerRequest) -> QuerySet[Volunteer]:
    """The database's part of the match (everything but the time of day and bookings)."""
    zone = zone_of(request.community)
    local_start = timezone.localtime(request.start, zone)
    checked_since = local_start.date() - HEALTH_CHECK_VALID
    qs = Volunteer.objects.filter(
        community_id=request.community_id,
        is_active=True,
        health=Health.FIT,
        health_checked_on__gte=checked_since,
        weekdays__contains=str(local_start.isoweekday()),
    ).filter(Q(area_id=request.community_id) | Q(area_id=request.area_id))
    for skill in unpack_codes(request.skills):
        qs = qs.filter(skills__contains=f"|{skill}|")
    return qs.select_related("person").order_by("rank", "id")


def fits(volunteer: Volunteer, request: VolunteerRequest) -> bool:
    zone = zone_of(request.community)
    return window_covers(
        volunteer.available_from,
        volunteer.available_until,
        timezone.localtime(request.start, zone),
        timezone.localtime(request.end, zone),
    )


def matching_volunteers(request: VolunteerRequest, limit: int | None = None) -> list[Volunteer]:
    """Volunteers to ask for ``request``, veterans first; those who answered it left out."""
    answered = set(
        VolunteerResponse.objects.filter(request=request).values_list("volunteer_id", flat=True)
    )
    booked = booked_volunteer_ids(
        request.community_id, request.start, request.end, exclude_request=request.pk
    )
    found: list[Volunteer] = []
    for volunteer in candidates(request).iterator(chunk_size=500):
        if volunteer.pk in answered or volunteer.pk in booked or not fits(volunteer, request):
            continue
        found.append(volunteer)
        if limit is not None and len(found) >= limit:
            break
    return found


def why_not(volunteer: Volunteer, request: VolunteerRequest) -> str | None:
    """Why ``volunteer`` cannot take ``request`` (a sentence), or None when they can."""
    name = {"name": volunteer}
    local_start = timezone.localtime(request.start, zone_of(request.community))
    if volunteer.community_id != request.community_id:
        return _("This volunteer belongs to another community.")
    if not volunteer.is_active:
        return _("%(name)s is no longer active.") % name
    if volunteer.health != Health.FIT:
        return _("%(name)s is not fit for duty.") % name
    checked = volunteer.health_checked_on
    if checked is None or checked < local_start.date() - HEALTH_CHECK_VALID:
        return _("%(name)s has no health check of the last 14 days.") % name
    if volunteer.area_id not in (request.community_id, request.area_id):
        return _("%(name)s does not serve this area.") % name
    missing = set(unpack_codes(request.skills)) - set(unpack_codes(volunteer.skills))
    if missing:
        return _("%(name)s lacks a skill the request wants.") % name
    if str(local_start.isoweekday()) not in volunteer.weekdays or not fits(volunteer, request):
        return _("%(name)s is not available at this time.") % name
    booked = booked_volunteer_ids(
        request.community_id, request.start, request.end, exclude_request=request.pk
    )
    if volunteer.pk in booked:
        return _("%(name)s is already on duty at this time.") % name
    return None
