"""The jurisdiction tree in the API, read-only: ``/api/v1/areas/``.

Areas are set up by administrators (``manage.py`` and the admin), so the API only lists them:
a client needs their ids for the ``area`` and ``grid`` filters and for new buildings.
"""

from __future__ import annotations

from rest_framework import serializers

from fangkong.areas.filtersets import AreaFilterSet
from fangkong.areas.models import Area
from fangkong.core.api import ModelSerializer, RestrictedReadOnlyViewSet


class AreaSerializer(ModelSerializer):
    """One area: its level, name, code and parent."""

    url = serializers.HyperlinkedIdentityField(view_name="api:area-detail")

    class Meta:
        model = Area
        fields = ["id", "url", "level", "name", "code", "parent", "time_zone", "fever_threshold"]


class AreaViewSet(RestrictedReadOnlyViewSet):
    """Areas in the caller's part of the tree: their own area and everything below it."""

    queryset = Area.objects.all()
    serializer_class = AreaSerializer
    filterset_class = AreaFilterSet
