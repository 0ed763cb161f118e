"""Filters of the daily reports' list, the page's and the API's."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from fangkong.core.filtersets import BooleanFilter, FilterSet, IdFilter
from fangkong.daily.choices import TemplateLevel
from fangkong.daily.models import DailyReport, ReportTemplate


class DailyReportFilterSet(FilterSet):
    day = filters.DateFilter(label=_("day"))
    day_from = filters.DateFilter(field_name="day", lookup_expr="gte", label=_("from"))
    day_to = filters.DateFilter(field_name="day", lookup_expr="lte", label=_("to"))
    area = IdFilter(field_name="area_id", label=_("area id"))
    current = BooleanFilter(field_name="is_current", label=_("in force only"))

    page_filters = ("day_from", "day_to", "current")

    class Meta:
        model = DailyReport
        fields = ["day", "day_from", "day_to", "area", "current"]


class ReportTemplateFilterSet(FilterSet):
    area = IdFilter(field_name="area_id", label=_("area id"))
    active = BooleanFilter(field_name="is_active", label=_("active only"))
    level = filters.ChoiceFilter(choices=TemplateLevel.choices, label=_("filled from"))

    page_filters = ("active", "level")

    class Meta:
        model = ReportTemplate
        fields = ["area", "active", "level"]
