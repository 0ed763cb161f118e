"""The jurisdiction tree in the API: ``/api/v1/areas/``.

Everyone lists the areas of their part of the tree (a client needs their ids for the
``area`` and ``grid`` filters and for new buildings); an administrator also adds areas below
its own, renames them, changes a community's settings, moves and closes them, through the
same services as the pages (``areas.services``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.areas import services
from fangkong.areas.filtersets import AreaFilterSet
from fangkong.areas.models import Area
from fangkong.core.api import (
    RestrictedPrimaryKeyRelatedField,
    RestrictedViewSet,
    Serializer,
    ServiceModelSerializer,
)


class AreaSerializer(ServiceModelSerializer):
    """One area: its level, name, code and parent; a community's settings; whether closed.

    On create the level follows from ``parent``; ``parent`` changes only through ``move/``."""

    url = serializers.HyperlinkedIdentityField(view_name="api:area-detail")
    parent = RestrictedPrimaryKeyRelatedField(  # type: ignore[assignment]  # DRF stubs: a Field
        queryset=Area.objects.all(), required=False
    )

    class Meta:
        model = Area
        fields = [
            "id",
            "url",
            "level",
            "name",
            "code",
            "parent",
            "time_zone",
            "fever_threshold",
            "contact_phone",
            "closed_at",
            "closed_reason",
            "version",
        ]
        read_only_fields = ["level", "closed_at", "closed_reason"]


class AreaMoveSerializer(Serializer):
    parent = RestrictedPrimaryKeyRelatedField(  # type: ignore[assignment]  # DRF stubs
        queryset=Area.objects.all(), help_text=gettext_lazy("The new parent area's id.")
    )
    version = serializers.IntegerField(required=False, min_value=1)


class AreaCloseSerializer(Serializer):
    reason = serializers.CharField(max_length=200)
    move_to = RestrictedPrimaryKeyRelatedField(
        queryset=Area.objects.all(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy(
            "Closing a grid: another grid of its community that takes its buildings (with "
            "their residents and passes) and open tasks."
        ),
    )
    version = serializers.IntegerField(required=False, min_value=1)


class AreaViewSet(RestrictedViewSet):
    """Areas in the caller's part of the tree: their own area and everything below it."""

    queryset = Area.objects.all()
    serializer_class = AreaSerializer
    filterset_class = AreaFilterSet

    def create_service(self, data: dict[str, Any]) -> Area:
        parent = data.pop("parent", None)
        if parent is None:
            raise ValidationError({"parent": _("Choose the area the new one lies in.")})
        return services.do_create_area(parent=parent, by=self.request.user, **data)

    def update_service(self, obj: Area, data: dict[str, Any], expected_version: int | None) -> Area:
        parent = data.pop("parent", None)
        if parent is not None and parent.pk != obj.parent_id:
            raise ValidationError({"parent": _("Move an area with its move/ route.")})
        return services.do_update_area(
            obj, by=self.request.user, expected_version=expected_version, **data
        )

    @extend_schema(request=AreaMoveSerializer, responses={200: AreaSerializer})
    @action(detail=True, methods=["post"], required_action="change", can_conflict=True)
    def move(self, request: Request, pk: str | None = None) -> Response:
        """Hang the area under another parent of the level above (within the caller's
        scope). A grid holding buildings, residents, passes or open tasks does not move to
        another community: 400 with the counts."""
        area = self.get_object()
        form = AreaMoveSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        area = services.do_move_area(
            area,
            parent=form.validated_data["parent"],
            by=self.request.user,
            expected_version=form.validated_data.get("version"),
        )
        return Response(self.get_serializer(self.reload(area)).data)

    @extend_schema(request=AreaCloseSerializer, responses={200: AreaSerializer})
    @action(detail=True, methods=["post"], required_action="deactivate", can_conflict=True)
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close the area and the areas below it. One still holding residents, passes, open
        tasks or accounts is refused with the counts (400), unless a grid's are moved to
        ``move_to``."""
        area = self.get_object()
        form = AreaCloseSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        area = services.do_close_area(
            area,
            by=self.request.user,
            reason=form.validated_data["reason"],
            move_to=form.validated_data.get("move_to"),
            expected_version=form.validated_data.get("version"),
        )
        return Response(self.get_serializer(self.reload(area)).data)
