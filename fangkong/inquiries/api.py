"""Inquiries under ``/api/v1/inquiries/`` and the FAQ under ``/api/v1/faq-entries/``: lists
and details of what the caller sees; every write through the services (record, edit, answer,
call back, close, and the one-click FAQ entry)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.areas.models import Area
from fangkong.core.api import (
    RestrictedPrimaryKeyRelatedField,
    RestrictedViewSet,
    Serializer,
    ServiceModelSerializer,
)
from fangkong.inquiries.filtersets import FaqFilterSet, InquiryFilterSet
from fangkong.inquiries.models import FaqEntry, Inquiry
from fangkong.inquiries.services import (
    ANSWER_MAX,
    QUESTION_MAX,
    do_answer_inquiry,
    do_close_inquiry,
    do_create_faq_entry,
    do_faq_from_inquiry,
    do_follow_up_inquiry,
    do_record_inquiry,
    do_update_faq_entry,
    do_update_inquiry,
)
from fangkong.registry.models import Household, Person
from fangkong.staff.api.common import ColleagueField

WRITABLE = ("channel", "category", "question", "household", "person", "handler")


class InquirySerializer(ServiceModelSerializer):
    community = RestrictedPrimaryKeyRelatedField(queryset=Area.objects.all())
    household = RestrictedPrimaryKeyRelatedField(
        queryset=Household.objects.all(), required=False, allow_null=True
    )
    person = RestrictedPrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    handler = ColleagueField()
    question = serializers.CharField(max_length=QUESTION_MAX)
    answer = serializers.CharField(max_length=ANSWER_MAX, required=False, allow_blank=True)

    class Meta:
        model = Inquiry
        fields = [
            "id",
            "community",
            "received_at",
            "channel",
            "category",
            "household",
            "person",
            "question",
            "answer",
            "status",
            "handler",
            "follow_up_on",
            "answered_at",
            "closed_at",
            "version",
        ]
        read_only_fields = ["status", "follow_up_on", "answered_at", "closed_at"]
        extra_kwargs = {"received_at": {"required": False}}


class InquiryAnswerSerializer(Serializer):
    answer = serializers.CharField(max_length=ANSWER_MAX, required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, min_value=1)


class FollowUpSerializer(Serializer):
    follow_up_on = serializers.DateField()
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, min_value=1)


class InquiryVersionSerializer(Serializer):
    version = serializers.IntegerField(required=False, min_value=1)


class FaqEntrySerializer(ServiceModelSerializer):
    area = RestrictedPrimaryKeyRelatedField(queryset=Area.objects.all())
    question = serializers.CharField(max_length=QUESTION_MAX)
    answer = serializers.CharField(max_length=ANSWER_MAX)

    class Meta:
        model = FaqEntry
        fields = ["id", "area", "category", "question", "answer", "published", "source", "version"]
        read_only_fields = ["source"]


class InquiryViewSet(RestrictedViewSet):
    queryset = Inquiry.objects.all()
    serializer_class = InquirySerializer
    filterset_class = InquiryFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def create_service(self, data: dict[str, Any]) -> Inquiry:
        community = data.pop("community")
        return do_record_inquiry(community, by=self.request.user, **data)

    def update_service(
        self, obj: Any, data: dict[str, Any], expected_version: int | None
    ) -> Inquiry:
        changes = {k: v for k, v in data.items() if k in WRITABLE}
        return do_update_inquiry(
            obj, changes, expected_version=expected_version, by=self.request.user
        )

    def _answer_with(self, inquiry: Inquiry) -> Response:
        return Response(self.get_serializer(self.reload(inquiry)).data, status=200)

    @extend_schema(request=InquiryAnswerSerializer, responses={200: InquirySerializer})
    @action(detail=True, methods=["post"], required_action="change", can_conflict=True)
    def answer(self, request: Request, pk: str | None = None) -> Response:
        """Record the answer given (a planned call back is then done)."""
        inquiry = self.get_object()
        given = InquiryAnswerSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        data = given.validated_data
        done = do_answer_inquiry(
            inquiry,
            answer=data.get("answer", ""),
            expected_version=data.get("version"),
            by=self.request.user,
        )
        return self._answer_with(done)

    @extend_schema(request=FollowUpSerializer, responses={200: InquirySerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path="follow-up",
        url_name="follow-up",
        required_action="change",
        can_conflict=True,
    )
    def follow_up(self, request: Request, pk: str | None = None) -> Response:
        """Call the resident back by a day: a task for the handler."""
        inquiry = self.get_object()
        given = FollowUpSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        data = given.validated_data
        done = do_follow_up_inquiry(
            inquiry,
            follow_up_on=data["follow_up_on"],
            note=data.get("note", ""),
            expected_version=data.get("version"),
            by=self.request.user,
        )
        return self._answer_with(done)

    @extend_schema(request=InquiryVersionSerializer, responses={200: InquirySerializer})
    @action(detail=True, methods=["post"], required_action="change", can_conflict=True)
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close an answered inquiry (one without an answer is refused)."""
        inquiry = self.get_object()
        given = InquiryVersionSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        done = do_close_inquiry(
            inquiry, expected_version=given.validated_data.get("version"), by=self.request.user
        )
        return self._answer_with(done)

    # 200, as every action on one inquiry answers (the new entry in the body).
    @extend_schema(request=None, responses={200: FaqEntrySerializer})
    @action(
        detail=True, methods=["post"], url_path="to-faq", url_name="to-faq", required_action="view"
    )
    def to_faq(self, request: Request, pk: str | None = None) -> Response:
        """The answered inquiry as a new, unpublished FAQ entry of its community."""
        entry = do_faq_from_inquiry(self.get_object(), by=self.request.user)
        return Response(
            FaqEntrySerializer(entry, context=self.get_serializer_context()).data, status=200
        )


class FaqEntryViewSet(RestrictedViewSet):
    """The FAQ entries of the caller's communities and of the streets above them."""

    queryset = FaqEntry.objects.select_related("area")
    serializer_class = FaqEntrySerializer
    filterset_class = FaqFilterSet
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def create_service(self, data: dict[str, Any]) -> FaqEntry:
        area = data.pop("area")
        return do_create_faq_entry(area, by=self.request.user, **data)

    def update_service(
        self, obj: Any, data: dict[str, Any], expected_version: int | None
    ) -> FaqEntry:
        data.pop("area", None)
        return do_update_faq_entry(
            obj, data, expected_version=expected_version, by=self.request.user
        )


def register(router: Any) -> None:
    router.register("inquiries", InquiryViewSet, basename="inquiry")
    router.register("faq-entries", FaqEntryViewSet, basename="faq-entry")
