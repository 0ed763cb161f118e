"""Filters of the outreach lists, the pages' and the API's."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from fangkong.core.filtersets import BooleanFilter, FilterSet, IdFilter, LocalDayFilter
from fangkong.outreach.choices import AudioStatus, ScriptStatus
from fangkong.outreach.models import (
    Announcement,
    BroadcastRound,
    BroadcastScript,
    Guidance,
    NotificationScript,
)


class AnnouncementFilterSet(FilterSet):
    area = IdFilter(field_name="area_id", label=_("area id"))
    valid_on = filters.DateFilter(method="filter_valid_on", label=_("valid on"))
    q = filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("title"))

    page_filters = ("valid_on", "q")

    class Meta:
        model = Announcement
        fields = ["area", "valid_on", "q"]

    def filter_valid_on(
        self, queryset: models.QuerySet[Announcement], name: str, value: dt.date | None
    ) -> models.QuerySet[Announcement]:
        if value is None:
            return queryset
        return queryset.filter(valid_from__lte=value, valid_until__gte=value)


class BroadcastScriptFilterSet(FilterSet):
    community = IdFilter(field_name="community_id", label=_("community id"))
    audio_status = filters.ChoiceFilter(choices=AudioStatus.choices, label=_("audio"))
    active = BooleanFilter(field_name="is_active", label=_("in use"))

    page_filters = ("audio_status", "active")

    class Meta:
        model = BroadcastScript
        fields = ["community", "audio_status", "active"]


class BroadcastRoundFilterSet(FilterSet):
    community = IdFilter(field_name="community_id", label=_("community id"))
    script = IdFilter(field_name="script_id", label=_("broadcast script id"))
    day = LocalDayFilter(field_name="at", label=_("day"))

    page_filters = ("day",)

    class Meta:
        model = BroadcastRound
        fields = ["community", "script", "day"]


class NotificationScriptFilterSet(FilterSet):
    status = filters.ChoiceFilter(choices=ScriptStatus.choices, label=_("status"))
    area = IdFilter(field_name="area_id", label=_("written by (area id)"))
    reach = IdFilter(field_name="reach_id", label=_("used in (area id)"))
    q = filters.CharFilter(field_name="title", lookup_expr="icontains", label=_("title"))

    page_filters = ("status", "q")

    class Meta:
        model = NotificationScript
        fields = ["status", "area", "reach", "q"]


class GuidanceFilterSet(FilterSet):
    area = IdFilter(field_name="area_id", label=_("area id"))

    page_filters = ()

    class Meta:
        model = Guidance
        fields = ["area"]
