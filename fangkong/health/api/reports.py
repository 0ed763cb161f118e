"""Health reports and disinfections in the API."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from fangkong.core.api import (
    RestrictedPrimaryKeyRelatedField,
    RestrictedViewSet,
    ServiceModelSerializer,
)
from fangkong.health import services
from fangkong.health.api.common import SymptomsField
from fangkong.health.choices import (
    Disinfectant,
    PlaceKind,
    ReportSource,
)
from fangkong.health.filtersets import (
    DisinfectionFilterSet,
    ReportFilterSet,
)
from fangkong.health.models import (
    Disinfection,
    HealthReport,
)
from fangkong.registry.models import Building, Person

# --- Reports and disinfections --------------------------------------------------------------


class HealthReportSerializer(ServiceModelSerializer):
    """A temperature and symptom report of someone under quarantine or monitoring."""

    url = serializers.HyperlinkedIdentityField(view_name="api:health-report-detail")
    person = RestrictedPrimaryKeyRelatedField(queryset=Person.objects.all())
    temperature = serializers.CharField(
        max_length=10, help_text=gettext_lazy("°C, 34.0 to 43.0, one decimal place.")
    )
    symptoms = SymptomsField()
    taken_at = serializers.DateTimeField(required=False)

    class Meta:
        model = HealthReport
        fields = [
            "id",
            "url",
            "person",
            "quarantine",
            "taken_at",
            "day",
            "temperature",
            "symptoms",
            "is_fever",
            "notes",
            "source",
            "task_id",
            "version",
            "created",
        ]
        read_only_fields = ["quarantine", "day", "is_fever", "source", "task_id"]

    def to_representation(self, instance: HealthReport) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["temperature"] = str(instance.temperature)
        return data


class ReportViewSet(RestrictedViewSet):
    """Health reports of the caller's area (no update: a wrong report is followed by a
    right one)."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = HealthReport.objects.all()
    serializer_class = HealthReportSerializer
    filterset_class = ReportFilterSet

    def create_service(self, data: dict[str, Any]) -> HealthReport:
        return services.do_add_report(
            person=data["person"],
            by=self.request.user,
            temperature=data["temperature"],
            taken_at=data.get("taken_at"),
            symptoms=data.get("symptoms") or [],
            notes=data.get("notes", ""),
            source=ReportSource.API,
        )


class CheckpointField(serializers.PrimaryKeyRelatedField[Any]):
    """A gate of the caller's community (gates are community-wide, so a grid's worker's
    community counts)."""

    def get_queryset(self) -> Any:
        from fangkong.staff.models import Checkpoint

        user = getattr(self.context.get("request"), "user", None)
        if user is None or not getattr(user, "area_id", None):
            return Checkpoint.objects.none()
        return Checkpoint.objects.filter(community=user.community)


class HealthDisinfectionSerializer(ServiceModelSerializer):
    """One disinfection of a place of the community."""

    url = serializers.HyperlinkedIdentityField(view_name="api:health-disinfection-detail")
    place_kind = serializers.ChoiceField(choices=PlaceKind.choices)
    building = RestrictedPrimaryKeyRelatedField(
        queryset=Building.objects.all(), allow_null=True, required=False
    )
    checkpoint = CheckpointField(required=False, allow_null=True)
    agent = serializers.ChoiceField(choices=Disinfectant.choices)
    done_at = serializers.DateTimeField(required=False)

    class Meta:
        model = Disinfection
        fields = [
            "id",
            "url",
            "place_kind",
            "building",
            "unit",
            "checkpoint",
            "place_name",
            "done_at",
            "agent",
            "concentration",
            "operator",
            "notes",
            "version",
            "created",
        ]


class DisinfectionViewSet(RestrictedViewSet):
    """The disinfection log of the caller's area."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = Disinfection.objects.all()
    serializer_class = HealthDisinfectionSerializer
    filterset_class = DisinfectionFilterSet

    def create_service(self, data: dict[str, Any]) -> Disinfection:
        user = self.request.user
        community = user.community if getattr(user, "area_id", None) else None
        building = data.get("building")
        if building is not None:
            community = building.community
        if community is None:
            raise serializers.ValidationError(
                {"building": [_("Choose a building of your community.")]}
            )
        return services.do_record_disinfection(
            community=community,
            by=user,
            place_kind=data["place_kind"],
            building=building,
            unit=data.get("unit"),
            checkpoint=data.get("checkpoint"),
            place_name=data.get("place_name", ""),
            done_at=data.get("done_at"),
            agent=data["agent"],
            concentration=data.get("concentration", ""),
            operator=data.get("operator", ""),
            notes=data.get("notes", ""),
        )
