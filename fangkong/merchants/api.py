"""Merchants under ``/api/v1/``: shops (list, detail, create, update), inspections with their
checklists and notices (read), and the register search (``POST merchant-register/search/``:
the health role only, with a reason, audited; there is no other way to read entries)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.areas.models import Area
from fangkong.core.api import (
    ActionPermission,
    ModelSerializer,
    ProtectedValueField,
    RestrictedPrimaryKeyRelatedField,
    RestrictedReadOnlyViewSet,
    RestrictedViewSet,
    Serializer,
    ServiceModelSerializer,
)
from fangkong.merchants import services
from fangkong.merchants.choices import MerchantStatus
from fangkong.merchants.filtersets import InspectionFilterSet, MerchantFilterSet, NoticeFilterSet
from fangkong.merchants.models import Inspection, InspectionCheck, Merchant, Notice, RegisterEntry


class MerchantSerializer(ServiceModelSerializer):
    area = RestrictedPrimaryKeyRelatedField(queryset=Area.objects.all())
    phone = ProtectedValueField(mask_attr="phone_mask", max_length=20)
    status = serializers.ChoiceField(choices=MerchantStatus.choices, required=False)

    class Meta:
        model = Merchant
        fields = [
            "id",
            "community",
            "area",
            "name",
            "kind",
            "address",
            "licence_number",
            "contact_name",
            "phone",
            "status",
            "status_since",
            "takes_temperature",
            "notes",
            "version",
        ]
        read_only_fields = ["id", "community", "status_since"]


class MerchantViewSet(RestrictedViewSet):
    queryset = Merchant.objects.select_related("community", "area")
    serializer_class = MerchantSerializer
    filterset_class = MerchantFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def create_service(self, data: dict[str, Any]) -> Merchant:
        area = data.pop("area")
        return services.do_create_merchant(area, data, by=self.request.user)

    def update_service(
        self, obj: Merchant, data: dict[str, Any], expected_version: int | None
    ) -> Merchant:
        data.pop("status", None)  # a status change has its history: the page's form
        return services.do_update_merchant(
            obj, data, expected_version=expected_version, by=self.request.user
        )


class CheckSerializer(ModelSerializer):
    class Meta:
        model = InspectionCheck
        fields = ["item", "result", "note", "follow_up", "resolved_at", "resolution"]
        read_only_fields = fields


class InspectionSerializer(ModelSerializer):
    checks = CheckSerializer(many=True, read_only=True)

    class Meta:
        model = Inspection
        fields = [
            "id",
            "merchant",
            "visited_on",
            "inspectors",
            "notice_delivered",
            "book_delivered",
            "signed_by",
            "notes",
            "failed_count",
            "checks",
        ]
        read_only_fields = fields


class InspectionViewSet(RestrictedReadOnlyViewSet):
    queryset = Inspection.objects.prefetch_related("checks")
    serializer_class = InspectionSerializer
    filterset_class = InspectionFilterSet


class NoticeSerializer(ModelSerializer):
    class Meta:
        model = Notice
        fields = ["id", "merchant", "inspection", "delivered_on", "signed_by", "with_book"]
        read_only_fields = fields


class NoticeViewSet(RestrictedReadOnlyViewSet):
    queryset = Notice.objects.all()
    serializer_class = NoticeSerializer
    filterset_class = NoticeFilterSet


class RegisterSearchSerializer(Serializer):
    merchant = RestrictedPrimaryKeyRelatedField(queryset=Merchant.objects.all())
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    reason = serializers.CharField(
        max_length=300, help_text=_("Why the register is searched (recorded).")
    )


class RegisterEntrySerializer(ModelSerializer):
    phone = serializers.CharField(source="phone_mask", read_only=True)

    class Meta:
        model = RegisterEntry
        fields = ["id", "merchant", "at", "name", "phone", "temperature", "source"]
        read_only_fields = fields


class RegisterSearchViewSet(viewsets.GenericViewSet[Any]):
    """Who was in a shop between two times: contact tracing, by the health role."""

    queryset = RegisterEntry.objects.none()
    serializer_class = RegisterEntrySerializer
    permission_classes = [IsAuthenticated, ActionPermission]
    pagination_class = None

    def required_right(self) -> str:
        return "search"

    @extend_schema(
        request=RegisterSearchSerializer, responses={200: RegisterEntrySerializer(many=True)}
    )
    @action(detail=False, methods=["post"])
    def search(self, request: Request) -> Response:
        given = RegisterSearchSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        data = given.validated_data
        entries = services.search_register(
            data["merchant"],
            start=data["start"],
            end=data["end"],
            reason=data["reason"],
            by=request.user,  # type: ignore[arg-type]  # IsAuthenticated: a User
        )
        return Response(RegisterEntrySerializer(entries, many=True).data)


def register(router: Any) -> None:
    router.register("merchants", MerchantViewSet, basename="merchant")
    router.register("merchant-inspections", InspectionViewSet, basename="merchant-inspection")
    router.register("merchant-notices", NoticeViewSet, basename="merchant-notice")
    router.register("merchant-register", RegisterSearchViewSet, basename="merchant-register")
