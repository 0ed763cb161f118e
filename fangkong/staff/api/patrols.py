"""Patrols and the prevention plan in the API."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy
from rest_framework import mixins, serializers

from fangkong.core.api import (
    ModelSerializer,
    RestrictedReadOnlyViewSet,
)
from fangkong.core.validators import DOCUMENT_MAX_LENGTH
from fangkong.registry.api import CommunityField
from fangkong.staff import services
from fangkong.staff.api.common import ColleagueField, related_field
from fangkong.staff.choices import PatrolFinding
from fangkong.staff.filtersets import (
    CommunityRowFilterSet,
    PatrolFilterSet,
)
from fangkong.staff.models import (
    Checkpoint,
    PatrolVisit,
    PlanVersion,
    StaffMember,
)
from fangkong.staff.services.patrols import MAX_PHOTOS

# --- Patrols --------------------------------------------------------------------------------


class PatrolSerializer(ModelSerializer):
    """A patrol visit. Photos may be sent as multipart ``photos`` files."""

    checkpoint = related_field(Checkpoint)
    by_member = related_field(StaffMember, required=False, allow_null=True)
    on_duty = related_field(StaffMember, many=True, required=False)
    findings = serializers.ListField(
        child=serializers.ChoiceField(choices=PatrolFinding.choices), required=False
    )
    photos = serializers.ListField(
        child=serializers.FileField(), required=False, write_only=True, max_length=MAX_PHOTOS
    )
    photo_ids = serializers.SerializerMethodField()
    follow_up = serializers.BooleanField(
        required=False, write_only=True, help_text=gettext_lazy("Raise a follow-up task.")
    )
    follow_up_assignee = ColleagueField(write_only=True)
    follow_up_due = serializers.DateTimeField(required=False, allow_null=True, write_only=True)
    follow_up_task = serializers.IntegerField(source="follow_up_id", read_only=True)

    class Meta:
        model = PatrolVisit
        fields = [
            "id",
            "community",
            "checkpoint",
            "time",
            "by_member",
            "on_duty",
            "findings",
            "notes",
            "photos",
            "photo_ids",
            "follow_up",
            "follow_up_assignee",
            "follow_up_due",
            "follow_up_task",
            "created",
        ]
        read_only_fields = ["community", "created"]

    def get_photo_ids(self, visit: PatrolVisit) -> list[int]:
        return [photo.pk for photo in visit.photos.all()]

    def to_representation(self, instance: PatrolVisit) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["findings"] = instance.finding_list
        return data


class PatrolViewSet(mixins.CreateModelMixin, RestrictedReadOnlyViewSet):
    queryset = PatrolVisit.objects.all()
    serializer_class = PatrolSerializer
    filterset_class = PatrolFilterSet

    def get_queryset(self) -> models.QuerySet[PatrolVisit]:
        return super().get_queryset().prefetch_related("on_duty", "photos")

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        visit = services.do_record_patrol(by=self.request.user, **data)
        serializer.instance = self.get_queryset().get(pk=visit.pk)


# --- The prevention plan --------------------------------------------------------------------


class PlanVersionSerializer(ModelSerializer):
    """One version of a community's plan. Sending one saves the next version."""

    community = CommunityField()
    expected_number = serializers.IntegerField(
        write_only=True,
        required=False,
        min_value=0,
        help_text=gettext_lazy(
            "The version the text was written from; another saved meanwhile is a 409 conflict."
        ),
    )
    current = serializers.SerializerMethodField()

    class Meta:
        model = PlanVersion
        fields = [
            "id",
            "community",
            "number",
            "title",
            "text",
            "summary",
            "author_name",
            "created",
            "current",
            "expected_number",
        ]
        read_only_fields = ["number", "author_name", "created"]
        extra_kwargs = {"text": {"max_length": DOCUMENT_MAX_LENGTH}}

    def get_current(self, version: PlanVersion) -> bool:
        return version.number == version.plan.current_number


class PlanVersionViewSet(mixins.CreateModelMixin, RestrictedReadOnlyViewSet):
    """Versions of the prevention plans the caller sees (``?current=true`` for those in
    force)."""

    queryset = PlanVersion.objects.all()
    serializer_class = PlanVersionSerializer
    filterset_class = CommunityRowFilterSet
    can_conflict = True

    def get_queryset(self) -> models.QuerySet[PlanVersion]:
        queryset = super().get_queryset().select_related("plan").order_by("community", "-number")
        if self.request.query_params.get("current") == "true":
            queryset = queryset.filter(number=F("plan__current_number"))
        return queryset

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        version = services.do_save_plan(by=self.request.user, **data)
        serializer.instance = version
