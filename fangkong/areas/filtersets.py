"""Filters of the area tree's list (the API's ``/api/v1/areas/``)."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.filtersets import FilterSet, IdFilter


class AreaFilterSet(FilterSet):
    """``?level=grid``, ``?parent=ID``, ``?search=`` (name or code)."""

    level = filters.ChoiceFilter(choices=AreaLevel.choices)
    parent = IdFilter(field_name="parent_id", label=_("parent area id"))
    search = filters.CharFilter(method="filter_search", label=_("name or code"))

    class Meta:
        model = Area
        fields = ["level", "parent", "search"]

    def filter_search(
        self, queryset: models.QuerySet[Any], name: str, value: str
    ) -> models.QuerySet[Any]:
        text = value.strip()
        return queryset.filter(Q(name__icontains=text) | Q(code=text)) if text else queryset
