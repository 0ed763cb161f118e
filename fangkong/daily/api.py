"""Daily reports under ``/api/v1/daily-reports/``: list and detail of the reports the caller
sees, submit (``POST``) and correct (``POST …/{id}/correct/``), each through the services."""

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
)
from fangkong.daily.filtersets import DailyReportFilterSet
from fangkong.daily.models import DailyReport
from fangkong.daily.services import NOTE_LENGTH, do_correct_report, do_submit_report


class DailyReportSerializer(ModelSerializer):
    """A revision of an area's report of a day, its figures as submitted."""

    area_name = serializers.CharField(source="area.name", read_only=True)
    area_level = serializers.CharField(source="area.level", read_only=True)
    figures = serializers.DictField(child=serializers.IntegerField(), read_only=True)
    changes = serializers.JSONField(read_only=True)
    parts = serializers.DictField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = DailyReport
        fields = [
            "id",
            "area",
            "area_name",
            "area_level",
            "day",
            "revision",
            "is_current",
            "figures",
            "parts",
            "key_events",
            "problems",
            "requests",
            "reason",
            "changes",
            "submitted_at",
            "submitted_by",
            "version",
        ]
        read_only_fields = fields


class SubmitReportSerializer(Serializer):
    area = RestrictedPrimaryKeyRelatedField(queryset=Area.objects.all())
    day = serializers.DateField()
    key_events = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_LENGTH)
    problems = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_LENGTH)
    requests = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_LENGTH)


class CorrectReportSerializer(Serializer):
    key_events = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_LENGTH)
    problems = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_LENGTH)
    requests = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_LENGTH)
    # Not required here: the service refuses a missing reason with its own message.
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text=_("Why the report is corrected (required)."),
    )
    version = serializers.IntegerField(required=False, min_value=1)


class DailyReportViewSet(RestrictedViewSet):
    """Reports the caller sees: of their area and the areas below it."""

    queryset = DailyReport.objects.select_related("area")
    serializer_class = DailyReportSerializer
    filterset_class = DailyReportFilterSet
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=SubmitReportSerializer, responses={201: DailyReportSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Submit the report of an area (the caller's own) for a day (today or past)."""
        given = SubmitReportSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        area = data.pop("area")
        day = data.pop("day")
        report = do_submit_report(area, day, data, by=self.request.user)
        return Response(self.get_serializer(self.reload(report)).data, status=201)

    # 200, as every action on one report answers (the new revision in the body).
    @extend_schema(request=CorrectReportSerializer, responses={200: DailyReportSerializer})
    @action(detail=True, methods=["post"], required_action="change", can_conflict=True)
    def correct(self, request: Request, pk: str | None = None) -> Response:
        """Correct a report in force: a new revision with the reason; the old one stays."""
        report = self.get_object()
        given = CorrectReportSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        reason = data.pop("reason", "")
        version = data.pop("version", None)
        new = do_correct_report(
            report, data, reason=reason, expected_version=version, by=self.request.user
        )
        return Response(self.get_serializer(self.reload(new)).data, status=200)


def register(router: Any) -> None:
    router.register("daily-reports", DailyReportViewSet, basename="daily-report")
