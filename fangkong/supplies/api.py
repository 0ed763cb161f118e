"""Supplies under ``/api/v1/supplies/``: items (read, add), donations, the ledger's
movements (read; issue, transfer, adjust, receive) and balances on a date (read), and
requests (read, ask; issue or refuse one)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
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
from fangkong.registry.models import Household
from fangkong.supplies import services
from fangkong.supplies.choices import AdjustReason, Condition, Recipient, Source, Unit
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


class _MoveSerializer(Serializer):
    item = RestrictedPrimaryKeyRelatedField(queryset=Item.objects.all())
    quantity = serializers.IntegerField(min_value=1, max_value=services.MAX_QUANTITY)
    unit = serializers.ChoiceField(choices=Unit.choices)
    day = serializers.DateField(
        required=False, help_text="YYYY-MM-DD; left out: today in the community"
    )
    signed_by = serializers.CharField(max_length=100)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    confirm_expired = serializers.BooleanField(required=False, default=False)


class IssueSerializer(_MoveSerializer):
    """Stock issued from a place to a household or a person, who signs for it."""

    place = RestrictedPrimaryKeyRelatedField(queryset=Place.objects.all())
    recipient = serializers.ChoiceField(choices=Recipient.choices)
    household = RestrictedPrimaryKeyRelatedField(
        queryset=Household.objects.all(), required=False, allow_null=True
    )


class TransferSerializer(_MoveSerializer):
    """Stock sent from one place to another (the office to a gate)."""

    # DRF stubs: Field.source is a str.
    source = RestrictedPrimaryKeyRelatedField(queryset=Place.objects.all())  # type: ignore[assignment]
    target = RestrictedPrimaryKeyRelatedField(queryset=Place.objects.all())


class AdjustSerializer(Serializer):
    """A lot's stock in a place corrected by ``quantity`` base units (negative: fewer)."""

    place = RestrictedPrimaryKeyRelatedField(queryset=Place.objects.all())
    lot = RestrictedPrimaryKeyRelatedField(queryset=Lot.objects.all())
    reason = serializers.ChoiceField(choices=AdjustReason.choices)
    quantity = serializers.IntegerField(
        min_value=-services.MAX_QUANTITY, max_value=services.MAX_QUANTITY
    )
    day = serializers.DateField(required=False)
    note = serializers.CharField(max_length=200)


class LineSerializer(Serializer):
    item = RestrictedPrimaryKeyRelatedField(queryset=Item.objects.all())
    quantity = serializers.IntegerField(min_value=1, max_value=services.MAX_QUANTITY)
    unit = serializers.ChoiceField(choices=Unit.choices)
    condition = serializers.ChoiceField(choices=Condition.choices, default=Condition.NEW)
    expiry = serializers.DateField(required=False, allow_null=True)


class ReceiveSerializer(Serializer):
    """Stock allocated from above or purchased, received into a place."""

    place = RestrictedPrimaryKeyRelatedField(queryset=Place.objects.all())
    source = serializers.ChoiceField(  # type: ignore[assignment]  # DRF stubs: Field.source
        choices=[
            (Source.ALLOCATION, Source.ALLOCATION.label),
            (Source.PURCHASE, Source.PURCHASE.label),
        ]
    )
    day = serializers.DateField(required=False)
    supplier = serializers.CharField(max_length=100, required=False, allow_blank=True)
    signed_by = serializers.CharField(max_length=100)
    lines = serializers.ListField(child=LineSerializer(), min_length=1, max_length=50)


def _day(data: dict[str, Any], place: Place) -> dt.date:
    day: dt.date | None = data.pop("day", None)
    return day if day is not None else place.community.local_today()


class MovementViewSet(RestrictedReadOnlyViewSet):
    queryset = Movement.objects.select_related("lot")
    serializer_class = MovementSerializer
    filterset_class = MovementFilterSet

    def _rows(self, rows: list[Movement]) -> Response:
        ids = [r.pk for r in rows]
        shown = self.get_queryset().filter(pk__in=ids).order_by("id")
        return Response(MovementSerializer(shown, many=True).data, status=201)

    def _given(self, serializer_class: type[Serializer]) -> dict[str, Any]:
        given = serializer_class(data=self.request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        return dict(given.validated_data)

    @extend_schema(request=IssueSerializer, responses={201: MovementSerializer(many=True)})
    @action(detail=False, methods=["post"], required_action="add")
    def issue(self, request: Request) -> Response:
        """Issue stock from a place to a household or a person (the ledger's rows, one per
        lot taken, first-expiring first)."""
        data = self._given(IssueSerializer)
        day = _day(data, data["place"])
        return self._rows(services.do_issue_stock(day=day, by=self.request.user, **data))

    @extend_schema(request=TransferSerializer, responses={201: MovementSerializer(many=True)})
    @action(detail=False, methods=["post"], required_action="add")
    def transfer(self, request: Request) -> Response:
        """Send stock from one place to another (each lot leaves and enters the same day)."""
        data = self._given(TransferSerializer)
        day = _day(data, data["source"])
        return self._rows(services.do_transfer_stock(day=day, by=self.request.user, **data))

    @extend_schema(request=AdjustSerializer, responses={201: MovementSerializer})
    @action(detail=False, methods=["post"], required_action="add")
    def adjust(self, request: Request) -> Response:
        """Correct a lot's stock in a place: counted (either way), expired or damaged (fewer
        only), with what was found."""
        data = self._given(AdjustSerializer)
        day = _day(data, data["place"])
        row = services.do_adjust_stock(day=day, by=self.request.user, **data)
        return Response(MovementSerializer(row).data, status=201)

    @extend_schema(request=ReceiveSerializer, responses={201: LotSerializer(many=True)})
    @action(detail=False, methods=["post"], required_action="add")
    def receive(self, request: Request) -> Response:
        """Receive an allocation from above or a purchase: a lot per line."""
        data = self._given(ReceiveSerializer)
        day = _day(data, data["place"])
        lines = [services.Line(**line) for line in data.pop("lines")]
        lots = services.do_receive_stock(day=day, lines=lines, by=self.request.user, **data)
        return Response(LotSerializer(lots, many=True).data, status=201)


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


class IssueRequestSerializer(Serializer):
    """The stock sent from ``source`` (the office) to the place that asked. Item, quantity
    and unit left out: what the request asked for, in the item's base unit."""

    # DRF stubs: Field.source is a str.
    source = RestrictedPrimaryKeyRelatedField(queryset=Place.objects.all())  # type: ignore[assignment]
    item = RestrictedPrimaryKeyRelatedField(queryset=Item.objects.all(), required=False)
    quantity = serializers.IntegerField(
        min_value=1, max_value=services.MAX_QUANTITY, required=False
    )
    unit = serializers.ChoiceField(choices=Unit.choices, required=False)
    day = serializers.DateField(required=False)
    signed_by = serializers.CharField(max_length=100)
    confirm_expired = serializers.BooleanField(required=False, default=False)
    version = serializers.IntegerField(required=False, min_value=0)


class RefuseRequestSerializer(Serializer):
    reason = serializers.CharField(max_length=200)
    version = serializers.IntegerField(required=False, min_value=0)


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

    def _given(self, serializer_class: type[Serializer]) -> dict[str, Any]:
        given = serializer_class(data=self.request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        return dict(given.validated_data)

    # 200, as every action on one request answers (the decided request in the body).
    @extend_schema(request=IssueRequestSerializer, responses={200: SupplyAskSerializer})
    @action(detail=True, methods=["post"], required_action="change", can_conflict=True)
    def issue(self, request: Request, pk: str | None = None) -> Response:
        """Approve a waiting request by sending the stock from the office; its task is done."""
        supply_request: SupplyRequest = self.get_object()
        data = self._given(IssueRequestSerializer)
        item = data.pop("item", None) or supply_request.item
        quantity = data.pop("quantity", None)
        unit = data.pop("unit", None)
        if item is None or (quantity is None and supply_request.quantity is None):
            raise ApiValidationError(
                {"item": [_("The request names no item: give the item, quantity and unit.")]}
            )
        if quantity is None:
            quantity, unit = supply_request.quantity, item.base_unit
        source: Place = data["source"]
        decided = services.do_issue_request(
            supply_request,
            source=source,
            item=item,
            quantity=quantity,
            unit=unit or item.base_unit,
            day=data.get("day") or source.community.local_today(),
            signed_by=data["signed_by"],
            confirm_expired=data["confirm_expired"],
            expected_version=data.get("version"),
            by=self.request.user,
        )
        return Response(self.get_serializer(self.reload(decided)).data, status=200)

    @extend_schema(request=RefuseRequestSerializer, responses={200: SupplyAskSerializer})
    @action(detail=True, methods=["post"], required_action="change", can_conflict=True)
    def refuse(self, request: Request, pk: str | None = None) -> Response:
        """Refuse a waiting request with the reason the place will read; its task is
        cancelled."""
        supply_request: SupplyRequest = self.get_object()
        data = self._given(RefuseRequestSerializer)
        decided = services.do_refuse_request(
            supply_request,
            reason=data["reason"],
            expected_version=data.get("version"),
            by=self.request.user,
        )
        return Response(self.get_serializer(self.reload(decided)).data, status=200)


def register(router: Any) -> None:
    router.register("supplies/items", ItemViewSet, basename="supply-item")
    router.register("supplies/donations", DonationViewSet, basename="donation")
    router.register("supplies/movements", MovementViewSet, basename="stock-movement")
    router.register("supplies/balances", BalanceViewSet, basename="stock-balance")
    router.register("supplies/requests", SupplyRequestViewSet, basename="supply-request")
