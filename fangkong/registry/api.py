"""The registry in the API: ``/api/v1/buildings/``, ``/households/`` and ``/people/``.

Declarations on ``fangkong.core.api``'s base classes: rows are restricted to the caller's
scope, every write goes through ``fangkong.registry.services``, and ID numbers and phones
leave only as masks. The one route that answers with full numbers is
``POST /api/v1/people/{id}/reveal/``, which needs the reveal right and a reason and is logged.
A search by a whole ID number or phone is posted to ``/api/v1/people/search/`` (never put in
a URL, which logs keep) and logged as an access event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count, Q
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.api import (
    ProtectedValueField,
    RestrictedPrimaryKeyRelatedField,
    RestrictedViewSet,
    Serializer,
    ServiceModelSerializer,
)
from fangkong.core.querysets import covers
from fangkong.core.sensitive_text import id_number_or_phone
from fangkong.registry import services
from fangkong.registry.choices import PersonStatus, PersonTag
from fangkong.registry.filtersets import BuildingFilterSet, HouseholdFilterSet, PersonFilterSet
from fangkong.registry.models import Building, Household, Person
from fangkong.registry.stats import buildings_with_counts

if TYPE_CHECKING:
    from fangkong.accounts.models import User

# --- Fields ---------------------------------------------------------------------------------


class CommunityField(serializers.PrimaryKeyRelatedField[Area]):
    """A community the caller sees, or one whose grid they work in (as the pages allow).

    Whether the caller may add rows to the whole community is the viewset's question (403);
    a community they cannot see at all is refused like one that does not exist (400).
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Area.objects.filter(level=AreaLevel.COMMUNITY))
        super().__init__(**kwargs)

    def get_queryset(self) -> models.QuerySet[Area]:
        queryset = super().get_queryset()
        if queryset is None:  # set in __init__; None only if a caller passed read_only
            return Area.objects.none()
        user = getattr(self.context.get("request"), "user", None)
        if user is None or not getattr(user, "is_authenticated", False):
            return queryset.none()
        scope = user.scope()
        if scope.everything:
            return queryset
        # The communities the user covers, and the one their grid lies in.
        return queryset.filter(pk__in=scope.communities | scope.grid_communities)


class TagListField(serializers.ListField):
    """A person's tags as a list of codes (stored as ``|a|b|`` for one-LIKE filtering)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("child", serializers.ChoiceField(choices=PersonTag.choices))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def get_attribute(self, instance: Person) -> list[str]:
        return instance.tag_list


# --- Serializers ----------------------------------------------------------------------------


def _refuse_move(serializer: serializers.Serializer[Any], attrs: dict[str, Any]) -> None:
    instance = serializer.instance
    if instance is not None and "community" in attrs and attrs["community"] != instance.community:
        raise serializers.ValidationError(
            {"community": _("A record cannot move to another community.")}
        )


class BuildingSerializer(ServiceModelSerializer):
    """A building, with its occupied households and active residents counted."""

    url = serializers.HyperlinkedIdentityField(view_name="api:building-detail")
    community = CommunityField(required=False)
    grid = RestrictedPrimaryKeyRelatedField(
        queryset=Area.objects.filter(level=AreaLevel.GRID), allow_null=True, required=False
    )
    household_count = serializers.IntegerField(read_only=True)
    resident_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Building
        fields = [
            "id",
            "url",
            "community",
            "grid",
            "number",
            "name",
            "section",
            "units",
            "floors",
            "notes",
            "household_count",
            "resident_count",
            "version",
            "created",
            "updated",
        ]
        validators: list[Any] = []  # uniqueness is the service's, with the model's message

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _refuse_move(self, attrs)
        if self.instance is None and "community" not in attrs:
            raise serializers.ValidationError(
                {"community": [self.fields["community"].error_messages["required"]]}
            )
        return attrs


class HouseholdSerializer(ServiceModelSerializer):
    """A household: its room, head and landline (masked), and its active members counted."""

    url = serializers.HyperlinkedIdentityField(view_name="api:household-detail")
    building = RestrictedPrimaryKeyRelatedField(queryset=Building.objects.all())
    head = RestrictedPrimaryKeyRelatedField(
        queryset=Person.objects.all(), allow_null=True, required=False
    )
    phone = ProtectedValueField(
        mask_attr="phone_mask",
        max_length=20,
        help_text=gettext_lazy("Masked when read; send the full number to change it."),
    )
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Household
        fields = [
            "id",
            "url",
            "community",
            "building",
            "unit",
            "floor",
            "room",
            "number",
            "head",
            "phone",
            "is_active",
            "notes",
            "member_count",
            "version",
            "created",
            "updated",
        ]
        read_only_fields = ["community"]
        validators: list[Any] = []


class PersonSerializer(ServiceModelSerializer):
    """A person as every page shows them: masks and age, never the birth date.

    ``id_number`` and ``phone`` are read as masks and written as full numbers (validated,
    encrypted and indexed by the service); ``birth_date`` can be written for people without
    a resident ID number, and is never read back.
    """

    url = serializers.HyperlinkedIdentityField(view_name="api:person-detail")
    community = CommunityField(
        required=False,
        help_text=gettext_lazy("Needed only for a person without a household."),
    )
    household = RestrictedPrimaryKeyRelatedField(
        queryset=Household.objects.all(), allow_null=True, required=False
    )
    age = serializers.IntegerField(read_only=True, allow_null=True)
    birth_date = serializers.DateField(write_only=True, required=False, allow_null=True)
    id_number = ProtectedValueField(
        mask_attr="id_number_mask",
        max_length=40,
        help_text=gettext_lazy(
            "Masked when read; send the full number to change it. A "
            "resident ID number also sets birth date and sex."
        ),
    )
    phone = ProtectedValueField(
        mask_attr="phone_mask",
        max_length=20,
        help_text=gettext_lazy("Masked when read; send the full number to change it."),
    )
    tags = TagListField()
    is_active = serializers.BooleanField(read_only=True)

    class Meta:
        model = Person
        fields = [
            "id",
            "url",
            "community",
            "household",
            "relation",
            "name",
            "sex",
            "age",
            "birth_date",
            "id_type",
            "id_number",
            "phone",
            "residency",
            "tags",
            "is_active",
            "status",
            "status_date",
            "status_reason",
            "notes",
            "version",
            "created",
            "updated",
        ]
        read_only_fields = ["status", "status_date", "status_reason"]
        validators: list[Any] = []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        _refuse_move(self, attrs)
        household = attrs.get("household")
        community = attrs.get("community")
        if self.instance is None:
            if household is None and community is None:
                raise serializers.ValidationError(
                    {"community": [_("Give a household, or a community for a person without one.")]}
                )
            if (
                household is not None
                and community is not None
                and (household.community_id != community.pk)
            ):
                raise serializers.ValidationError(
                    {"household": [_("Choose a household of this community.")]}
                )
        return attrs


class RevealSerializer(Serializer):
    """Why the caller needs the full numbers; recorded in the access log with their name."""

    reason = serializers.CharField(min_length=2, max_length=300)


class RevealedSerializer(Serializer):
    """One person's full ID number and phone (never cached, never logged)."""

    id_number = serializers.CharField()
    phone = serializers.CharField()


class PersonSearchSerializer(Serializer):
    """A search by a whole ID number or phone: one of the two, in the body.

    A URL is kept by browsers and by every server log on its way, so ``GET /people/?search=``
    refuses these numbers (400) and they are posted here instead.
    """

    id_number = serializers.CharField(
        required=False,
        max_length=40,
        help_text=gettext_lazy("A whole ID number (18 characters; spaces allowed)."),
    )
    phone = serializers.CharField(
        required=False,
        max_length=40,
        help_text=gettext_lazy(
            "A whole mobile or fixed-line number (138 1234 5678, 024-23456789)."
        ),
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = [name for name in ("id_number", "phone") if attrs.get(name, "").strip()]
        if len(given) != 1:
            raise serializers.ValidationError(
                {"non_field_errors": [_("Give an ID number or a phone: one of the two.")]}
            )
        name = given[0]
        found = id_number_or_phone(attrs[name])
        if found is None or found[0] != name:
            message = (
                _("Enter a whole ID number.")
                if name == "id_number"
                else _("Enter a whole phone number.")
            )
            raise serializers.ValidationError({name: [message]})
        return {"kind": found[0], "number": found[1]}


class DeactivateSerializer(Serializer):
    """A person leaves the registry: moved out, moved house or died, on a date, for a reason."""

    status = serializers.ChoiceField(
        choices=[c for c in PersonStatus.choices if c[0] != PersonStatus.ACTIVE]
    )
    date = serializers.DateField()
    reason = serializers.CharField(max_length=200)
    version = serializers.IntegerField(required=False, min_value=1)


# --- Viewsets -------------------------------------------------------------------------------


def _require_whole_community(user: User, community: Area) -> None:
    """Buildings and people without a household are the whole community's (not a grid's)."""
    if not covers(user, community):
        raise PermissionDenied


class BuildingViewSet(RestrictedViewSet):
    """Buildings of the caller's area, with household and resident counts."""

    queryset = Building.objects.all()
    serializer_class = BuildingSerializer
    filterset_class = BuildingFilterSet

    def get_queryset(self) -> models.QuerySet[Building]:
        # Aggregating queries drop Meta.ordering; paging needs a stable order.
        return buildings_with_counts(super().get_queryset()).order_by(
            *(Building._meta.ordering or ())
        )

    def create_service(self, data: dict[str, Any]) -> Building:
        community = data.pop("community")
        _require_whole_community(self.request.user, community)
        return services.do_create_building(community=community, by=self.request.user, **data)

    def update_service(
        self, obj: Building, data: dict[str, Any], expected_version: int | None
    ) -> Building:
        data.pop("community", None)
        user = self.request.user
        if "grid" in data and data["grid"] is None and not covers(user, obj.community):
            # A grid worker's building must stay in one of their grids, or they would lose it.
            raise ValidationError({"grid": _("Choose one of your grids.")})
        return services.do_update_building(obj, by=user, expected_version=expected_version, **data)


class HouseholdViewSet(RestrictedViewSet):
    """Households of the caller's area, with their active members counted."""

    queryset = Household.objects.all()
    serializer_class = HouseholdSerializer
    filterset_class = HouseholdFilterSet

    def get_queryset(self) -> models.QuerySet[Household]:
        households: models.QuerySet[Household] = super().get_queryset()
        return households.annotate(
            member_count=Count("members", filter=Q(members__status=PersonStatus.ACTIVE))
        ).order_by(*(Household._meta.ordering or ()))  # aggregating queries drop the ordering

    def create_service(self, data: dict[str, Any]) -> Household:
        building = data.pop("building")
        phone = data.pop("phone", None) or ""
        return services.do_create_household(
            building=building, by=self.request.user, phone=phone, **data
        )

    def update_service(
        self, obj: Household, data: dict[str, Any], expected_version: int | None
    ) -> Household:
        return services.do_update_household(
            obj,
            by=self.request.user,
            expected_version=expected_version,
            phone=data.pop("phone", None),
            **data,
        )


class PersonViewSet(RestrictedViewSet):
    """People of the caller's area, masked; reveal and deactivate are their own routes."""

    queryset = Person.objects.all()
    serializer_class = PersonSerializer
    filterset_class = PersonFilterSet

    def create_service(self, data: dict[str, Any]) -> Person:
        user = self.request.user
        community = data.pop("community", None)
        household = data.get("household")
        if household is not None:
            community = household.community
        else:
            _require_whole_community(user, community)
        id_number, phone = data.pop("id_number", None) or "", data.pop("phone", None) or ""
        return services.do_create_person(
            community=community, by=user, id_number=id_number, phone=phone, **data
        )

    def update_service(
        self, obj: Person, data: dict[str, Any], expected_version: int | None
    ) -> Person:
        data.pop("community", None)
        user = self.request.user
        if "household" in data and data["household"] is None and not covers(user, obj.community):
            # Without a household the person would be the whole community's, out of a grid
            # worker's sight.
            raise ValidationError({"household": _("Choose a household of your grids.")})
        return services.do_update_person(
            obj,
            by=user,
            expected_version=expected_version,
            id_number=data.pop("id_number", None),
            phone=data.pop("phone", None),
            **data,
        )

    @extend_schema(request=RevealSerializer, responses={200: RevealedSerializer})
    @action(detail=True, methods=["post"], required_action="reveal")
    def reveal(self, request: Request, pk: str | None = None) -> Response:
        """The person's full ID number and phone, for a role with the reveal right.

        Needs a reason; each reveal is written to the access log (the numbers never are).
        """
        person = self.get_object()
        form = RevealSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        revealed = services.do_reveal_person(
            person, by=self.request.user, reason=form.validated_data["reason"]
        )
        response = Response(RevealedSerializer(revealed).data)
        add_never_cache_headers(response)  # includes no-store: the body holds full numbers
        return response

    @extend_schema(request=PersonSearchSerializer, responses={200: PersonSerializer(many=True)})
    @action(detail=False, methods=["post"], required_action="view")
    def search(self, request: Request) -> Response:
        """The people with this whole ID number or phone, among those the caller may see.

        The number goes in the body, never in a URL, where logs keep it. Found through the
        blind index (no row is decrypted) and written to the access log (the number never
        is). The list's filters apply; the answer is paged like the list (post again with
        ``?page=``).
        """
        form = PersonSearchSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        kind, number = form.validated_data["kind"], form.validated_data["number"]
        find = (
            services.find_people_by_id_number
            if kind == "id_number"
            else services.find_people_by_phone
        )
        people = find(self.filter_queryset(self.get_queryset()), number, by=self.request.user)
        page = self.paginate_queryset(people)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(request=DeactivateSerializer, responses={200: PersonSerializer})
    @action(detail=True, methods=["post"], required_action="deactivate", can_conflict=True)
    def deactivate(self, request: Request, pk: str | None = None) -> Response:
        """Record that the person moved out, moved house or died. The row stays."""
        person = self.get_object()
        form = DeactivateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        person = services.do_deactivate_person(
            person,
            by=self.request.user,
            status=data["status"],
            date=data["date"],
            reason=data["reason"],
            expected_version=data.get("version"),
        )
        return Response(self.get_serializer(self.reload(person)).data)
