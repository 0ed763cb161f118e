"""Checkpoints, shifts, their assignments and swaps in the API."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.api import (
    ModelSerializer,
    RestrictedReadOnlyViewSet,
    RestrictedViewSet,
    Serializer,
    ServiceModelSerializer,
)
from fangkong.registry.api import CommunityField
from fangkong.staff import services
from fangkong.staff.api.common import StaffActionPermission, related_field, valid_data
from fangkong.staff.filtersets import (
    CommunityRowFilterSet,
    ShiftAssignmentFilterSet,
    ShiftFilterSet,
)
from fangkong.staff.models import (
    Checkpoint,
    Shift,
    ShiftAssignment,
    StaffMember,
    SwapRequest,
    Team,
)

# --- Checkpoints, shifts, assignments, swaps ------------------------------------------------


@extend_schema_field(
    {"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$", "example": "07:00:00"}
)
class ClockTimeField(serializers.TimeField):
    """A time of day on the community's clock, ``HH:MM:SS`` (``HH:MM`` accepted). Not
    OpenAPI's ``format: time``, which is RFC 3339's and carries a UTC offset: a gate's
    opening hour has none."""


class CheckpointSerializer(ServiceModelSerializer):
    community = CommunityField()
    opens = ClockTimeField(
        required=False,
        allow_null=True,
        label=gettext_lazy("opens"),
        help_text=gettext_lazy("Empty, with closes: open round the clock."),
    )
    closes = ClockTimeField(required=False, allow_null=True, label=gettext_lazy("closes"))

    class Meta:
        model = Checkpoint
        fields = [
            "id",
            "community",
            "name",
            "location",
            "opens",
            "closes",
            "is_open",
            "notes",
            "version",
        ]


class CheckpointViewSet(RestrictedViewSet):
    queryset = Checkpoint.objects.all()
    serializer_class = CheckpointSerializer
    filterset_class = CommunityRowFilterSet

    def create_service(self, data: dict[str, Any]) -> Checkpoint:
        return services.do_create_checkpoint(by=self.request.user, **data)

    def update_service(
        self, obj: Checkpoint, data: dict[str, Any], expected_version: int | None
    ) -> Checkpoint:
        data.pop("community", None)
        return services.do_update_checkpoint(
            obj, by=self.request.user, expected_version=expected_version, **data
        )


class AssignmentSerializer(ModelSerializer):
    name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = ShiftAssignment
        fields = ["id", "shift", "member", "name", "checked_in_at", "checked_out_at"]
        read_only_fields = fields


class ShiftSerializer(ServiceModelSerializer):
    """A shift (times in UTC, ISO 8601), who is on it and how many are missing."""

    community = CommunityField()
    checkpoint = related_field(Checkpoint, required=False, allow_null=True)
    team = related_field(Team, required=False, allow_null=True)
    place = serializers.CharField(read_only=True)
    people = AssignmentSerializer(source="assignments", many=True, read_only=True)
    missing = serializers.SerializerMethodField()

    class Meta:
        model = Shift
        fields = [
            "id",
            "community",
            "checkpoint",
            "place_name",
            "place",
            "start",
            "end",
            "people_needed",
            "team",
            "notes",
            "people",
            "missing",
            "version",
        ]

    def get_missing(self, shift: Shift) -> int:
        return max(shift.people_needed - len(shift.assignments.all()), 0)


class MemberSerializer(Serializer):
    member = related_field(StaffMember)


class AssignmentChoiceSerializer(Serializer):
    assignment = serializers.IntegerField(min_value=1)


class ShiftViewSet(RestrictedViewSet):
    queryset = Shift.objects.all()
    serializer_class = ShiftSerializer
    filterset_class = ShiftFilterSet

    def get_queryset(self) -> models.QuerySet[Shift]:
        people = ShiftAssignment.objects.select_related("member").order_by("member__name")
        return (
            super()
            .get_queryset()
            .select_related("checkpoint")
            .prefetch_related(Prefetch("assignments", queryset=people))
            .order_by("start", "pk")
        )

    def create_service(self, data: dict[str, Any]) -> Shift:
        return services.do_create_shift(by=self.request.user, **data)

    def update_service(
        self, obj: Shift, data: dict[str, Any], expected_version: int | None
    ) -> Shift:
        data.pop("community", None)
        return services.do_update_shift(
            obj, by=self.request.user, expected_version=expected_version, **data
        )

    def _assignment(self, shift: Shift | None, pk: int) -> ShiftAssignment:
        shifts = Shift.objects.restrict(self.request.user)
        found = ShiftAssignment.objects.filter(pk=pk, shift__in=shifts)
        if shift is not None:
            found = found.filter(shift=shift)
        assignment: ShiftAssignment | None = found.first()
        if assignment is None:
            raise ValidationError({"assignment": _("No such person on a shift you can see.")})
        return assignment

    @extend_schema(request=MemberSerializer, responses={200: ShiftSerializer})
    @action(detail=True, methods=["post"], required_action="view")
    def assign(self, request: Request, pk: str | None = None) -> Response:
        """Put a person on the shift (the shift's owner); refused if they are on duty then."""
        shift = self.get_object()
        data = valid_data(MemberSerializer(data=request.data, context={"request": request}))
        services.do_assign_shift(shift, member=data["member"], by=self.request.user)
        return Response(self.get_serializer(self.reload(shift)).data)

    @extend_schema(request=AssignmentChoiceSerializer, responses={200: ShiftSerializer})
    @action(detail=True, methods=["post"], required_action="view")
    def unassign(self, request: Request, pk: str | None = None) -> Response:
        """Take a person off the shift (not once they have checked in)."""
        shift = self.get_object()
        data = valid_data(AssignmentChoiceSerializer(data=request.data))
        services.do_unassign_shift(
            self._assignment(shift, data["assignment"]), by=self.request.user
        )
        return Response(self.get_serializer(self.reload(shift)).data)

    @extend_schema(request=AssignmentChoiceSerializer, responses={200: ShiftSerializer})
    @action(detail=True, methods=["post"], url_path="move-here", required_action="view")
    def move_here(self, request: Request, pk: str | None = None) -> Response:
        """Move a person from their shift to this one (a shift short of people)."""
        shift = self.get_object()
        data = valid_data(AssignmentChoiceSerializer(data=request.data))
        services.do_move_assignment(
            self._assignment(None, data["assignment"]), to_shift=shift, by=self.request.user
        )
        return Response(self.get_serializer(self.reload(shift)).data)


class ShiftAssignmentViewSet(RestrictedReadOnlyViewSet):
    """People on the shifts the caller sees; a person checks in and out of their own."""

    queryset = ShiftAssignment.objects.all()
    serializer_class = AssignmentSerializer
    filterset_class = ShiftAssignmentFilterSet
    permission_classes = [StaffActionPermission]
    #: Rights are those on shifts: a volunteer sees their own shifts and checks in.
    permission_model = Shift

    def get_queryset(self) -> models.QuerySet[ShiftAssignment]:
        shifts = Shift.objects.restrict(self.request.user)
        return (
            ShiftAssignment.objects.filter(shift__in=shifts)
            .select_related("member")
            .order_by("shift__start", "pk")
        )

    @extend_schema(request=None, responses={200: AssignmentSerializer})
    @action(detail=True, methods=["post"], url_path="check-in", required_action="view")
    def check_in(self, request: Request, pk: str | None = None) -> Response:
        """The person on the shift arrives: from 30 minutes before it until it ends."""
        assignment = services.do_check_in(self.get_object(), by=self.request.user)
        return Response(AssignmentSerializer(assignment).data)

    @extend_schema(request=None, responses={200: AssignmentSerializer})
    @action(detail=True, methods=["post"], url_path="check-out", required_action="view")
    def check_out(self, request: Request, pk: str | None = None) -> Response:
        """The person leaves: after checking in, until 30 minutes after the shift."""
        assignment = services.do_check_out(self.get_object(), by=self.request.user)
        return Response(AssignmentSerializer(assignment).data)


class SwapSerializer(ServiceModelSerializer):
    shift = related_field(Shift)
    from_member = related_field(StaffMember)
    to_member = serializers.PrimaryKeyRelatedField(queryset=StaffMember.objects.all())
    return_shift = serializers.PrimaryKeyRelatedField(
        queryset=Shift.objects.all(), required=False, allow_null=True
    )

    class Meta:
        model = SwapRequest
        fields = [
            "id",
            "community",
            "shift",
            "from_member",
            "to_member",
            "return_shift",
            "status",
            "note",
            "decided_by",
            "decided_at",
            "decision_note",
            "created",
            "version",
        ]
        read_only_fields = [
            "community",
            "status",
            "decided_by",
            "decided_at",
            "decision_note",
            "created",
        ]

    def get_fields(self) -> dict[str, Any]:
        fields: dict[str, Any] = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            # A colleague and their shift, in the caller's community (volunteers do not see
            # the others' rows, yet swap with them).
            community = user.community if user.area_id else None
            colleagues = StaffMember.objects.filter(community=community, is_active=True)
            fields["to_member"].queryset = colleagues
            fields["return_shift"].queryset = Shift.objects.filter(community=community)
            fields["from_member"] = serializers.PrimaryKeyRelatedField(
                queryset=colleagues, pk_field=fields["from_member"].pk_field
            )  # bounded id
        return fields


class DecisionSerializer(Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class SwapRequestViewSet(mixins.CreateModelMixin, RestrictedReadOnlyViewSet):
    """Swaps asked by the people on the shifts, decided by the shifts' owners."""

    queryset = SwapRequest.objects.all()
    serializer_class = SwapSerializer
    filterset_class = CommunityRowFilterSet

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        swap = services.do_request_swap(by=self.request.user, **data)
        serializer.instance = swap

    @extend_schema(request=DecisionSerializer, responses={200: SwapSerializer})
    @action(detail=True, methods=["post"], required_action="view")
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """Approve (the people change places) or reject; the shift's owner only."""
        swap = self.get_object()
        data = valid_data(DecisionSerializer(data=request.data))
        swap = services.do_decide_swap(
            swap, by=self.request.user, approve=data["approve"], note=data.get("note", "")
        )
        return Response(self.get_serializer(swap).data)

    @extend_schema(request=None, responses={200: SwapSerializer})
    @action(detail=True, methods=["post"], required_action="view")
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """The person who asked withdraws a swap still waiting."""
        swap = services.do_withdraw_swap(self.get_object(), by=self.request.user)
        return Response(self.get_serializer(swap).data)
