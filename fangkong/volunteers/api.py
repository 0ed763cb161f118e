"""Volunteers and requests for them under ``/api/v1/``: list, detail, create and update
through the services; a request's matching volunteers (``GET …/{id}/matches/``), a
volunteer's answer (``POST …/{id}/accept/`` and ``…/decline/``) and the hours counted once
the duty is over (``POST …/{id}/count-hours/``)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.api import (
    ModelSerializer,
    ProtectedValueField,
    RestrictedPrimaryKeyRelatedField,
    RestrictedViewSet,
    Serializer,
    ServiceModelSerializer,
)
from fangkong.registry.api import CommunityField
from fangkong.registry.models import Person
from fangkong.staff.api.common import AreaInCommunityField
from fangkong.staff.models import Checkpoint
from fangkong.volunteers import services
from fangkong.volunteers.choices import Health, Skill, VolunteerGroup, unpack_codes
from fangkong.volunteers.filtersets import VolunteerFilterSet, VolunteerRequestFilterSet
from fangkong.volunteers.matching import matching_volunteers
from fangkong.volunteers.models import Volunteer, VolunteerRequest, VolunteerResponse


class CodesField(serializers.ListField):
    """Codes kept between bars (``|medical|driving|``), answered and taken as a list."""

    def to_representation(self, data: Any) -> list[Any]:
        return unpack_codes(data) if isinstance(data, str) else list(data or [])


class VolunteerSerializer(ServiceModelSerializer):
    """A volunteer: a resident (``person``: name and phone stay in the registry) or someone
    from outside (``name``, ``phone``). The phone answers as its mask."""

    community = CommunityField()
    person = RestrictedPrimaryKeyRelatedField(
        queryset=Person.objects.all(), required=False, allow_null=True
    )
    display_name = serializers.CharField(read_only=True)
    phone = ProtectedValueField(mask_attr="phone_mask", max_length=20)
    groups = CodesField(
        child=serializers.ChoiceField(choices=VolunteerGroup.choices), required=False
    )
    skills = CodesField(child=serializers.ChoiceField(choices=Skill.choices), required=False)
    weekdays = serializers.RegexField(
        r"^[1-7]{1,7}$",
        max_length=7,
        required=False,
        help_text=gettext_lazy("ISO weekdays as digits: 12345 is Monday to Friday."),
    )
    area = AreaInCommunityField()
    health = serializers.ChoiceField(choices=Health.choices, required=False)
    hours = serializers.SerializerMethodField()

    class Meta:
        model = Volunteer
        fields = [
            "id",
            "community",
            "person",
            "name",
            "display_name",
            "phone",
            "groups",
            "rank",
            "skills",
            "weekdays",
            "available_from",
            "available_until",
            "area",
            "health",
            "health_checked_on",
            "is_active",
            "notes",
            "hours",
            "version",
        ]
        read_only_fields = ["rank"]
        # DRF would make ``person`` required from the conditional unique constraints; the
        # service checks them, with the model's messages (ServiceModelSerializer's rule).
        validators: list[Any] = []

    def get_hours(self, obj: Volunteer) -> str:
        return str(services.volunteer_hours(obj))


class VolunteerViewSet(RestrictedViewSet):
    queryset = Volunteer.objects.select_related("person", "area")
    serializer_class = VolunteerSerializer
    filterset_class = VolunteerFilterSet

    def create_service(self, data: dict[str, Any]) -> Volunteer:
        data["phone"] = data.get("phone") or ""
        return services.do_create_volunteer(by=self.request.user, **data)

    def update_service(
        self, obj: Volunteer, data: dict[str, Any], expected_version: int | None
    ) -> Volunteer:
        data.pop("community", None)
        data.pop("person", None)
        return services.do_update_volunteer(
            obj,
            by=self.request.user,
            expected_version=expected_version,
            phone=data.pop("phone", None),
            **data,
        )


class VolunteerCallSerializer(ServiceModelSerializer):
    community = CommunityField()
    checkpoint = RestrictedPrimaryKeyRelatedField(
        queryset=Checkpoint.objects.all(), required=False, allow_null=True
    )
    area = AreaInCommunityField()
    skills = CodesField(child=serializers.ChoiceField(choices=Skill.choices), required=False)
    accepted = serializers.SerializerMethodField()

    class Meta:
        model = VolunteerRequest
        fields = [
            "id",
            "community",
            "checkpoint",
            "place_name",
            "area",
            "start",
            "end",
            "skills",
            "people_needed",
            "status",
            "shift",
            "notes",
            "accepted",
            "version",
        ]
        read_only_fields = ["status", "shift"]

    def get_accepted(self, obj: VolunteerRequest) -> int:
        return services.accepted_count(obj)


class VolunteerResponseSerializer(ModelSerializer):
    class Meta:
        model = VolunteerResponse
        fields = ["id", "request", "volunteer", "answer", "assignment", "hours", "version"]
        read_only_fields = fields


class VolunteerAnswerSerializer(Serializer):
    volunteer = RestrictedPrimaryKeyRelatedField(queryset=Volunteer.objects.all())


class CountHoursSerializer(Serializer):
    version = serializers.IntegerField(required=False, min_value=1)


class VolunteerRequestViewSet(RestrictedViewSet):
    queryset = VolunteerRequest.objects.select_related("checkpoint", "community")
    serializer_class = VolunteerCallSerializer
    filterset_class = VolunteerRequestFilterSet
    http_method_names = ["get", "post", "head", "options"]

    def create_service(self, data: dict[str, Any]) -> VolunteerRequest:
        return services.do_create_request(by=self.request.user, **data)

    # One short list of the request's own (200 at most): neither filtered nor paged.
    @extend_schema(responses={200: VolunteerSerializer(many=True)})
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def matches(self, request: Request, pk: str | None = None) -> Response:
        """Volunteers who match the request and have not answered it, veterans first."""
        found = matching_volunteers(self.get_object(), limit=200)
        return Response(VolunteerSerializer(found, many=True, context={"request": request}).data)

    def _answer(self, request: Request, accepted: bool) -> Response:
        wanted = self.get_object()  # first: another area's request is not found, whatever the body
        given = VolunteerAnswerSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        response = services.do_answer_request(
            wanted,
            given.validated_data["volunteer"],
            accepted=accepted,
            by=self.request.user,
        )
        # 200, as every action on one request answers (the answer recorded in the body).
        return Response(VolunteerResponseSerializer(response).data, status=200)

    @extend_schema(request=VolunteerAnswerSerializer, responses={200: VolunteerResponseSerializer})
    @action(detail=True, methods=["post"], required_action="add")
    def accept(self, request: Request, pk: str | None = None) -> Response:
        """The volunteer accepted: they go on the request's shift of the roster."""
        return self._answer(request, accepted=True)

    @extend_schema(request=VolunteerAnswerSerializer, responses={200: VolunteerResponseSerializer})
    @action(detail=True, methods=["post"], required_action="add")
    def decline(self, request: Request, pk: str | None = None) -> Response:
        """The volunteer declined."""
        return self._answer(request, accepted=False)

    @extend_schema(request=CountHoursSerializer, responses={200: VolunteerCallSerializer})
    @action(
        detail=True,
        methods=["post"],
        url_path="count-hours",
        required_action="change",
        can_conflict=True,
    )
    def count_hours(self, request: Request, pk: str | None = None) -> Response:
        """Close a request whose duty is over; each accepted volunteer's hours are counted."""
        given = CountHoursSerializer(data=request.data, context=self.get_serializer_context())
        given.is_valid(raise_exception=True)
        done = services.do_count_hours(
            self.get_object(),
            by=self.request.user,
            expected_version=given.validated_data.get("version"),
        )
        return Response(self.get_serializer(self.reload(done)).data, status=200)


def register(router: Any) -> None:
    router.register("volunteers", VolunteerViewSet, basename="volunteer")
    router.register("volunteer-requests", VolunteerRequestViewSet, basename="volunteer-request")
