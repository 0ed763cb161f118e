"""What the health API shares: evidence, status changes, the pending answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypedDict

from django.utils.translation import gettext_lazy
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.api import (
    ModelSerializer,
    Serializer,
)
from fangkong.core.requests import AuthenticatedApiRequest
from fangkong.health import services
from fangkong.health.choices import (
    ChangeReason,
    ChangeSource,
    EvidenceKind,
    Symptom,
)
from fangkong.health.models import (
    HealthReport,
    StatusChange,
)

# --- Shared parts ---------------------------------------------------------------------------


class Evidence(TypedDict):
    """What every status change rests on, as the services take it."""

    reason: str
    evidence_kind: str
    evidence_ref: str
    note: str


class HealthEvidenceSerializer(Serializer):
    """What every status change carries."""

    reason = serializers.ChoiceField(choices=ChangeReason.choices)
    evidence_kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    evidence_ref = serializers.CharField(
        max_length=200,
        help_text=gettext_lazy(
            "The test report number, the contact link or the official "
            "notice number this change rests on."
        ),
    )
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, min_value=1)

    def evidence(self) -> Evidence:
        data = self.validated_data
        return {
            "reason": data["reason"],
            "evidence_kind": data["evidence_kind"],
            "evidence_ref": data["evidence_ref"],
            "note": data.get("note", ""),
        }


class HealthStatusChangeSerializer(ModelSerializer):
    """A change of a person's health status: what, why, on what evidence, and its review."""

    url = serializers.HyperlinkedIdentityField(view_name="api:health-change-detail")

    class Meta:
        model = StatusChange
        fields = [
            "id",
            "url",
            "person",
            "household",
            "action",
            "case",
            "quarantine",
            "from_value",
            "to_value",
            "reason",
            "evidence_kind",
            "evidence_ref",
            "note",
            "status",
            "source",
            "batch",
            "proposed_by_name",
            "decided_by",
            "decided_at",
            "decision_note",
            "created",
        ]
        read_only_fields = fields


class HealthPendingSerializer(Serializer):
    """A change that waits for approval by a user of another role (four-eyes rule)."""

    status = serializers.CharField(help_text=gettext_lazy('Always "pending".'))
    changes = HealthStatusChangeSerializer(many=True)


def pending_response(result: services.ChangeResult, request: Request) -> Response:
    body = {
        "status": "pending",
        "changes": HealthStatusChangeSerializer(
            result.changes, many=True, context={"request": request}
        ).data,
    }
    return Response(body, status=status.HTTP_202_ACCEPTED)


class HealthDecisionSerializer(Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class SymptomsField(serializers.ListField):
    """Symptoms as a list of codes (stored as ``|a|b|`` for one-LIKE filtering)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("child", serializers.ChoiceField(choices=Symptom.choices))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def get_attribute(self, instance: HealthReport) -> list[str]:
        return instance.symptom_list


class StatusWriteMixin(GenericAPIView[Any]):
    """Creates and actions that are status changes: 201/200 with the row, or 202 pending."""

    request: AuthenticatedApiRequest

    def answer(
        self, result: services.ChangeResult, request: Request, code: int = status.HTTP_201_CREATED
    ) -> Response:
        if result.pending:
            return pending_response(result, request)
        obj = self.reload(result.obj)
        # The row as reads show it (not the create serializer's evidence fields).
        serializer_class = self.serializer_class
        assert serializer_class is not None  # every health viewset declares its own
        serializer = serializer_class(obj, context=self.get_serializer_context())
        return Response(serializer.data, status=code)

    def reload(self, obj: Any) -> Any:
        return self.get_queryset().filter(pk=obj.pk).first() or obj

    def change_status(
        self,
        request: Request,
        form_class: type[HealthEvidenceSerializer],
        service: Callable[..., services.ChangeResult],
        fields: tuple[str, ...],
    ) -> Response:
        """One status change of one row, as every such action is: the row (404 outside the
        caller's scope), its form (400), the service with the form's ``fields``, its reason,
        evidence and version (403 and 409 come from core's API error mapping), then the row
        (200) or the pending change (202, four-eyes)."""
        obj = self.get_object()
        form = form_class(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        result = service(
            obj,
            by=self.request.user,
            source=ChangeSource.API,
            expected_version=data.get("version"),
            **{name: data.get(name) for name in fields},
            **form.evidence(),
        )
        return self.answer(result, request, status.HTTP_200_OK)
