"""Volunteers' figures: a community's at a glance (through ``restrict(user)``) and the
daily report's (``DAILY_FIGURES``): volunteers active, volunteers on duty that day, and the
hours served on the duties of that day."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy

from fangkong.core.daily_figures import Counts, DailyCounter, DayWindow, fill
from fangkong.volunteers.choices import Answer, RequestStatus
from fangkong.volunteers.models import Volunteer, VolunteerRequest, VolunteerResponse

if TYPE_CHECKING:
    from fangkong.accounts.models import User
    from fangkong.areas.models import Area


def volunteer_figures(user: User, community: Area) -> dict[str, Any]:
    """A community's volunteers at a glance, as ``user`` may see them."""
    volunteers = Volunteer.objects.restrict(user).filter(community=community)
    counts = volunteers.aggregate(
        active=Count("pk", filter=Q(is_active=True)),
        veterans=Count("pk", filter=Q(is_active=True, rank=0)),
    )
    requests = VolunteerRequest.objects.restrict(user).filter(community=community)
    hours = (
        VolunteerResponse.objects.restrict(user)
        .filter(community=community, answer=Answer.ACCEPTED)
        .aggregate(h=Sum("hours"))["h"]
    )
    return {
        "active": counts["active"],
        "veterans": counts["veterans"],
        "open_requests": requests.filter(status=RequestStatus.OPEN).count(),
        "hours": Decimal(hours or 0),
    }


def count_daily(window: DayWindow) -> Counts:
    """Three grouped queries: volunteers active at the end of the day (as they stand), the
    volunteers accepted on a duty overlapping the day, and the hours served on duties that
    began that day (whole hours)."""
    counts = window.counts(DAILY_FIGURES[0].keys)
    ids, start, end = window.community_ids, window.start, window.end
    fill(
        counts,
        Volunteer.objects.filter(community_id__in=ids, is_active=True, created__lt=end)
        .order_by()
        .values("community_id")
        .annotate(active=Count("pk")),
        {"active": "volunteers.active"},
    )
    duties = VolunteerResponse.objects.filter(community_id__in=ids, answer=Answer.ACCEPTED).exclude(
        request__status=RequestStatus.CANCELLED
    )
    fill(
        counts,
        duties.filter(request__start__lt=end, request__end__gt=start)
        .order_by()
        .values("community_id")
        .annotate(on_duty=Count("volunteer_id", distinct=True)),
        {"on_duty": "volunteers.on_duty"},
    )
    for row in (
        duties.filter(request__start__gte=start, request__start__lt=end, hours__isnull=False)
        .order_by()
        .values("community_id")
        .annotate(hours=Sum("hours"))
    ):
        if row["community_id"] in counts:
            counts[row["community_id"]]["volunteers.hours"] = int(row["hours"] or 0)
    return counts


DAILY_FIGURES = [
    DailyCounter(
        group=gettext_lazy("Volunteers"),
        figures=(
            ("volunteers.active", gettext_lazy("Volunteers active")),
            ("volunteers.on_duty", gettext_lazy("Volunteers on duty")),
            ("volunteers.hours", gettext_lazy("Volunteer hours served")),
        ),
        count=count_daily,
    )
]
