"""Filters of the corrections' and the activity's lists (the pages' and the API's)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from fangkong.core.filtersets import FilterSet, IdFilter, LocalDayFilter
from fangkong.selfservice.choices import ActivityKind, CorrectionKind, CorrectionStatus
from fangkong.selfservice.models import Activity, Correction, HouseholdLink


class HouseholdLinkFilterSet(FilterSet):
    household = IdFilter(field_name="household_id", label=_("household id"))
    in_force = filters.BooleanFilter(
        field_name="revoked_at", lookup_expr="isnull", label=_("not revoked")
    )

    class Meta:
        model = HouseholdLink
        fields = ["household", "in_force"]


class CorrectionFilterSet(FilterSet):
    status = filters.ChoiceFilter(choices=CorrectionStatus.choices, label=_("status"))
    kind = filters.ChoiceFilter(choices=CorrectionKind.choices, label=_("change"))
    household = IdFilter(field_name="household_id", label=_("household id"))

    page_filters = ("status", "kind")

    class Meta:
        model = Correction
        fields = ["status", "kind", "household"]


class ActivityFilterSet(FilterSet):
    kind = filters.ChoiceFilter(choices=ActivityKind.choices, label=_("what"))
    household = IdFilter(field_name="household_id", label=_("household id"))
    day = LocalDayFilter(field_name="time", label=_("day"))

    page_filters = ("kind", "day")

    class Meta:
        model = Activity
        fields = ["kind", "household", "day"]
