"""Counselling cases under ``/api/v1/counselling-cases/``: a case and its sessions' dates for
whoever sees it; its notes at ``…/{id}/notes/`` for the counsellor and the community officer
alone, each read logged as on the page; writes through the services."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.api import (
    ModelSerializer,
    RestrictedPrimaryKeyRelatedField,
    RestrictedViewSet,
    Serializer,
    ServiceModelSerializer,
)
from fangkong.counselling.choices import SessionMode
from fangkong.counselling.filtersets import CaseFilterSet
from fangkong.counselling.models import CounsellingCase, CounsellingSession
from fangkong.counselling.services import (
    NOTES_MAX,
    REFERRAL_MAX,
    do_close_case,
    do_open_case,
    do_record_session,
    do_refer_case,
    do_update_case,
    read_notes,
)
from fangkong.registry.models import Person
from fangkong.staff.api.common import ColleagueField


class SessionSerializer(ModelSerializer):
    """A session as everyone with the view right sees it: when and how, no notes."""

    class Meta:
        model = CounsellingSession
        fields = ["id", "held_at", "mode", "follow_up_on"]
        read_only_fields = fields


class SessionNotesSerializer(ModelSerializer):
    class Meta:
        model = CounsellingSession
        fields = ["id", "held_at", "mode", "follow_up_on", "notes"]
        read_only_fields = fields


class CaseSerializer(ServiceModelSerializer):
    person = RestrictedPrimaryKeyRelatedField(queryset=Person.objects.all())
    counsellor = ColleagueField()
    sessions = SessionSerializer(many=True, read_only=True)

    class Meta:
        model = CounsellingCase
        fields = [
            "id",
            "community",
            "person",
            "counsellor",
            "risk_level",
            "status",
            "opened_on",
            "referral_to",
            "referred_on",
            "closed_on",
            "sessions",
            "version",
        ]
        read_only_fields = ["community", "status", "referral_to", "referred_on", "closed_on"]
        extra_kwargs = {"opened_on": {"required": False}}


class NewSessionSerializer(Serializer):
    mode = serializers.ChoiceField(choices=SessionMode.choices)
    notes = serializers.CharField(max_length=NOTES_MAX, required=False, allow_blank=True)
    held_at = serializers.DateTimeField(required=False)
    follow_up_on = serializers.DateField(required=False, allow_null=True)


class ReferSerializer(Serializer):
    referral_to = serializers.CharField(max_length=REFERRAL_MAX, required=False, allow_blank=True)
    referred_on = serializers.DateField(required=False, allow_null=True)
    version = serializers.IntegerField(required=False, min_value=1)


class CaseVersionSerializer(Serializer):
    version = serializers.IntegerField(required=False, min_value=1)


class CaseViewSet(RestrictedViewSet):
    queryset = CounsellingCase.objects.prefetch_related("sessions")
    serializer_class = CaseSerializer
    filterset_class = CaseFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def create_service(self, data: dict[str, Any]) -> CounsellingCase:
        person = data.pop("person")
        return do_open_case(person, by=self.request.user, **data)

    def update_service(
        self, obj: Any, data: dict[str, Any], expected_version: int | None
    ) -> CounsellingCase:
        changes = {k: v for k, v in data.items() if k in ("counsellor", "risk_level")}
        return do_update_case(obj, changes, expected_version=expected_version, by=self.request.user)

    def _case(self, case: CounsellingCase) -> Response:
        return Response(self.get_serializer(self.reload(case)).data, status=200)

    @extend_schema(request=None, responses={200: SessionNotesSerializer(many=True)})
    # One case's sessions, not a list: no filters, no paging.
    @action(
        detail=True,
        methods=["get"],
        required_action="view",
        filter_backends=[],
        pagination_class=None,
    )
    def notes(self, request: Request, pk: str | None = None) -> Response:
        """The sessions with their notes: the counsellor's and the community officer's, each
        read logged (403 with the reason for anyone else)."""
        sessions = read_notes(self.get_object(), by=self.request.user, via="api")
        return Response(SessionNotesSerializer(sessions, many=True).data)

    # 200, as every action on one case answers (the case with its new session in the body).
    @extend_schema(request=NewSessionSerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"], required_action="change")
    def sessions(self, request: Request, pk: str | None = None) -> Response:
        """Record a session (the counsellor or the community officer)."""
        case = self.get_object()
        given = NewSessionSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        do_record_session(case, by=self.request.user, **given.validated_data)
        return self._case(case)

    @extend_schema(request=ReferSerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"], required_action="change", can_conflict=True)
    def refer(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        given = ReferSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        data = given.validated_data
        done = do_refer_case(
            case,
            referral_to=data.get("referral_to", ""),
            referred_on=data.get("referred_on"),
            expected_version=data.get("version"),
            by=self.request.user,
        )
        return self._case(done)

    @extend_schema(request=CaseVersionSerializer, responses={200: CaseSerializer})
    @action(detail=True, methods=["post"], required_action="change", can_conflict=True)
    def close(self, request: Request, pk: str | None = None) -> Response:
        case = self.get_object()
        given = CaseVersionSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        done = do_close_case(
            case, expected_version=given.validated_data.get("version"), by=self.request.user
        )
        return self._case(done)


def register(router: Any) -> None:
    router.register("counselling-cases", CaseViewSet, basename="counselling-case")
