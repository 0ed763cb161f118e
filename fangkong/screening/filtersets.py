"""Filters of the screening API's lists: campaigns, call lists, attempts and answers."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django_filters import rest_framework as filters

from fangkong.core.filtersets import FilterSet
from fangkong.screening.choices import AssignmentStatus, Outcome
from fangkong.screening.models import CallAssignment, CallAttempt, Campaign, ScreeningRecord


class CampaignFilterSet(FilterSet):
    status = filters.CharFilter()
    area = filters.NumberFilter(method="filter_area", label=gettext_lazy("area id"))

    class Meta:
        model = Campaign
        fields = ["status", "area"]

    def filter_area(
        self, queryset: models.QuerySet[Any], name: str, value: Any
    ) -> models.QuerySet[Any]:
        return queryset.filter(area_id=int(value))


class AssignmentFilterSet(FilterSet):
    campaign = filters.NumberFilter()
    grid = filters.NumberFilter()
    status = filters.ChoiceFilter(choices=AssignmentStatus.choices)
    mine = filters.BooleanFilter(
        method="filter_mine", label=gettext_lazy("true: households on my own list")
    )
    due = filters.BooleanFilter(
        method="filter_due", label=gettext_lazy("true: pending and due for a call now")
    )

    class Meta:
        model = CallAssignment
        fields = ["campaign", "grid", "status", "mine", "due"]

    def filter_mine(
        self, queryset: models.QuerySet[Any], name: str, value: bool
    ) -> models.QuerySet[Any]:
        user = self.request.user
        return queryset.filter(assignee=user) if value else queryset.exclude(assignee=user)

    def filter_due(
        self, queryset: models.QuerySet[Any], name: str, value: bool
    ) -> models.QuerySet[Any]:
        due = Q(status=AssignmentStatus.PENDING) & (
            Q(next_call_at__isnull=True) | Q(next_call_at__lte=timezone.now())
        )
        return queryset.filter(due) if value else queryset.exclude(due)


class AttemptFilterSet(FilterSet):
    campaign = filters.NumberFilter()
    assignment = filters.NumberFilter()
    outcome = filters.ChoiceFilter(choices=Outcome.choices)

    class Meta:
        model = CallAttempt
        fields = ["campaign", "assignment", "outcome"]


class RecordFilterSet(FilterSet):
    campaign = filters.NumberFilter()
    household = filters.NumberFilter()
    current = filters.BooleanFilter(field_name="is_current")

    class Meta:
        model = ScreeningRecord
        fields = ["campaign", "household", "current"]
