"""Quarantines in the API: start (a person or a household), end date, end."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.api import (
    RestrictedPrimaryKeyRelatedField,
    RestrictedReadOnlyViewSet,
    ServiceModelSerializer,
)
from fangkong.health import services
from fangkong.health.api.common import (
    Evidence,
    HealthEvidenceSerializer,
    HealthPendingSerializer,
    StatusWriteMixin,
)
from fangkong.health.choices import (
    ChangeReason,
    ChangeSource,
    EvidenceKind,
    QuarantineKind,
)
from fangkong.health.filtersets import (
    QuarantineFilterSet,
)
from fangkong.health.models import (
    Contact,
    Quarantine,
)
from fangkong.registry.models import Household, Person

# --- Quarantines ----------------------------------------------------------------------------


class HealthQuarantineSerializer(ServiceModelSerializer):
    """A quarantine or health monitoring. Created for a ``person``, or for a whole
    ``household`` (every active member not under one already); a status change."""

    url = serializers.HyperlinkedIdentityField(view_name="api:health-quarantine-detail")
    person = serializers.PrimaryKeyRelatedField[Person](read_only=True)
    household = serializers.PrimaryKeyRelatedField[Household](read_only=True)

    class Meta:
        model = Quarantine
        fields = [
            "id",
            "url",
            "person",
            "household",
            "kind",
            "site",
            "whole_household",
            "contact",
            "alert_id",
            "last_exposure",
            "period_days",
            "start_date",
            "planned_end",
            "ended_on",
            "end_reason",
            "grid_worker",
            "version",
            "created",
            "updated",
        ]
        read_only_fields = fields


class HealthQuarantineStartSerializer(HealthEvidenceSerializer):
    person = RestrictedPrimaryKeyRelatedField(queryset=Person.objects.all(), required=False)
    household = RestrictedPrimaryKeyRelatedField(queryset=Household.objects.all(), required=False)
    kind = serializers.ChoiceField(choices=QuarantineKind.choices)
    site = serializers.CharField(max_length=100, required=False, allow_blank=True)
    start_date = serializers.DateField(required=False)
    last_exposure = serializers.DateField(required=False, allow_null=True)
    period_days = serializers.IntegerField(required=False, min_value=1, max_value=60)
    contact = RestrictedPrimaryKeyRelatedField(queryset=Contact.objects.all(), required=False)
    reason = serializers.ChoiceField(choices=ChangeReason.choices)
    evidence_kind = serializers.ChoiceField(choices=EvidenceKind.choices, required=False)
    evidence_ref = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("Required unless a contact link is given (it is the evidence)."),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("person" in attrs) == ("household" in attrs):
            raise serializers.ValidationError(
                {"person": [_("Give a person, or a household for a household quarantine.")]}
            )
        return attrs

    def evidence(self) -> Evidence:
        data = self.validated_data
        return {
            "reason": data["reason"],
            "evidence_kind": data.get("evidence_kind", ""),
            "evidence_ref": data.get("evidence_ref", ""),
            "note": data.get("note", ""),
        }


class HealthEndDateSerializer(HealthEvidenceSerializer):
    new_end = serializers.DateField()


class HealthEndSerializer(HealthEvidenceSerializer):
    ended_on = serializers.DateField(required=False)


class QuarantineViewSet(StatusWriteMixin, RestrictedReadOnlyViewSet):
    """Quarantines of the caller's area; started, moved and ended through status changes."""

    queryset = Quarantine.objects.all()
    serializer_class = HealthQuarantineSerializer
    filterset_class = QuarantineFilterSet
    action_rights = {**RestrictedReadOnlyViewSet.action_rights, "create": "add"}

    def get_serializer_class(self) -> type[serializers.Serializer[Any]]:
        if self.action == "create":
            return HealthQuarantineStartSerializer
        return HealthQuarantineSerializer

    @extend_schema(
        request=HealthQuarantineStartSerializer,
        responses={201: HealthQuarantineSerializer, 202: HealthPendingSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Start a quarantine or health monitoring (a status change)."""
        form = HealthQuarantineStartSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        form.is_valid(raise_exception=True)
        data = form.validated_data
        result = services.do_start_quarantine(
            person=data.get("person"),
            household=data.get("household"),
            kind=data["kind"],
            by=self.request.user,
            source=ChangeSource.API,
            site=data.get("site", ""),
            start_date=data.get("start_date"),
            last_exposure=data.get("last_exposure"),
            period_days=data.get("period_days"),
            contact=data.get("contact"),
            **form.evidence(),
        )
        return self.answer(result, request)

    @extend_schema(
        request=HealthEndDateSerializer,
        responses={200: HealthQuarantineSerializer, 202: HealthPendingSerializer},
    )
    @action(
        detail=True,
        methods=["post"],
        url_path="end-date",
        required_action="change",
        can_conflict=True,
    )
    def end_date(self, request: Request, pk: str | None = None) -> Response:
        """Move the planned end: later extends, earlier shortens (never before the start)."""
        return self.change_status(
            request, HealthEndDateSerializer, services.do_change_quarantine_end, ("new_end",)
        )

    @extend_schema(
        request=HealthEndSerializer,
        responses={200: HealthQuarantineSerializer, 202: HealthPendingSerializer},
    )
    @action(detail=True, methods=["post"], required_action="change", can_conflict=True)
    def end(self, request: Request, pk: str | None = None) -> Response:
        """End the quarantine on a day (today by default) with a reason and evidence."""
        return self.change_status(
            request, HealthEndSerializer, services.do_end_quarantine, ("ended_on",)
        )
