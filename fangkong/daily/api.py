"""Daily reports under ``/api/v1/daily-reports/``: list and detail of the reports the caller
sees, submit (``POST``) and correct (``POST …/{id}/correct/``), each through the services."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.areas.models import Area
from fangkong.core.api import (
    ErrorSerializer,
    ModelSerializer,
    RestrictedPrimaryKeyRelatedField,
    RestrictedViewSet,
    Serializer,
)
from fangkong.core.exports import CONTENT_TYPES
from fangkong.daily.choices import TemplateLevel
from fangkong.daily.filtersets import DailyReportFilterSet, ReportTemplateFilterSet
from fangkong.daily.models import DailyReport, ReportTemplate
from fangkong.daily.services import (
    NOTE_LENGTH,
    do_correct_report,
    do_deactivate_template,
    do_submit_report,
    do_upload_template,
)
from fangkong.daily.views import start_report_export
from fangkong.daily.xlsx import MAX_TEMPLATE_BYTES
from fangkong.reports.api import JsonNegotiation


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

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "template",
                OpenApiTypes.INT,
                required=True,
                description=_("The template to fill (one the report fills: see report-templates)."),
            )
        ],
        responses={
            (200, CONTENT_TYPES["xlsx"]): OpenApiTypes.BINARY,
            404: OpenApiResponse(
                ErrorSerializer, description=_("No such report, or a template it does not fill.")
            ),
        },
    )
    @action(
        detail=True,
        methods=["get"],
        required_action="export",
        content_negotiation_class=JsonNegotiation,
    )
    def xlsx(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The report filled into one of its templates (a superior's own form), as .xlsx."""
        report = self.get_object()
        return start_report_export(request, report.pk, "xlsx", request.query_params.get("template"))

    @extend_schema(responses={(200, CONTENT_TYPES["pdf"]): OpenApiTypes.BINARY})
    @action(
        detail=True,
        methods=["get"],
        required_action="export",
        content_negotiation_class=JsonNegotiation,
    )
    def pdf(self, request: Request, pk: str | None = None) -> HttpResponse:
        """The report as a PDF: figures with yesterday's and the change, the notes, who
        submitted it when, the corrections' reasons."""
        report = self.get_object()
        return start_report_export(request, report.pk, "pdf")


class ReportTemplateSerializer(ModelSerializer):
    """A superior's form: where it applies and the placeholders found in it (the workbook
    itself is not sent)."""

    area_name = serializers.CharField(source="area.name", read_only=True)
    placeholders = serializers.ListField(
        child=serializers.DictField(child=serializers.CharField()), read_only=True
    )

    class Meta:
        model = ReportTemplate
        fields = [
            "id",
            "area",
            "area_name",
            "level",
            "name",
            "file_name",
            "size",
            "placeholders",
            "is_active",
            "created",
            "uploaded_by",
            "version",
        ]
        read_only_fields = fields


class UploadTemplateSerializer(Serializer):
    area = RestrictedPrimaryKeyRelatedField(queryset=Area.objects.all())
    name = serializers.CharField(max_length=100)
    level = serializers.ChoiceField(choices=TemplateLevel.choices)
    file = serializers.FileField(help_text=_("The .xlsx with placeholders."))


class DeactivateTemplateSerializer(Serializer):
    version = serializers.IntegerField(required=False, min_value=1)


class ReportTemplateViewSet(RestrictedViewSet):
    """The report templates the caller sees: their area's, those of the areas below it, and
    their street's (for a community)."""

    queryset = ReportTemplate.objects.select_related("area").defer("content")
    serializer_class = ReportTemplateSerializer
    filterset_class = ReportTemplateFilterSet
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": UploadTemplateSerializer},
        responses={201: ReportTemplateSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Upload an .xlsx with placeholders as a template of the caller's own area; a file
        with an unknown placeholder, broken or too big is refused and nothing is stored."""
        given = UploadTemplateSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        data = given.validated_data
        upload = data["file"]
        template = do_upload_template(
            data["area"],
            name=data["name"],
            level=data["level"],
            content=upload.read(MAX_TEMPLATE_BYTES + 1),
            file_name=str(getattr(upload, "name", "") or ""),
            by=self.request.user,
        )
        return Response(self.get_serializer(self.reload(template)).data, status=201)

    @extend_schema(request=DeactivateTemplateSerializer, responses={200: ReportTemplateSerializer})
    @action(detail=True, methods=["post"], required_action="deactivate", can_conflict=True)
    def deactivate(self, request: Request, pk: str | None = None) -> Response:
        """Stop filling the template (it stays, inactive)."""
        template = self.get_object()
        given = DeactivateTemplateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        given.is_valid(raise_exception=True)
        done = do_deactivate_template(
            template, expected_version=given.validated_data.get("version"), by=self.request.user
        )
        return Response(self.get_serializer(self.reload(done)).data, status=200)


def register(router: Any) -> None:
    router.register("daily-reports", DailyReportViewSet, basename="daily-report")
    router.register("report-templates", ReportTemplateViewSet, basename="report-template")
