"""Access in the API: ``POST /api/v1/gate/scans/`` (what the scanner calls), and list and
detail routes for passes, visitors and the gate log.

The scan answers 200 with the gate's decision whatever it is (an unknown or forged pass is a
decision, ``unknown_pass``, not an error); only malformed input is a 400 in DESIGN.md's error
shape. The same ``client_event_id`` again from the same gate returns the first answer and
records nothing; from another gate it is a 409. ``register(router)`` is what
``fangkong/api_urls.py`` calls.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.access import services
from fangkong.access.choices import Decision, Direction, FlagReason, ReasonCode
from fangkong.access.filtersets import GateEventFilterSet, PassFilterSet, VisitorFilterSet
from fangkong.access.models import GateEvent, Pass, Visitor
from fangkong.core.api import (
    ActionPermission,
    ConflictErrorSerializer,
    ErrorSerializer,
    ModelSerializer,
    RestrictedReadOnlyViewSet,
)
from fangkong.core.validators import validate_temperature

#: The largest id a 64-bit primary key holds; a bigger number names no row, and the
#: database would refuse to compare it (a 500), so it is bad input (400).
MAX_ID = models.BigIntegerField.MAX_BIGINT
#: How far a scanner's clock may be from the server's. Gate events are kept a year; a time
#: beyond that is a wrong clock (a phone reset to 1970, year 9999), and the rules would
#: compute windows before year 1.
DEVICE_CLOCK_REACH = dt.timedelta(days=366)


# --- The scan -------------------------------------------------------------------------------


class DeviceTimeField(serializers.DateTimeField):
    """When the gate saw the scan, with its UTC offset: within a year of the server's
    clock."""

    def to_internal_value(self, value: Any) -> dt.datetime:
        parsed = super().to_internal_value(value)  # refuses what UTC cannot hold
        if abs(parsed - timezone.now()) > DEVICE_CLOCK_REACH:
            raise serializers.ValidationError(
                _("The scanner's clock is more than a year off: set its date and time.")
            )
        return parsed


@extend_schema_field({"type": "number", "minimum": 34.0, "maximum": 43.0, "example": 36.5})
class TemperatureField(serializers.Field[Decimal, Any, float | None, Any]):
    """Body temperature in °C, checked by the one validator every module uses (34.0–43.0)."""

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, bool) or not isinstance(data, (int, float, str, Decimal)):
            raise serializers.ValidationError(_("Enter a temperature such as 36.5."))
        try:
            return validate_temperature(data)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None

    def to_representation(self, value: Any) -> float | None:
        return float(value) if value is not None else None


class ScanRequestSerializer(serializers.Serializer[Any]):
    """One scan at a gate, as the scanner sends it (also when it uploads its offline queue)."""

    pass_code = serializers.CharField(
        max_length=200, help_text=gettext_lazy("The QR code's token, or a typed serial.")
    )
    checkpoint = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text=gettext_lazy("Checkpoint id.")
    )
    direction = serializers.ChoiceField(choices=Direction.choices)
    temperature = TemperatureField(required=False, allow_null=True)
    client_event_id = serializers.UUIDField(
        help_text=gettext_lazy(
            "A UUID made by the scanner; sent again from the same gate, "
            "the first answer is returned and nothing new is recorded. One "
            "already used at another gate is a 409."
        )
    )
    device_time = DeviceTimeField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy(
            "When the gate saw it (with its UTC offset), within a year of the server's clock."
        ),
    )
    device_decision = serializers.ChoiceField(
        choices=Decision.choices,
        required=False,
        allow_null=True,
        help_text=gettext_lazy(
            "Optional: what an offline scanner decided. An event allowed "
            "offline against a rule the phone could not know is flagged "
            "for review."
        ),
    )

    @classmethod
    def valid_data(cls, data: Any) -> dict[str, Any] | None:
        """The validated data of well-formed input, as ``is_valid()`` gives it; None for
        anything else, which the full serializer then reports in DESIGN.md's error shape.

        The same fields check the same way; only the serializer's per-instance copy of
        its fields is spared (DRF deep-copies them for every instance, and a scan is the
        busiest request there is). Fields keep no state between calls. Keep it so: no
        ``validate()`` or serializer-level validators here (``valid_data`` would skip them).
        """
        if not isinstance(data, Mapping):
            return None
        validated = {}
        for name, field in _scan_fields().items():
            try:
                validated[name] = field.run_validation(field.get_value(data))
            except serializers.SkipField:
                continue
            except (serializers.ValidationError, ValidationError):
                return None
        return validated


@cache
def _scan_fields() -> dict[str, serializers.Field[Any, Any, Any, Any]]:
    """``ScanRequestSerializer``'s fields, bound once to one instance of it."""
    return dict(ScanRequestSerializer().fields)


class ScanAnswerSerializer(serializers.Serializer[Any]):
    """The gate's answer: a decision, a neutral reason, outings left and the next allowed."""

    event_id = serializers.IntegerField(allow_null=True)
    decision = serializers.ChoiceField(choices=Decision.choices)
    reason_code = serializers.ChoiceField(choices=ReasonCode.choices)
    reason = serializers.CharField()
    quota_left = serializers.IntegerField(allow_null=True)
    next_allowed_at = serializers.DateTimeField(allow_null=True)


class GateScanViewSet(viewsets.GenericViewSet[GateEvent]):
    """``POST /api/v1/gate/scans/``: decide and record one scan."""

    queryset = GateEvent.objects.all()
    serializer_class = ScanRequestSerializer
    permission_classes = [IsAuthenticated, ActionPermission]
    pagination_class = None
    #: A ``client_event_id`` already used at another gate is a 409 (declared in the schema).
    can_conflict = True
    #: A gate the caller may not use is not found (documents 404 in the schema).
    can_be_not_found = True

    def required_right(self) -> str:
        return "add"

    @extend_schema(
        request=ScanRequestSerializer,
        responses={
            200: ScanAnswerSerializer,
            404: OpenApiResponse(
                ErrorSerializer,
                description=gettext_lazy("No such checkpoint in the caller's area."),
            ),
            409: OpenApiResponse(
                ConflictErrorSerializer,
                description=gettext_lazy("This client_event_id was already used at another gate."),
            ),
        },
    )
    def create(self, request: Request) -> Response:
        """Decide whether the holder may pass, record the exit or entry, answer the gate."""
        data = ScanRequestSerializer.valid_data(request.data)
        if data is None:  # malformed: the serializer says what is wrong (400)
            form = ScanRequestSerializer(data=request.data, context={"request": request})
            form.is_valid(raise_exception=True)
            data = form.validated_data
        # The gate is read with the scan; one outside the caller's area is not found (404),
        # like any row out of scope.
        answer = services.record_scan(
            services.ScanRequest(
                checkpoint=data["checkpoint"],
                code=data["pass_code"],
                direction=data["direction"],
                temperature=data.get("temperature"),
                client_event_id=data["client_event_id"],
                device_time=data.get("device_time"),
                device_decision=data.get("device_decision"),
            ),
            by=request.user,
        )
        return Response(answer.as_dict())


# --- Lists and details ----------------------------------------------------------------------


class PassSerializer(ModelSerializer):
    """A pass: serial, state and household. Never its token (that is on the card only)."""

    household_label = serializers.CharField(source="household.label", read_only=True)

    class Meta:
        model = Pass
        fields = [
            "id",
            "community",
            "household",
            "household_label",
            "person",
            "serial",
            "status",
            "suspended_until",
            "void_reason",
            "replaced_by",
            "out_since",
            "created",
            "updated",
        ]
        read_only_fields = fields


class PassViewSet(RestrictedReadOnlyViewSet):
    """Passes of the caller's area."""

    queryset = Pass.objects.all()
    serializer_class = PassSerializer
    filterset_class = PassFilterSet

    def get_queryset(self) -> models.QuerySet[Pass]:
        return super().get_queryset().select_related("household__building")


class GateEventSerializer(serializers.ModelSerializer[GateEvent]):
    """One row of the gate log: where, which way, the decision, device and receipt times."""

    # Most events need no review: their flag is "" (the schema lists it with the reasons).
    flag = serializers.ChoiceField(
        choices=FlagReason.choices,
        allow_blank=True,
        read_only=True,
        help_text=gettext_lazy("Why the office should review the event; empty if it need not."),
    )

    class Meta:
        model = GateEvent
        fields = [
            "id",
            "community",
            "checkpoint",
            "pass_obj",
            "household",
            "direction",
            "decision",
            "reason_code",
            "passed",
            "temperature",
            "quota_left",
            "next_allowed_at",
            "client_event_id",
            "time",
            "device_time",
            "received_at",
            "offline",
            "flag",
            "reviewed_at",
        ]
        read_only_fields = fields


class GateEventViewSet(RestrictedReadOnlyViewSet):
    """The gate log of the caller's area, newest first."""

    queryset = GateEvent.objects.all()
    serializer_class = GateEventSerializer
    filterset_class = GateEventFilterSet


class VisitorSerializer(ModelSerializer):
    """A visitor, with the phone and ID number masked."""

    phone = serializers.CharField(source="phone_mask", read_only=True)
    id_number = serializers.CharField(source="id_number_mask", read_only=True)

    class Meta:
        model = Visitor
        fields = [
            "id",
            "community",
            "checkpoint",
            "household",
            "name",
            "phone",
            "id_number",
            "purpose",
            "plate",
            "temperature",
            "time_in",
            "time_out",
            "status",
            "confirmed_by",
            "refusal_reason",
            "created",
            "updated",
        ]
        read_only_fields = fields


class VisitorViewSet(RestrictedReadOnlyViewSet):
    """Visitors registered at the gates of the caller's area."""

    queryset = Visitor.objects.all()
    serializer_class = VisitorSerializer
    filterset_class = VisitorFilterSet


def register(router: Any) -> None:
    """Add the access routes to the API's router (``fangkong/api_urls.py``)."""
    router.register("gate/scans", GateScanViewSet, basename="gatescan")
    router.register("gate/events", GateEventViewSet, basename="gateevent")
    router.register("passes", PassViewSet, basename="pass")
    router.register("visitors", VisitorViewSet, basename="visitor")
