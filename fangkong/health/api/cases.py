"""Cases in the API: create, dates and places, classify, outcome."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import (
    extend_schema,
)
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.api import (
    RestrictedPrimaryKeyRelatedField,
    RestrictedViewSet,
    ServiceModelSerializer,
)
from fangkong.health import services
from fangkong.health.api.common import (
    HealthEvidenceSerializer,
    HealthPendingSerializer,
    StatusWriteMixin,
)
from fangkong.health.choices import (
    ChangeSource,
    Classification,
    Outcome,
    TakenTo,
)
from fangkong.health.filtersets import (
    CaseFilterSet,
)
from fangkong.health.models import (
    Case,
)
from fangkong.registry.models import Building, Household, Person

# --- Cases ----------------------------------------------------------------------------------


class HealthCaseSerializer(ServiceModelSerializer):
    """A case. Created with its classification, reason and evidence (a status change); a
    ``PATCH`` changes dates, where the case was taken, places and notes only."""

    url = serializers.HyperlinkedIdentityField(view_name="api:health-case-detail")
    person = RestrictedPrimaryKeyRelatedField(queryset=Person.objects.all())
    household = RestrictedPrimaryKeyRelatedField(
        queryset=Household.objects.all(), allow_null=True, required=False
    )
    building = RestrictedPrimaryKeyRelatedField(
        queryset=Building.objects.all(), allow_null=True, required=False
    )
    classification = serializers.ChoiceField(choices=Classification.choices, required=False)
    outcome = serializers.ChoiceField(choices=Outcome.choices, read_only=True)
    taken_to = serializers.ChoiceField(choices=TakenTo.choices, required=False, allow_blank=True)

    class Meta:
        model = Case
        fields = [
            "id",
            "url",
            "person",
            "classification",
            "onset_date",
            "report_date",
            "confirmation_date",
            "isolated_on",
            "taken_to",
            "taken_to_name",
            "outcome",
            "outcome_date",
            "household",
            "building",
            "unit",
            "source_contact",
            "notes",
            "version",
            "created",
            "updated",
        ]
        read_only_fields = ["outcome_date", "source_contact"]


class HealthCaseCreateSerializer(HealthCaseSerializer, HealthEvidenceSerializer):
    class Meta(HealthCaseSerializer.Meta):
        fields = [
            *HealthCaseSerializer.Meta.fields,
            "reason",
            "evidence_kind",
            "evidence_ref",
            "note",
        ]


class HealthClassifySerializer(HealthEvidenceSerializer):
    classification = serializers.ChoiceField(choices=Classification.choices)
    confirmation_date = serializers.DateField(required=False, allow_null=True)


class HealthOutcomeSerializer(HealthEvidenceSerializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    outcome_date = serializers.DateField(required=False, allow_null=True)


CASE_DETAILS = (
    "onset_date",
    "report_date",
    "confirmation_date",
    "isolated_on",
    "taken_to",
    "taken_to_name",
    "household",
    "building",
    "unit",
    "notes",
)


class CaseViewSet(StatusWriteMixin, RestrictedViewSet):
    """Cases of the caller's area."""

    queryset = Case.objects.select_related("person")
    serializer_class = HealthCaseSerializer
    filterset_class = CaseFilterSet

    def get_serializer_class(self) -> type[serializers.Serializer[Any]]:
        return HealthCaseCreateSerializer if self.action == "create" else HealthCaseSerializer

    @extend_schema(
        request=HealthCaseCreateSerializer,
        responses={201: HealthCaseSerializer, 202: HealthPendingSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Record a person as a case: a status change (reason, evidence, four-eyes)."""
        form = HealthCaseCreateSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        data = form.validated_data
        if "classification" not in data:
            raise serializers.ValidationError({"classification": [_("Choose a classification.")]})
        if "report_date" not in data:
            raise serializers.ValidationError({"report_date": [_("Give the report date.")]})
        result = services.do_open_case(
            person=data["person"],
            by=self.request.user,
            source=ChangeSource.API,
            classification=data["classification"],
            **form.evidence(),
            **{k: data[k] for k in CASE_DETAILS if k in data},
        )
        return self.answer(result, request)

    def update_service(self, obj: Case, data: dict[str, Any], expected_version: int | None) -> Case:
        if "classification" in data and data["classification"] != obj.classification:
            raise serializers.ValidationError(
                {
                    "classification": [
                        _("A classification changes through classify, with a reason and evidence.")
                    ]
                }
            )
        if "person" in data and data["person"] != obj.person:
            raise serializers.ValidationError({"person": [_("A case keeps its person.")]})
        return services.do_update_case(
            obj,
            by=self.request.user,
            expected_version=expected_version,
            **{k: v for k, v in data.items() if k in CASE_DETAILS},
        )

    @extend_schema(
        request=HealthClassifySerializer,
        responses={200: HealthCaseSerializer, 202: HealthPendingSerializer},
    )
    @action(detail=True, methods=["post"], required_action="change", can_conflict=True)
    def classify(self, request: Request, pk: str | None = None) -> Response:
        """Change the classification (a status change with its reason and evidence)."""
        return self.change_status(
            request,
            HealthClassifySerializer,
            services.do_classify_case,
            ("classification", "confirmation_date"),
        )

    @extend_schema(
        request=HealthOutcomeSerializer,
        responses={200: HealthCaseSerializer, 202: HealthPendingSerializer},
    )
    @action(detail=True, methods=["post"], required_action="change", can_conflict=True)
    def outcome(self, request: Request, pk: str | None = None) -> Response:
        """Record the outcome (in hospital, recovered, died): a status change."""
        return self.change_status(
            request,
            HealthOutcomeSerializer,
            services.do_record_outcome,
            ("outcome", "outcome_date"),
        )
