"""Assignments in the API: ``/api/v1/assignments/`` lists those in the caller's areas,
creates one (``do_add_assignment``) and ends one (``POST …/{id}/end/``, ``do_end_assignment``).

Kept apart from the users' API (``accounts/api.py``): the two grow separately.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.accounts import services
from fangkong.accounts.choices import Role
from fangkong.accounts.models import Assignment, User
from fangkong.areas.models import Area
from fangkong.core.api import (
    RestrictedPrimaryKeyRelatedField,
    RestrictedReadOnlyViewSet,
    Serializer,
    ServiceModelSerializer,
)
from fangkong.core.filtersets import FilterSet, IdFilter


class AssignmentFilterSet(FilterSet):
    """``?user=ID``, ``?area=ID``, ``?role=``."""

    user = IdFilter(field_name="user_id", label=_("user id"))
    area = IdFilter(field_name="area_id", label=_("area id"))
    role = filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = Assignment
        fields = ["user", "area", "role"]


class AccountAssignmentSerializer(ServiceModelSerializer):
    """One assignment: whose, which role where, from and until when, and its state today
    (``active``, ``future`` or ``ended``)."""

    user = RestrictedPrimaryKeyRelatedField(queryset=User.objects.all())
    area = RestrictedPrimaryKeyRelatedField(queryset=Area.objects.all())
    role = serializers.ChoiceField(choices=Role.choices)
    state = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = [
            "id",
            "user",
            "role",
            "area",
            "starts_on",
            "ends_on",
            "note",
            "ended_at",
            "state",
            "version",
        ]
        read_only_fields = ["ended_at", "state"]

    def get_state(self, obj: Assignment) -> str:
        return obj.state()


class EndAccountAssignmentSerializer(Serializer):
    """The last day (omitted: now) and the version read."""

    ends_on = serializers.DateField(required=False, allow_null=True)
    version = serializers.IntegerField(required=False, min_value=1)


class AssignmentViewSet(mixins.CreateModelMixin, RestrictedReadOnlyViewSet):
    """Assignments in the caller's areas; create one, end one. Never deleted."""

    queryset = Assignment.objects.select_related("area", "user")
    serializer_class = AccountAssignmentSerializer
    filterset_class = AssignmentFilterSet

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        user = data.pop("user")
        assignment = services.do_add_assignment(user, by=self.request.user, **data)
        serializer.instance = self.get_queryset().filter(pk=assignment.pk).first() or assignment

    @extend_schema(
        request=EndAccountAssignmentSerializer, responses={200: AccountAssignmentSerializer}
    )
    @action(detail=True, methods=["post"], required_action="change", can_conflict=True)
    def end(self, request: Request, pk: str | None = None) -> Response:
        """End the assignment now, or on the last day given."""
        body = EndAccountAssignmentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ended = services.do_end_assignment(
            self.get_object(),
            by=self.request.user,
            ends_on=body.validated_data.get("ends_on"),
            expected_version=body.validated_data.get("version"),
        )
        return Response(self.get_serializer(ended).data)

    def get_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset().order_by("id")
