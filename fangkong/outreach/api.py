"""Outreach under ``/api/v1/``: announcements, broadcast scripts (and making their audio),
broadcast rounds, notification scripts (with their versions; a change makes a new version;
propose and recommend), and health guidance. Every write goes through a service."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.areas.models import Area
from fangkong.core.api import (
    ModelSerializer,
    RestrictedPrimaryKeyRelatedField,
    RestrictedViewSet,
    Serializer,
    ServiceModelSerializer,
)
from fangkong.core.validators import DOCUMENT_MAX_LENGTH
from fangkong.outreach import services
from fangkong.outreach.filtersets import (
    AnnouncementFilterSet,
    BroadcastRoundFilterSet,
    BroadcastScriptFilterSet,
    GuidanceFilterSet,
    NotificationScriptFilterSet,
)
from fangkong.outreach.models import (
    Announcement,
    BroadcastRound,
    BroadcastScript,
    Guidance,
    NotificationScript,
    NotificationScriptVersion,
)
from fangkong.registry.api import CommunityField
from fangkong.registry.models import Building

TEXT = {"max_length": DOCUMENT_MAX_LENGTH}


def _buildings(**kwargs: Any) -> RestrictedPrimaryKeyRelatedField:
    return RestrictedPrimaryKeyRelatedField(
        queryset=Building.objects.all(), many=True, required=False, **kwargs
    )


class VersionedSerializer(Serializer):
    version = serializers.IntegerField(required=False, min_value=1)


# --- Announcements --------------------------------------------------------------------------


class AnnouncementSerializer(ServiceModelSerializer):
    area = RestrictedPrimaryKeyRelatedField(queryset=Area.objects.all())
    buildings = _buildings()

    class Meta:
        model = Announcement
        fields = [
            "id",
            "area",
            "title",
            "body",
            "buildings",
            "quarantined_only",
            "on_poster",
            "on_household_page",
            "on_phone",
            "valid_from",
            "valid_until",
            "version",
            "created",
            "updated",
        ]
        read_only_fields = ["created", "updated"]
        extra_kwargs = {"body": TEXT}


class AnnouncementViewSet(RestrictedViewSet):
    queryset = Announcement.objects.select_related("area").prefetch_related("buildings")
    serializer_class = AnnouncementSerializer
    filterset_class = AnnouncementFilterSet

    def create_service(self, data: dict[str, Any]) -> Announcement:
        return services.do_create_announcement(by=self.request.user, **data)

    def update_service(
        self, obj: Announcement, data: dict[str, Any], expected_version: int | None
    ) -> Announcement:
        data.pop("area", None)  # an announcement keeps its area
        return services.do_update_announcement(
            obj, by=self.request.user, expected_version=expected_version, **data
        )


# --- Broadcast scripts and rounds -----------------------------------------------------------


class BroadcastScriptSerializer(ServiceModelSerializer):
    community = CommunityField()
    audio_url = serializers.SerializerMethodField()

    class Meta:
        model = BroadcastScript
        fields = [
            "id",
            "community",
            "title",
            "text",
            "is_active",
            "audio_status",
            "audio_url",
            "version",
            "created",
            "updated",
        ]
        read_only_fields = ["audio_status", "created", "updated"]
        extra_kwargs = {"text": TEXT}

    def get_audio_url(self, obj: BroadcastScript) -> str | None:
        from django.urls import reverse

        if obj.audio_status != "ready":
            return None
        return reverse("outreach:broadcast_audio", args=[obj.pk])


class AudioJobSerializer(Serializer):
    job = serializers.IntegerField()


class BroadcastScriptViewSet(RestrictedViewSet):
    queryset = BroadcastScript.objects.all()
    serializer_class = BroadcastScriptSerializer
    filterset_class = BroadcastScriptFilterSet

    def create_service(self, data: dict[str, Any]) -> BroadcastScript:
        return services.do_create_broadcast_script(by=self.request.user, **data)

    def update_service(
        self, obj: BroadcastScript, data: dict[str, Any], expected_version: int | None
    ) -> BroadcastScript:
        data.pop("community", None)
        return services.do_update_broadcast_script(
            obj, by=self.request.user, expected_version=expected_version, **data
        )

    # 200, as every action on one row answers (the job to follow in the body).
    @extend_schema(request=VersionedSerializer, responses={200: AudioJobSerializer})
    @action(detail=True, methods=["post"], required_action="change", can_conflict=True)
    def audio(self, request: Request, pk: str | None = None) -> Response:
        """Make the script's audio (espeak-ng, Mandarin) as a background job; 400 with the
        reason where espeak-ng is not installed."""
        script = self.get_object()
        given = VersionedSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        job = services.do_request_audio(
            script, by=self.request.user, expected_version=given.validated_data.get("version")
        )
        return Response({"job": job.pk}, status=200)


class BroadcastRoundSerializer(ServiceModelSerializer):
    community = CommunityField()
    script = RestrictedPrimaryKeyRelatedField(queryset=BroadcastScript.objects.all())
    buildings = _buildings()
    grids = RestrictedPrimaryKeyRelatedField(
        queryset=Area.objects.filter(level="grid"), many=True, required=False
    )

    class Meta:
        model = BroadcastRound
        fields = [
            "id",
            "community",
            "script",
            "at",
            "staff",
            "buildings",
            "grids",
            "note",
            "version",
            "created",
        ]
        read_only_fields = ["created"]


class BroadcastRoundViewSet(RestrictedViewSet):
    """Rounds are recorded, not edited: a wrong one is recorded again."""

    queryset = BroadcastRound.objects.prefetch_related("buildings", "grids")
    serializer_class = BroadcastRoundSerializer
    filterset_class = BroadcastRoundFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def create_service(self, data: dict[str, Any]) -> BroadcastRound:
        return services.do_record_round(by=self.request.user, **data)


# --- Notification scripts -------------------------------------------------------------------


class ScriptVersionSerializer(ModelSerializer):
    class Meta:
        model = NotificationScriptVersion
        fields = ["id", "number", "text", "note", "created"]
        read_only_fields = fields


class NotificationScriptSerializer(ServiceModelSerializer):
    """A script of the library. ``text`` writes a new version (the old ones stay);
    ``area`` is where it was written, ``reach`` where it is used."""

    area = RestrictedPrimaryKeyRelatedField(queryset=Area.objects.all())
    reach: serializers.PrimaryKeyRelatedField[Area] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    text = serializers.CharField(
        write_only=True, max_length=DOCUMENT_MAX_LENGTH, help_text=_("The script's text.")
    )
    note = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=200)
    current = ScriptVersionSerializer(read_only=True)
    versions = ScriptVersionSerializer(many=True, read_only=True)

    class Meta:
        model = NotificationScript
        fields = [
            "id",
            "area",
            "reach",
            "title",
            "status",
            "text",
            "note",
            "current",
            "versions",
            "proposed_at",
            "recommended_at",
            "version",
            "created",
            "updated",
        ]
        read_only_fields = ["status", "proposed_at", "recommended_at", "created", "updated"]


class NotificationScriptViewSet(RestrictedViewSet):
    queryset = NotificationScript.objects.select_related(
        "area", "reach", "current"
    ).prefetch_related("versions")
    serializer_class = NotificationScriptSerializer
    filterset_class = NotificationScriptFilterSet

    def create_service(self, data: dict[str, Any]) -> NotificationScript:
        return services.do_create_script(by=self.request.user, **data)

    def update_service(
        self, obj: NotificationScript, data: dict[str, Any], expected_version: int | None
    ) -> NotificationScript:
        text = data.get("text", obj.current_version.text)
        return services.do_revise_script(
            obj,
            by=self.request.user,
            text=text,
            title=data.get("title"),
            note=data.get("note", ""),
            expected_version=expected_version,
        )

    @extend_schema(request=VersionedSerializer, responses={200: NotificationScriptSerializer})
    @action(detail=True, methods=["post"], required_action="propose", can_conflict=True)
    def propose(self, request: Request, pk: str | None = None) -> Response:
        """Propose a community's script to its street."""
        script = self.get_object()
        given = VersionedSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        saved = services.do_propose_script(
            script, by=self.request.user, expected_version=given.validated_data.get("version")
        )
        return Response(self.get_serializer(self.reload(saved)).data)

    @extend_schema(request=VersionedSerializer, responses={200: NotificationScriptSerializer})
    @action(detail=True, methods=["post"], required_action="recommend", can_conflict=True)
    def recommend(self, request: Request, pk: str | None = None) -> Response:
        """Recommend a script to every community of the street (street officers)."""
        script = self.get_object()
        given = VersionedSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        saved = services.do_recommend_script(
            script, by=self.request.user, expected_version=given.validated_data.get("version")
        )
        return Response(self.get_serializer(self.reload(saved)).data)


# --- Guidance -------------------------------------------------------------------------------


class GuidanceSerializer(ServiceModelSerializer):
    area = RestrictedPrimaryKeyRelatedField(queryset=Area.objects.all())

    class Meta:
        model = Guidance
        fields = [
            "id",
            "area",
            "title",
            "body",
            "position",
            "on_household_page",
            "version",
            "created",
            "updated",
        ]
        read_only_fields = ["created", "updated"]
        extra_kwargs = {"body": TEXT}


class GuidanceViewSet(RestrictedViewSet):
    queryset = Guidance.objects.select_related("area")
    serializer_class = GuidanceSerializer
    filterset_class = GuidanceFilterSet

    def create_service(self, data: dict[str, Any]) -> Guidance:
        return services.do_create_guidance(by=self.request.user, **data)

    def update_service(
        self, obj: Guidance, data: dict[str, Any], expected_version: int | None
    ) -> Guidance:
        data.pop("area", None)
        return services.do_update_guidance(
            obj, by=self.request.user, expected_version=expected_version, **data
        )


def register(router: Any) -> None:
    router.register("outreach/announcements", AnnouncementViewSet, basename="announcement")
    router.register(
        "outreach/broadcast-scripts", BroadcastScriptViewSet, basename="broadcast-script"
    )
    router.register("outreach/broadcast-rounds", BroadcastRoundViewSet, basename="broadcast-round")
    router.register(
        "outreach/notification-scripts", NotificationScriptViewSet, basename="notification-script"
    )
    router.register("outreach/guidance", GuidanceViewSet, basename="guidance")
