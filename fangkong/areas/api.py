"""The jurisdiction tree in the API, read-only: ``/api/v1/areas/``.

Areas are set up by administrators (``manage.py`` and the admin), so the API only lists them:
a client needs their ids for the ``area`` and ``grid`` filters and for new buildings.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from rest_framework import serializers

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.api import IdFilter, ModelSerializer, RestrictedReadOnlyViewSet
from fangkong.core.filtersets import FilterSet


class AreaSerializer(ModelSerializer):
    """One area: its level, name, code and parent."""

    url = serializers.HyperlinkedIdentityField(view_name="api:area-detail")

    class Meta:
        model = Area
        fields = ["id", "url", "level", "name", "code", "parent", "time_zone", "fever_threshold"]


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


class AreaViewSet(RestrictedReadOnlyViewSet):
    """Areas in the caller's part of the tree: their own area and everything below it."""

    queryset = Area.objects.all()
    serializer_class = AreaSerializer
    filterset_class = AreaFilterSet
