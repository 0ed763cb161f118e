"""Organisations, staff members, teams, the leading group and responsibilities in the API."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.api import (
    ModelSerializer,
    ProtectedValueField,
    RestrictedReadOnlyViewSet,
    RestrictedViewSet,
    Serializer,
    ServiceModelSerializer,
)
from fangkong.registry.api import CommunityField
from fangkong.staff import services
from fangkong.staff.api.common import (
    AreaInCommunityField,
    ColleagueField,
    related_field,
    valid_data,
)
from fangkong.staff.filtersets import (
    CommunityRowFilterSet,
    OrganisationFilterSet,
    StaffMemberFilterSet,
)
from fangkong.staff.models import (
    LeadingGroup,
    LeadingGroupMember,
    Organisation,
    Responsibility,
    StaffMember,
    Team,
    TeamMembership,
)

# --- Organisations, staff members, teams ----------------------------------------------------


class OrganisationSerializer(ServiceModelSerializer):
    community = CommunityField()

    class Meta:
        model = Organisation
        fields = ["id", "community", "kind", "name", "notes", "is_active", "version"]


class OrganisationViewSet(RestrictedViewSet):
    queryset = Organisation.objects.all()
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilterSet

    def create_service(self, data: dict[str, Any]) -> Organisation:
        data.pop("is_active", None)
        return services.do_create_organisation(by=self.request.user, **data)

    def update_service(
        self, obj: Organisation, data: dict[str, Any], expected_version: int | None
    ) -> Organisation:
        data.pop("community", None)
        return services.do_update_organisation(
            obj, by=self.request.user, expected_version=expected_version, **data
        )


class StaffMemberSerializer(ServiceModelSerializer):
    """A staff member; the phone answers as its mask and accepts the full number."""

    community = CommunityField()
    organisation = related_field(Organisation)
    area = AreaInCommunityField()
    user = ColleagueField(help_text=gettext_lazy("The login linked to this person."))
    phone = ProtectedValueField(mask_attr="phone_mask", max_length=20)

    class Meta:
        model = StaffMember
        fields = [
            "id",
            "community",
            "organisation",
            "name",
            "position",
            "area",
            "user",
            "phone",
            "is_active",
            "notes",
            "version",
        ]


class StaffMemberViewSet(RestrictedViewSet):
    queryset = StaffMember.objects.all()
    serializer_class = StaffMemberSerializer
    filterset_class = StaffMemberFilterSet

    def create_service(self, data: dict[str, Any]) -> StaffMember:
        data["phone"] = data.get("phone") or ""
        return services.do_create_staff_member(by=self.request.user, **data)

    def update_service(
        self, obj: StaffMember, data: dict[str, Any], expected_version: int | None
    ) -> StaffMember:
        data.pop("community", None)
        return services.do_update_staff_member(
            obj,
            by=self.request.user,
            expected_version=expected_version,
            phone=data.pop("phone", None),
            **data,
        )


class TeamMembershipSerializer(ModelSerializer):
    name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = TeamMembership
        fields = ["id", "member", "name", "duty"]
        read_only_fields = fields


class TeamSerializer(ServiceModelSerializer):
    community = CommunityField()
    leader = related_field(StaffMember, required=False, allow_null=True)
    members = TeamMembershipSerializer(source="memberships", many=True, read_only=True)

    class Meta:
        model = Team
        fields = ["id", "community", "name", "purpose", "leader", "is_active", "members", "version"]


class AddMemberSerializer(Serializer):
    member = related_field(StaffMember)
    duty = serializers.CharField(required=False, allow_blank=True, max_length=200)


class TeamViewSet(RestrictedViewSet):
    queryset = Team.objects.all()
    serializer_class = TeamSerializer
    filterset_class = CommunityRowFilterSet

    def get_queryset(self) -> models.QuerySet[Team]:
        memberships = TeamMembership.objects.select_related("member").order_by("member__name")
        return (
            super().get_queryset().prefetch_related(Prefetch("memberships", queryset=memberships))
        )

    def create_service(self, data: dict[str, Any]) -> Team:
        data.pop("is_active", None)
        return services.do_create_team(by=self.request.user, **data)

    def update_service(self, obj: Team, data: dict[str, Any], expected_version: int | None) -> Team:
        data.pop("community", None)
        return services.do_update_team(
            obj, by=self.request.user, expected_version=expected_version, **data
        )

    @extend_schema(request=AddMemberSerializer, responses={200: TeamSerializer})
    @action(detail=True, methods=["post"], url_path="add-member", required_action="change")
    def add_member(self, request: Request, pk: str | None = None) -> Response:
        """Put a staff member of the community in the team."""
        team = self.get_object()
        data = valid_data(AddMemberSerializer(data=request.data, context={"request": request}))
        services.do_add_team_member(
            team, member=data["member"], duty=data.get("duty", ""), by=self.request.user
        )
        return Response(self.get_serializer(self.reload(team)).data)


# --- The leading group and the responsibility matrix ----------------------------------------


class SeatSerializer(ModelSerializer):
    name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = LeadingGroupMember
        fields = ["id", "member", "name", "role", "duty", "sort_order"]
        read_only_fields = fields


class LeadingGroupSerializer(ModelSerializer):
    seats = SeatSerializer(many=True, read_only=True)

    class Meta:
        model = LeadingGroup
        fields = ["id", "community", "name", "notes", "seats", "version"]
        read_only_fields = fields


class LeadingGroupViewSet(RestrictedReadOnlyViewSet):
    """Leading groups of the caller's communities with their seats (changed on the pages)."""

    queryset = LeadingGroup.objects.all()
    serializer_class = LeadingGroupSerializer
    filterset_class = CommunityRowFilterSet

    def get_queryset(self) -> models.QuerySet[LeadingGroup]:
        seats = LeadingGroupMember.objects.select_related("member").order_by("sort_order", "pk")
        return super().get_queryset().prefetch_related(Prefetch("seats", queryset=seats))


class ResponsibilitySerializer(ServiceModelSerializer):
    community = CommunityField()
    team = related_field(Team, required=False, allow_null=True)
    organisation = related_field(Organisation, required=False, allow_null=True)
    area = AreaInCommunityField()

    class Meta:
        model = Responsibility
        fields = [
            "id",
            "community",
            "duty",
            "team",
            "organisation",
            "area",
            "notes",
            "sort_order",
            "version",
        ]


class ResponsibilityViewSet(RestrictedViewSet):
    queryset = Responsibility.objects.all()
    serializer_class = ResponsibilitySerializer
    filterset_class = CommunityRowFilterSet

    def create_service(self, data: dict[str, Any]) -> Responsibility:
        return services.do_create_responsibility(by=self.request.user, **data)

    def update_service(
        self, obj: Responsibility, data: dict[str, Any], expected_version: int | None
    ) -> Responsibility:
        data.pop("community", None)
        return services.do_update_responsibility(
            obj, by=self.request.user, expected_version=expected_version, **data
        )
