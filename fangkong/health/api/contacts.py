"""Contacts in the API, of the case's community or handed over to another."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.api import (
    RestrictedPrimaryKeyRelatedField,
    RestrictedViewSet,
    Serializer,
    ServiceModelSerializer,
)
from fangkong.health import services
from fangkong.health.choices import (
    ContactKind,
)
from fangkong.health.filtersets import (
    ContactFilterSet,
)
from fangkong.health.models import (
    Case,
    Contact,
)
from fangkong.registry.models import Person

# --- Contacts -------------------------------------------------------------------------------


class HealthContactSerializer(ServiceModelSerializer):
    """A contact of a case: a ``person`` of the case's community, or one who lives in another
    community handed over with ``other_community``, ``name`` and an ``id_number`` or ``phone``
    (found or recorded there; that community's officer gets a task).

    A handed-over contact reads back as what was typed: ``name`` and the masks of the numbers
    given, ``person`` null. The other community's record is not the caller's to see, nor to
    count: its id would say whether a match existed."""

    url = serializers.HyperlinkedIdentityField(view_name="api:health-contact-detail")
    case = RestrictedPrimaryKeyRelatedField(queryset=Case.objects.all())
    person = RestrictedPrimaryKeyRelatedField(
        queryset=Person.objects.all(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("A person of the case's community; null for a hand-over."),
    )
    kind = serializers.ChoiceField(choices=ContactKind.choices)
    other_community = serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.filter(level=AreaLevel.COMMUNITY),
        required=False,
        write_only=True,
        help_text=gettext_lazy("For a hand-over: the community the contact lives in."),
    )
    name = serializers.CharField(
        source="handover_name",
        max_length=100,
        required=False,
        help_text=gettext_lazy("For a hand-over: the contact's name as given."),
    )
    id_number = serializers.CharField(
        max_length=40, required=False, write_only=True, allow_blank=True
    )
    phone = serializers.CharField(max_length=20, required=False, write_only=True, allow_blank=True)
    id_number_mask = serializers.CharField(
        source="handover_id_mask",
        read_only=True,
        help_text=gettext_lazy("For a hand-over: the ID number given, masked."),
    )
    phone_mask = serializers.CharField(
        source="handover_phone_mask",
        read_only=True,
        help_text=gettext_lazy("For a hand-over: the phone given, masked."),
    )

    class Meta:
        model = Contact
        fields = [
            "id",
            "url",
            "case",
            "person",
            "kind",
            "last_exposure",
            "how",
            "handed_over_to",
            "other_community",
            "name",
            "id_number",
            "phone",
            "id_number_mask",
            "phone_mask",
            "version",
            "created",
            "updated",
        ]
        read_only_fields = ["handed_over_to"]
        # The service checks uniqueness: the model's (case, person) rule would make
        # ``person`` required here, and a hand-over has none to give.
        validators: list[Any] = []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("other_community") is not None:
            if attrs.get("person") is not None:
                raise serializers.ValidationError(
                    {
                        "person": [
                            _(
                                "Give a person of this community, or hand over one of another "
                                "community: not both."
                            )
                        ]
                    }
                )
            if not (attrs.get("handover_name") or "").strip():
                raise serializers.ValidationError({"name": [_("Give the contact's name.")]})
        elif attrs.get("person") is None:
            raise serializers.ValidationError(
                {
                    "person": [
                        _(
                            "Choose the contact: a person of this community, or another community "
                            "with "
                            "the contact's name."
                        )
                    ]
                }
            )
        return attrs

    def to_representation(self, instance: Contact) -> dict[str, Any]:
        data = super().to_representation(instance)
        # A handed-over contact's record is the other community's (see above).
        data["person"] = None if instance.is_handed_over else instance.person_id
        return data


class HealthContactLocalSerializer(Serializer):
    """A contact of the case's community (request body)."""

    case = serializers.IntegerField()
    person = serializers.IntegerField(help_text=gettext_lazy("A person of the case's community."))
    kind = serializers.ChoiceField(choices=ContactKind.choices)
    last_exposure = serializers.DateField()
    how = serializers.CharField(max_length=300, required=False, allow_blank=True)


class HealthContactHandOverSerializer(Serializer):
    """A contact who lives in another community, handed over (request body): the name and
    an ID number or phone (at least one) to find or record them there."""

    case = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=ContactKind.choices)
    last_exposure = serializers.DateField()
    how = serializers.CharField(max_length=300, required=False, allow_blank=True)
    other_community = serializers.IntegerField(
        help_text=gettext_lazy("The community the contact lives in.")
    )
    name = serializers.CharField(max_length=100)
    id_number = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("This or the phone."),
    )
    phone = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("This or the ID number."),
    )


@extend_schema_view(
    create=extend_schema(
        request=PolymorphicProxySerializer(
            component_name="HealthContactCreate",
            serializers=[HealthContactLocalSerializer, HealthContactHandOverSerializer],
            resource_type_field_name=None,
        ),
        responses={201: HealthContactSerializer},
    )
)
class ContactViewSet(RestrictedViewSet):
    """Contacts of the cases of the caller's area (no update: add a corrected one)."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = Contact.objects.all()
    serializer_class = HealthContactSerializer
    filterset_class = ContactFilterSet

    def create_service(self, data: dict[str, Any]) -> Contact:
        return services.do_add_contact(
            case=data["case"],
            kind=data["kind"],
            by=self.request.user,
            last_exposure=data.get("last_exposure"),
            how=data.get("how", ""),
            person=data.get("person"),
            other_community=data.get("other_community"),
            name=data.get("handover_name", ""),
            id_number=data.get("id_number", ""),
            phone=data.get("phone", ""),
        )
