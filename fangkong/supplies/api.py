"""Supplies under ``/api/v1/supplies/``: items (read, add), donations, the ledger's
movements and balances on a date (read), and requests (read, ask)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.api import (
    ModelSerializer,
    RestrictedPrimaryKeyRelatedField,
    RestrictedReadOnlyViewSet,
    RestrictedViewSet,
    Serializer,
    ServiceModelSerializer,
)
from fangkong.supplies import services
from fangkong.supplies.choices import Unit
from fangkong.supplies.filtersets import (
    DonationFilterSet,
    ItemFilterSet,
    MovementFilterSet,
    SupplyRequestFilterSet,
)
from fangkong.supplies.models import (
    Donation,
    Item,
    Lot,
    Movement,
    Pack,
    Place,
    Stock,
    SupplyRequest,
)


class PackSerializer(ModelSerializer):
    class Meta:
        model = Pack
        fields = ["unit", "size"]


class PackListField(serializers.ListField):
    """An item's packs: a bounded list in (a ListField, so the schema says maxItems), the
    item's related packs out."""

    def to_representation(self, data: Any) -> list[Any]:
        return super().to_representation(data.all() if hasattr(data, "all") else data)


class ItemSerializer(ServiceModelSerializer):
    community = RestrictedPrimaryKeyRelatedField(
        queryset=Area.objects.filter(level=AreaLevel.COMMUNITY)
    )
    packs = PackListField(child=PackSerializer(), required=False, max_length=10)

    class Meta:
        model = Item
        fields = ["id", "community", "name", "category", "base_unit", "packs", "notes", "version"]
        read_only_fields = ["id"]


class ItemViewSet(RestrictedViewSet):
    queryset = Item.objects.prefetch_related("packs")
    serializer_class = ItemSerializer
    filterset_class = ItemFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def create_service(self, data: dict[str, Any]) -> Item:
        packs = [(p["unit"], p["size"]) for p in data.pop("packs", [])]
        return services.do_save_item(by=self.request.user, packs=packs, **data)


class LotSerializer(ModelSerializer):
    class Meta:
        model = Lot
        fields = [
            "id",
            "item",
            "quantity",
            "entered_quantity",
            "entered_unit",
            "condition",
            "expiry",
        ]
        read_only_fields = fields


class DonationSerializer(ModelSerializer):
    lots = LotSerializer(many=True, read_only=True)

    class Meta:
        model = Donation
        fields = [
            "id",
            "community",
            "donor_kind",
            "donor_name",
            "veteran",
            "donated_on",
            "place",
            "received_by_name",
            "lots",
            "version",
        ]
        read_only_fields = fields


class DonationViewSet(RestrictedReadOnlyViewSet):
    queryset = Donation.objects.prefetch_related("lots")
    serializer_class = DonationSerializer
    filterset_class = DonationFilterSet


class MovementSerializer(ModelSerializer):
    donation = serializers.IntegerField(source="lot.donation_id", read_only=True, allow_null=True)

    class Meta:
        model = Movement
        fields = [
            "id",
            "community",
            "batch",
            "kind",
            "day",
            "item",
            "place",
            "lot",
            "donation",
            "quantity",
            "reason",
            "other_place",
            "household",
            "signed_by",
            "note",
            "request",
        ]
        read_only_fields = fields


class MovementViewSet(RestrictedReadOnlyViewSet):
    queryset = Movement.objects.select_related("lot")
    serializer_class = MovementSerializer
    filterset_class = MovementFilterSet


class BalanceSerializer(Serializer):
    item = serializers.IntegerField()
    place = serializers.IntegerField()
    day = serializers.DateField()
    quantity = serializers.IntegerField()
    minimum = serializers.IntegerField()


class BalanceViewSet(RestrictedReadOnlyViewSet):
    """Each item's balance in each place at the end of ``day`` (today by default), summed
    from the ledger. A row per stock row (item and place) the caller sees."""

    queryset = Stock.objects.all()
    serializer_class = BalanceSerializer

    @extend_schema(
        parameters=[OpenApiParameter("day", str, description="YYYY-MM-DD")],
        responses={200: BalanceSerializer(many=True)},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        text = request.query_params.get("day", "")
        try:
            day = dt.date.fromisoformat(text) if text else timezone.localdate()
        except ValueError:
            raise ApiValidationError({"day": [_("Give the date as YYYY-MM-DD.")]}) from None
        stocks = self.paginate_queryset(
            self.get_queryset().order_by("community_id", "place_id", "item_id", "id")
        )
        assert stocks is not None
        balances = services.balances_on(
            {s.community_id for s in stocks}, day, place_ids={s.place_id for s in stocks}
        )
        rows = [
            {
                "item": s.item_id,
                "place": s.place_id,
                "day": day,
                "quantity": balances.get((s.item_id, s.place_id), 0),
                "minimum": s.minimum,
            }
            for s in stocks
        ]
        return self.get_paginated_response(BalanceSerializer(rows, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        stock: Stock = self.get_object()
        return Response(
            BalanceSerializer(
                {
                    "item": stock.item_id,
                    "place": stock.place_id,
                    "day": timezone.localdate(),
                    "quantity": stock.quantity,
                    "minimum": stock.minimum,
                }
            ).data
        )


class SupplyAskSerializer(ServiceModelSerializer):
    place = RestrictedPrimaryKeyRelatedField(queryset=Place.objects.all())
    item = RestrictedPrimaryKeyRelatedField(
        queryset=Item.objects.all(), required=False, allow_null=True
    )
    unit = serializers.ChoiceField(choices=Unit.choices, required=False, write_only=True)

    class Meta:
        model = SupplyRequest
        fields = [
            "id",
            "community",
            "place",
            "item",
            "quantity",
            "unit",
            "note",
            "status",
            "requested_at",
            "decided_at",
            "refusal",
            "patrol_visit",
            "version",
        ]
        read_only_fields = [
            "id",
            "community",
            "status",
            "requested_at",
            "decided_at",
            "refusal",
            "patrol_visit",
        ]


class SupplyRequestViewSet(RestrictedViewSet):
    queryset = SupplyRequest.objects.all()
    serializer_class = SupplyAskSerializer
    filterset_class = SupplyRequestFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def create_service(self, data: dict[str, Any]) -> SupplyRequest:
        return services.do_request_supplies(
            place=data["place"],
            item=data.get("item"),
            quantity=data.get("quantity"),
            unit=data.get("unit", ""),
            note=data.get("note", ""),
            by=self.request.user,
        )


def register(router: Any) -> None:
    router.register("supplies/items", ItemViewSet, basename="supply-item")
    router.register("supplies/donations", DonationViewSet, basename="donation")
    router.register("supplies/movements", MovementViewSet, basename="stock-movement")
    router.register("supplies/balances", BalanceViewSet, basename="stock-balance")
    router.register("supplies/requests", SupplyRequestViewSet, basename="supply-request")
