"""Filters of the staff lists: one filterset per model, for its page and its API route.

Tasks have a page and a route: a name filters the same way on both; the API's extra filters
(open, community, assignee, mine) stay out of the page's form (``page_filters``). The other
lists are the API's only.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django import forms
from django.db import models
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.conf import settings as filter_settings

from fangkong.core.dates import BoundedIsoDateTimeFilter
from fangkong.core.filtersets import BooleanFilter, FilterSet, IdFilter, ScopedIdFilter
from fangkong.staff.choices import OPEN_STATUSES, TaskKind, TaskPriority, TaskStatus
from fangkong.staff.models import (
    Organisation,
    PatrolVisit,
    Shift,
    ShiftAssignment,
    StaffMember,
    Task,
    Team,
)

#: Status choice meaning "open or in progress" (what the page shows unless told otherwise).
STILL_OPEN = "still_open"
ANY_STATUS = "any"


def _teams(request: Any) -> models.QuerySet[Team]:
    if request is None:
        return Team.objects.none()
    return Team.objects.restrict(request.user)


class StatusSelect(forms.Select):
    """One status, as a page's select offers it; the API may name several
    (``?status=open&status=done``), so the value is always a list."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        if hasattr(data, "getlist"):
            values: list[str] = data.getlist(name)
            return values
        value = data.get(name)
        return value if isinstance(value, list) else [] if value is None else [value]


class TaskFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.MultipleChoiceFilter(
        choices=[
            (STILL_OPEN, _("Open or in progress")),
            *TaskStatus.choices,
            (ANY_STATUS, _("Any status")),
        ],
        widget=StatusSelect,
        method="filter_status",
        label=_("status"),
    )
    priority = django_filters.ChoiceFilter(choices=TaskPriority.choices, label=_("priority"))
    # Any code (the API takes kinds no page lists); the page offers the listed ones.
    kind = django_filters.CharFilter(
        widget=forms.Select(choices=[("", filter_settings.EMPTY_CHOICE_LABEL), *TaskKind.choices]),
        label=_("kind"),
    )
    team = ScopedIdFilter(field_name="team_id", queryset=_teams, label=_("team"))
    overdue = BooleanFilter(method="filter_overdue", label=_("overdue"))
    open = BooleanFilter(method="filter_open", label=gettext_lazy("true: open or in progress"))
    community = IdFilter(field_name="community_id", label=gettext_lazy("community id"))
    assignee = IdFilter(field_name="assignee_id", label=gettext_lazy("assignee's user id"))
    mine = BooleanFilter(
        method="filter_mine", label=gettext_lazy("true: given to me or to my teams")
    )

    page_filters = ("q", "status", "priority", "kind", "team", "overdue")

    class Meta:
        model = Task
        fields = [
            "q",
            "status",
            "priority",
            "kind",
            "team",
            "overdue",
            "open",
            "community",
            "assignee",
            "mine",
        ]

    def filter_status(
        self, queryset: models.QuerySet[Any], name: str, value: list[str]
    ) -> models.QuerySet[Any]:
        if ANY_STATUS in value:
            return queryset
        statuses = {status for status in value if status != STILL_OPEN}
        if STILL_OPEN in value:
            statuses.update(OPEN_STATUSES)
        return queryset.filter(status__in=statuses)

    def filter_open(
        self, queryset: models.QuerySet[Any], name: str, value: bool
    ) -> models.QuerySet[Any]:
        still = Q(status__in=OPEN_STATUSES)
        return queryset.filter(still if value else ~still)

    def filter_mine(
        self, queryset: models.QuerySet[Any], name: str, value: bool
    ) -> models.QuerySet[Any]:
        mine = Task.own_q(self.request.user)
        return queryset.filter(mine if value else ~mine)

    def filter_overdue(
        self, queryset: models.QuerySet[Any], name: str, value: bool
    ) -> models.QuerySet[Any]:
        late = Q(status__in=OPEN_STATUSES, due__lt=timezone.now())
        return queryset.filter(late if value else ~late)

    def search(self, queryset: models.QuerySet[Any], name: str, value: str) -> models.QuerySet[Any]:
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(
            Q(title__icontains=text) | Q(description__icontains=text) | Q(kind__icontains=text)
        )


# --- The API's other lists ------------------------------------------------------------------


class CommunityRowFilterSet(FilterSet):
    """Rows of a community (``?community=ID``); the lists with more filters add theirs."""

    community = IdFilter(field_name="community_id", label=gettext_lazy("community id"))


class OrganisationFilterSet(CommunityRowFilterSet):
    class Meta:
        model = Organisation
        fields = ["community", "kind"]


class StaffMemberFilterSet(CommunityRowFilterSet):
    organisation = IdFilter(field_name="organisation_id", label=gettext_lazy("organisation id"))
    search = filters.CharFilter(
        field_name="name", lookup_expr="icontains", label=gettext_lazy("part of the name")
    )

    class Meta:
        model = StaffMember
        fields = ["community", "organisation", "is_active", "search"]


class ShiftFilterSet(CommunityRowFilterSet):
    checkpoint = IdFilter(field_name="checkpoint_id", label=gettext_lazy("checkpoint id"))
    starts_after = BoundedIsoDateTimeFilter(field_name="start", lookup_expr="gte")
    starts_before = BoundedIsoDateTimeFilter(field_name="start", lookup_expr="lt")
    short = filters.BooleanFilter(
        method="filter_short", label=gettext_lazy("true: fewer people than needed")
    )

    class Meta:
        model = Shift
        fields = ["community", "checkpoint", "starts_after", "starts_before", "short"]

    def filter_short(
        self, queryset: models.QuerySet[Any], name: str, value: bool
    ) -> models.QuerySet[Any]:
        counted: models.QuerySet[Any] = queryset.annotate(_people=Count("assignments"))
        short = Q(_people__lt=F("people_needed"))
        return counted.filter(short if value else ~short)


class ShiftAssignmentFilterSet(FilterSet):
    mine = filters.BooleanFilter(method="filter_mine", label=gettext_lazy("true: my shifts"))
    shift = IdFilter(field_name="shift_id", label=gettext_lazy("shift id"))
    starts_after = BoundedIsoDateTimeFilter(field_name="shift__start", lookup_expr="gte")
    starts_before = BoundedIsoDateTimeFilter(field_name="shift__start", lookup_expr="lt")

    class Meta:
        model = ShiftAssignment
        fields = ["mine", "shift", "starts_after", "starts_before"]

    def filter_mine(
        self, queryset: models.QuerySet[Any], name: str, value: bool
    ) -> models.QuerySet[Any]:
        mine = Q(member__user=self.request.user)
        return queryset.filter(mine if value else ~mine)


class PatrolFilterSet(CommunityRowFilterSet):
    checkpoint = IdFilter(field_name="checkpoint_id", label=gettext_lazy("checkpoint id"))
    after = BoundedIsoDateTimeFilter(field_name="time", lookup_expr="gte")
    before = BoundedIsoDateTimeFilter(field_name="time", lookup_expr="lt")

    class Meta:
        model = PatrolVisit
        fields = ["community", "checkpoint", "after", "before"]
