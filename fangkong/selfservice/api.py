"""Self-service for staff under ``/api/v1/selfservice/``: households' links (list, issue,
revoke), corrections (list, approve, reject) and the activity log. Each write goes through
the services; a link's token is in the answer to its issue only."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.api import (
    ModelSerializer,
    RestrictedPrimaryKeyRelatedField,
    RestrictedReadOnlyViewSet,
    RestrictedViewSet,
    Serializer,
)
from fangkong.registry.models import Household
from fangkong.selfservice import services
from fangkong.selfservice.filtersets import (
    ActivityFilterSet,
    CorrectionFilterSet,
    HouseholdLinkFilterSet,
)
from fangkong.selfservice.models import Activity, Correction, HouseholdLink


class HouseholdLinkSerializer(ModelSerializer):
    in_force = serializers.BooleanField(read_only=True)

    class Meta:
        model = HouseholdLink
        fields = [
            "id",
            "household",
            "created",
            "expires_at",
            "revoked_at",
            "revoked_reason",
            "locked_until",
            "in_force",
            "version",
        ]
        read_only_fields = fields


class IssuedLinkSerializer(HouseholdLinkSerializer):
    url = serializers.CharField(read_only=True, help_text="The household's link, shown once.")

    class Meta(HouseholdLinkSerializer.Meta):
        fields = [*HouseholdLinkSerializer.Meta.fields, "url"]
        read_only_fields = fields


class IssueLinkSerializer(Serializer):
    household = RestrictedPrimaryKeyRelatedField(queryset=Household.objects.all())


class RevokeLinkSerializer(Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)
    version = serializers.IntegerField(required=False, min_value=1)


class HouseholdLinkViewSet(RestrictedViewSet):
    """Households' links (the token itself is never stored: only the issue shows it)."""

    queryset = HouseholdLink.objects.all()
    serializer_class = HouseholdLinkSerializer
    filterset_class = HouseholdLinkFilterSet
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=IssueLinkSerializer, responses={201: IssuedLinkSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Issue a link for a household, replacing the one in force."""
        given = IssueLinkSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        link, token = services.do_issue_link(
            given.validated_data["household"], by=self.request.user
        )
        data = dict(HouseholdLinkSerializer(self.reload(link)).data)
        data["url"] = request.build_absolute_uri(reverse("selfservice:open", args=[token]))
        return Response(data, status=201)

    @extend_schema(request=RevokeLinkSerializer, responses={200: HouseholdLinkSerializer})
    @action(detail=True, methods=["post"], required_action="change", can_conflict=True)
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        """Revoke the link at once."""
        link = self.get_object()
        given = RevokeLinkSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        link = services.do_revoke_link(
            link,
            by=self.request.user,
            reason=given.validated_data.get("reason", ""),
            expected_version=given.validated_data.get("version"),
        )
        return Response(self.get_serializer(self.reload(link)).data)


class CorrectionSerializer(ModelSerializer):
    class Meta:
        model = Correction
        fields = [
            "id",
            "household",
            "kind",
            "person",
            "proposed_phone_mask",
            "name",
            "sex",
            "birth_date",
            "date",
            "target_household",
            "note",
            "status",
            "created",
            "decided_by",
            "decided_at",
            "decision_reason",
            "version",
        ]
        read_only_fields = fields


class DecideSerializer(Serializer):
    version = serializers.IntegerField(required=False, min_value=1)


class RejectSerializer(DecideSerializer):
    # Not required here: the service refuses a missing reason with its own message.
    reason = serializers.CharField(required=False, allow_blank=True, max_length=200)


class CorrectionViewSet(RestrictedReadOnlyViewSet):
    """Corrections households proposed; the grid worker or the office decides them."""

    queryset = Correction.objects.all()
    serializer_class = CorrectionSerializer
    filterset_class = CorrectionFilterSet

    @extend_schema(request=DecideSerializer, responses={200: CorrectionSerializer})
    @action(detail=True, methods=["post"], required_action="change", can_conflict=True)
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve: the registry is changed through its own services."""
        correction = self.get_object()
        given = DecideSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        correction = services.do_approve_correction(
            correction, by=self.request.user, expected_version=given.validated_data.get("version")
        )
        return Response(self.get_serializer(correction).data)

    @extend_schema(request=RejectSerializer, responses={200: CorrectionSerializer})
    @action(detail=True, methods=["post"], required_action="change", can_conflict=True)
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """Reject with a reason the household reads on its page."""
        correction = self.get_object()
        given = RejectSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        correction = services.do_reject_correction(
            correction,
            by=self.request.user,
            reason=given.validated_data.get("reason", ""),
            expected_version=given.validated_data.get("version"),
        )
        return Response(self.get_serializer(correction).data)


class ActivitySerializer(ModelSerializer):
    class Meta:
        model = Activity
        fields = ["id", "household", "kind", "time", "detail"]
        read_only_fields = fields


class ActivityViewSet(RestrictedReadOnlyViewSet):
    """What households did through their links, newest first."""

    queryset = Activity.objects.all()
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilterSet


def register(router: Any) -> None:
    router.register("selfservice/links", HouseholdLinkViewSet, basename="selfservice-link")
    router.register("selfservice/corrections", CorrectionViewSet, basename="selfservice-correction")
    router.register("selfservice/activity", ActivityViewSet, basename="selfservice-activity")
