"""Filters of the counselling cases' list, the page's and the API's."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from fangkong.core.filtersets import FilterSet, IdFilter
from fangkong.counselling.choices import CaseStatus, RiskLevel
from fangkong.counselling.models import CounsellingCase


class CaseFilterSet(FilterSet):
    status = filters.ChoiceFilter(choices=CaseStatus.choices, label=_("status"))
    risk_level = filters.ChoiceFilter(choices=RiskLevel.choices, label=_("risk level"))
    counsellor = IdFilter(field_name="counsellor_id", label=_("counsellor id"))
    person = IdFilter(field_name="person_id", label=_("person id"))

    page_filters = ("status", "risk_level")

    class Meta:
        model = CounsellingCase
        fields = ["status", "risk_level", "counsellor", "person"]
