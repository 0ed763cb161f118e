"""Filters of the volunteers' and requests' lists, the pages' and the API's."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from fangkong.core.filtersets import BooleanFilter, FilterSet, IdFilter
from fangkong.volunteers.choices import Health, RequestStatus, Skill, VolunteerGroup
from fangkong.volunteers.models import Volunteer, VolunteerRequest


class VolunteerFilterSet(FilterSet):
    community = IdFilter(field_name="community_id", label=_("community id"))
    group = filters.ChoiceFilter(
        label=_("group"), choices=VolunteerGroup.choices, method="filter_group"
    )
    skill = filters.ChoiceFilter(label=_("skill"), choices=Skill.choices, method="filter_skill")
    health = filters.ChoiceFilter(label=_("health"), choices=Health.choices)
    active = BooleanFilter(field_name="is_active", label=_("active"))
    resident = BooleanFilter(
        field_name="person", lookup_expr="isnull", exclude=True, label=_("resident")
    )

    page_filters = ("group", "skill", "health", "active")

    class Meta:
        model = Volunteer
        fields = ["community", "group", "skill", "health", "active", "resident"]

    def filter_group(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(groups__contains=f"|{value}|") if value else queryset

    def filter_skill(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        return queryset.filter(skills__contains=f"|{value}|") if value else queryset


class VolunteerRequestFilterSet(FilterSet):
    community = IdFilter(field_name="community_id", label=_("community id"))
    status = filters.ChoiceFilter(label=_("status"), choices=RequestStatus.choices)
    start_from = filters.DateFilter(field_name="start", lookup_expr="date__gte", label=_("from"))
    start_to = filters.DateFilter(field_name="start", lookup_expr="date__lte", label=_("to"))

    page_filters = ("status", "start_from", "start_to")

    class Meta:
        model = VolunteerRequest
        fields = ["community", "status", "start_from", "start_to"]
