"""The health module in the API (``/api/v1/health/...``).

* ``cases/`` — list, detail, create (a status change), ``PATCH`` for dates and places;
  ``classify`` and ``outcome`` are status changes of their own;
* ``contacts/`` — list, detail, create: a person of the case's community by ``person``, or
  one of another community by ``other_community`` with ``name`` and ``id_number`` or
  ``phone`` (handed over to that community's officer; read back as what was typed, the
  same whether or not that community knew them);
* ``quarantines/`` — list, detail, create (a ``person``, or a whole ``household``);
  ``end-date`` (extend or shorten) and ``end``;
* ``reports/`` — list, detail, create (a temperature and symptoms);
* ``disinfections/`` — list, detail, create;
* ``changes/`` — the status changes; ``approve`` and ``reject`` a pending one.

Status changes carry ``reason``, ``evidence_kind`` and ``evidence_ref`` and count towards the
four-eyes rule with the pages and imports: one that must wait answers ``202`` with the
pending changes instead of ``201``/``200`` with the row. Refusals are the project's error
body, in Chinese: ``400`` for bad input (a quarantine ending before it starts, a report for
someone not under monitoring, a temperature out of range, a contact date after the case's
isolation, missing evidence, a self-approval), ``403`` for a role that may not.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_view,
)
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.api import (
    ModelSerializer,
    RestrictedPrimaryKeyRelatedField,
    RestrictedReadOnlyViewSet,
    RestrictedViewSet,
    Serializer,
    ServiceModelSerializer,
)
from fangkong.health import services
from fangkong.health.choices import (
    ChangeReason,
    ChangeSource,
    Classification,
    ContactKind,
    Disinfectant,
    EvidenceKind,
    Outcome,
    PlaceKind,
    QuarantineKind,
    ReportSource,
    Symptom,
    TakenTo,
)
from fangkong.health.filtersets import (
    CaseFilterSet,
    ChangeFilterSet,
    ContactFilterSet,
    DisinfectionFilterSet,
    QuarantineFilterSet,
    ReportFilterSet,
)
from fangkong.health.models import (
    Case,
    Contact,
    Disinfection,
    HealthReport,
    Quarantine,
    StatusChange,
)
from fangkong.registry.models import Building, Household, Person

# --- Shared parts ---------------------------------------------------------------------------


class HealthEvidenceSerializer(Serializer):
    """What every status change carries."""

    reason = serializers.ChoiceField(choices=ChangeReason.choices)
    evidence_kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    evidence_ref = serializers.CharField(
        max_length=200,
        help_text=gettext_lazy("The test report number, the contact link or the official "
                               "notice number this change rests on."))
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)
    version = serializers.IntegerField(required=False, min_value=1)

    def evidence(self) -> dict[str, str]:
        data = self.validated_data
        return {"reason": data["reason"], "evidence_kind": data["evidence_kind"],
                "evidence_ref": data["evidence_ref"], "note": data.get("note", "")}


class HealthStatusChangeSerializer(ModelSerializer):
    """A change of a person's health status: what, why, on what evidence, and its review."""

    url = serializers.HyperlinkedIdentityField(view_name="api:health-change-detail")

    class Meta:
        model = StatusChange
        fields = ["id", "url", "person", "household", "action", "case", "quarantine",
                  "from_value", "to_value", "reason", "evidence_kind", "evidence_ref", "note",
                  "status", "source", "batch", "proposed_by_name", "decided_by",
                  "decided_at", "decision_note", "created"]
        read_only_fields = fields


class HealthPendingSerializer(Serializer):
    """A change that waits for approval by a user of another role (four-eyes rule)."""

    status = serializers.CharField(help_text=gettext_lazy("Always \"pending\"."))
    changes = HealthStatusChangeSerializer(many=True)


def pending_response(result: services.ChangeResult, request: Request) -> Response:
    body = {"status": "pending",
            "changes": HealthStatusChangeSerializer(result.changes, many=True,
                                              context={"request": request}).data}
    return Response(body, status=status.HTTP_202_ACCEPTED)


class HealthDecisionSerializer(Serializer):
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class SymptomsField(serializers.ListField):
    """Symptoms as a list of codes (stored as ``|a|b|`` for one-LIKE filtering)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("child", serializers.ChoiceField(choices=Symptom.choices))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def get_attribute(self, instance: HealthReport) -> list[str]:
        return instance.symptom_list


class StatusWriteMixin:
    """Creates and actions that are status changes: 201/200 with the row, or 202 pending."""

    def answer(self, result: services.ChangeResult, request: Request,
               code: int = status.HTTP_201_CREATED) -> Response:
        if result.pending:
            return pending_response(result, request)
        obj = self.reload(result.obj)
        # The row as reads show it (not the create serializer's evidence fields).
        serializer = self.serializer_class(  # type: ignore[attr-defined]
            obj, context=self.get_serializer_context())  # type: ignore[attr-defined]
        return Response(serializer.data, status=code)

    def reload(self, obj: Any) -> Any:
        return self.get_queryset().filter(pk=obj.pk).first() or obj  # type: ignore[attr-defined]


# --- Cases ----------------------------------------------------------------------------------


class HealthCaseSerializer(ServiceModelSerializer):
    """A case. Created with its classification, reason and evidence (a status change); a
    ``PATCH`` changes dates, where the case was taken, places and notes only."""

    url = serializers.HyperlinkedIdentityField(view_name="api:health-case-detail")
    person = RestrictedPrimaryKeyRelatedField(queryset=Person.objects.all())
    household = RestrictedPrimaryKeyRelatedField(queryset=Household.objects.all(),
                                                 allow_null=True, required=False)
    building = RestrictedPrimaryKeyRelatedField(queryset=Building.objects.all(),
                                                allow_null=True, required=False)
    classification = serializers.ChoiceField(choices=Classification.choices, required=False)
    outcome = serializers.ChoiceField(choices=Outcome.choices, read_only=True)
    taken_to = serializers.ChoiceField(choices=TakenTo.choices, required=False,
                                       allow_blank=True)

    class Meta:
        model = Case
        fields = ["id", "url", "person", "classification", "onset_date", "report_date",
                  "confirmation_date", "isolated_on", "taken_to", "taken_to_name", "outcome",
                  "outcome_date", "household", "building", "unit", "source_contact", "notes",
                  "version", "created", "updated"]
        read_only_fields = ["outcome_date", "source_contact"]


class HealthCaseCreateSerializer(HealthCaseSerializer, HealthEvidenceSerializer):
    class Meta(HealthCaseSerializer.Meta):
        fields = [*HealthCaseSerializer.Meta.fields, "reason", "evidence_kind", "evidence_ref",
                  "note"]


class HealthClassifySerializer(HealthEvidenceSerializer):
    classification = serializers.ChoiceField(choices=Classification.choices)
    confirmation_date = serializers.DateField(required=False, allow_null=True)


class HealthOutcomeSerializer(HealthEvidenceSerializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    outcome_date = serializers.DateField(required=False, allow_null=True)


CASE_DETAILS = ("onset_date", "report_date", "confirmation_date", "isolated_on", "taken_to",
                "taken_to_name", "household", "building", "unit", "notes")


class CaseViewSet(StatusWriteMixin, RestrictedViewSet):
    """Cases of the caller's area."""

    queryset = Case.objects.select_related("person")
    serializer_class = HealthCaseSerializer
    filterset_class = CaseFilterSet

    def get_serializer_class(self) -> type[serializers.Serializer]:
        return HealthCaseCreateSerializer if self.action == "create" else HealthCaseSerializer

    @extend_schema(request=HealthCaseCreateSerializer,
                   responses={201: HealthCaseSerializer, 202: HealthPendingSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Record a person as a case: a status change (reason, evidence, four-eyes)."""
        form = HealthCaseCreateSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        data = form.validated_data
        if "classification" not in data:
            raise serializers.ValidationError({"classification": [_("Choose a "
                                                                    "classification.")]})
        if "report_date" not in data:
            raise serializers.ValidationError({"report_date": [_("Give the report date.")]})
        result = services.do_open_case(
            person=data["person"], by=request.user, source=ChangeSource.API,
            classification=data["classification"], **form.evidence(),
            **{k: data[k] for k in CASE_DETAILS if k in data},
        )
        return self.answer(result, request)

    def update_service(self, obj: Case, data: dict[str, Any],
                       expected_version: int | None) -> Case:
        if "classification" in data and data["classification"] != obj.classification:
            raise serializers.ValidationError({"classification": [_(
                "A classification changes through classify, with a reason and evidence.")]})
        if "person" in data and data["person"] != obj.person:
            raise serializers.ValidationError({"person": [_("A case keeps its person.")]})
        return services.do_update_case(
            obj, by=self.request.user, expected_version=expected_version,
            **{k: v for k, v in data.items() if k in CASE_DETAILS})

    @extend_schema(request=HealthClassifySerializer,
                   responses={200: HealthCaseSerializer, 202: HealthPendingSerializer})
    @action(detail=True, methods=["post"], required_action="change", can_conflict=True)
    def classify(self, request: Request, pk: str | None = None) -> Response:
        """Change the classification (a status change with its reason and evidence)."""
        case = self.get_object()
        form = HealthClassifySerializer(data=request.data)
        form.is_valid(raise_exception=True)
        result = services.do_classify_case(
            case, by=request.user, source=ChangeSource.API,
            classification=form.validated_data["classification"],
            confirmation_date=form.validated_data.get("confirmation_date"),
            expected_version=form.validated_data.get("version"), **form.evidence())
        return self.answer(result, request, status.HTTP_200_OK)

    @extend_schema(request=HealthOutcomeSerializer,
                   responses={200: HealthCaseSerializer, 202: HealthPendingSerializer})
    @action(detail=True, methods=["post"], required_action="change", can_conflict=True)
    def outcome(self, request: Request, pk: str | None = None) -> Response:
        """Record the outcome (in hospital, recovered, died): a status change."""
        case = self.get_object()
        form = HealthOutcomeSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        result = services.do_record_outcome(
            case, by=request.user, source=ChangeSource.API,
            outcome=form.validated_data["outcome"],
            outcome_date=form.validated_data.get("outcome_date"),
            expected_version=form.validated_data.get("version"), **form.evidence())
        return self.answer(result, request, status.HTTP_200_OK)


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
        queryset=Person.objects.all(), required=False, allow_null=True,
        help_text=gettext_lazy("A person of the case's community; null for a hand-over."))
    kind = serializers.ChoiceField(choices=ContactKind.choices)
    other_community = serializers.PrimaryKeyRelatedField(
        queryset=Area.objects.filter(level=AreaLevel.COMMUNITY), required=False,
        write_only=True,
        help_text=gettext_lazy("For a hand-over: the community the contact lives in."))
    name = serializers.CharField(
        source="handover_name", max_length=100, required=False,
        help_text=gettext_lazy("For a hand-over: the contact's name as given."))
    id_number = serializers.CharField(max_length=40, required=False, write_only=True,
                                      allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, write_only=True,
                                  allow_blank=True)
    id_number_mask = serializers.CharField(
        source="handover_id_mask", read_only=True,
        help_text=gettext_lazy("For a hand-over: the ID number given, masked."))
    phone_mask = serializers.CharField(
        source="handover_phone_mask", read_only=True,
        help_text=gettext_lazy("For a hand-over: the phone given, masked."))

    class Meta:
        model = Contact
        fields = ["id", "url", "case", "person", "kind", "last_exposure", "how",
                  "handed_over_to", "other_community", "name", "id_number", "phone",
                  "id_number_mask", "phone_mask", "version", "created", "updated"]
        read_only_fields = ["handed_over_to"]
        # The service checks uniqueness: the model's (case, person) rule would make
        # ``person`` required here, and a hand-over has none to give.
        validators: list[Any] = []

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs.get("other_community") is not None:
            if attrs.get("person") is not None:
                raise serializers.ValidationError({"person": [_(
                    "Give a person of this community, or hand over one of another "
                    "community: not both.")]})
            if not (attrs.get("handover_name") or "").strip():
                raise serializers.ValidationError({"name": [_("Give the contact's name.")]})
        elif attrs.get("person") is None:
            raise serializers.ValidationError({"person": [_(
                "Choose the contact: a person of this community, or another community with "
                "the contact's name.")]})
        return attrs

    def to_representation(self, instance: Contact) -> dict[str, Any]:
        data = super().to_representation(instance)
        # A handed-over contact's record is the other community's (see above).
        data["person"] = None if instance.is_handed_over else instance.person_id
        return data


class HealthContactLocalSerializer(Serializer):
    """A contact of the case's community (request body)."""

    case = serializers.IntegerField()
    person = serializers.IntegerField(help_text=gettext_lazy("A person of the case's "
                                                             "community."))
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
    other_community = serializers.IntegerField(help_text=gettext_lazy(
        "The community the contact lives in."))
    name = serializers.CharField(max_length=100)
    id_number = serializers.CharField(max_length=40, required=False, allow_blank=True,
                                      help_text=gettext_lazy("This or the phone."))
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True,
                                  help_text=gettext_lazy("This or the ID number."))


@extend_schema_view(create=extend_schema(
    request=PolymorphicProxySerializer(
        component_name="HealthContactCreate",
        serializers=[HealthContactLocalSerializer, HealthContactHandOverSerializer],
        resource_type_field_name=None),
    responses={201: HealthContactSerializer}))
class ContactViewSet(RestrictedViewSet):
    """Contacts of the cases of the caller's area (no update: add a corrected one)."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = Contact.objects.all()
    serializer_class = HealthContactSerializer
    filterset_class = ContactFilterSet

    def create_service(self, data: dict[str, Any]) -> Contact:
        return services.do_add_contact(
            case=data["case"], kind=data["kind"], by=self.request.user,
            last_exposure=data.get("last_exposure"), how=data.get("how", ""),
            person=data.get("person"), other_community=data.get("other_community"),
            name=data.get("handover_name", ""), id_number=data.get("id_number", ""),
            phone=data.get("phone", ""),
        )


# --- Quarantines ----------------------------------------------------------------------------


class HealthQuarantineSerializer(ServiceModelSerializer):
    """A quarantine or health monitoring. Created for a ``person``, or for a whole
    ``household`` (every active member not under one already); a status change."""

    url = serializers.HyperlinkedIdentityField(view_name="api:health-quarantine-detail")
    person = serializers.PrimaryKeyRelatedField(read_only=True)
    household = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Quarantine
        fields = ["id", "url", "person", "household", "kind", "site", "whole_household",
                  "contact", "alert_id", "last_exposure", "period_days", "start_date",
                  "planned_end", "ended_on", "end_reason", "grid_worker", "version", "created",
                  "updated"]
        read_only_fields = fields


class HealthQuarantineStartSerializer(HealthEvidenceSerializer):
    person = RestrictedPrimaryKeyRelatedField(queryset=Person.objects.all(), required=False)
    household = RestrictedPrimaryKeyRelatedField(queryset=Household.objects.all(),
                                                 required=False)
    kind = serializers.ChoiceField(choices=QuarantineKind.choices)
    site = serializers.CharField(max_length=100, required=False, allow_blank=True)
    start_date = serializers.DateField(required=False)
    last_exposure = serializers.DateField(required=False, allow_null=True)
    period_days = serializers.IntegerField(required=False, min_value=1, max_value=60)
    contact = RestrictedPrimaryKeyRelatedField(queryset=Contact.objects.all(), required=False)
    reason = serializers.ChoiceField(choices=ChangeReason.choices)
    evidence_kind = serializers.ChoiceField(choices=EvidenceKind.choices, required=False)
    evidence_ref = serializers.CharField(
        max_length=200, required=False, allow_blank=True,
        help_text=gettext_lazy("Required unless a contact link is given (it is the evidence)."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if ("person" in attrs) == ("household" in attrs):
            raise serializers.ValidationError({"person": [_(
                "Give a person, or a household for a household quarantine.")]})
        return attrs

    def evidence(self) -> dict[str, str]:
        data = self.validated_data
        return {"reason": data["reason"], "evidence_kind": data.get("evidence_kind", ""),
                "evidence_ref": data.get("evidence_ref", ""), "note": data.get("note", "")}


class HealthEndDateSerializer(HealthEvidenceSerializer):
    new_end = serializers.DateField()


class HealthEndSerializer(HealthEvidenceSerializer):
    ended_on = serializers.DateField(required=False)


class QuarantineViewSet(StatusWriteMixin, RestrictedReadOnlyViewSet):
    """Quarantines of the caller's area; started, moved and ended through status changes."""

    queryset = Quarantine.objects.all()
    serializer_class = HealthQuarantineSerializer
    filterset_class = QuarantineFilterSet
    action_rights = {**RestrictedReadOnlyViewSet.action_rights, "create": "add"}

    def get_serializer_class(self) -> type[serializers.Serializer]:
        if self.action == "create":
            return HealthQuarantineStartSerializer
        return HealthQuarantineSerializer

    @extend_schema(request=HealthQuarantineStartSerializer,
                   responses={201: HealthQuarantineSerializer, 202: HealthPendingSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Start a quarantine or health monitoring (a status change)."""
        form = HealthQuarantineStartSerializer(data=request.data,
                                         context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        data = form.validated_data
        result = services.do_start_quarantine(
            person=data.get("person"), household=data.get("household"),
            kind=data["kind"], by=request.user, source=ChangeSource.API,
            site=data.get("site", ""), start_date=data.get("start_date"),
            last_exposure=data.get("last_exposure"), period_days=data.get("period_days"),
            contact=data.get("contact"), **form.evidence(),
        )
        return self.answer(result, request)

    @extend_schema(request=HealthEndDateSerializer,
                   responses={200: HealthQuarantineSerializer, 202: HealthPendingSerializer})
    @action(detail=True, methods=["post"], url_path="end-date", required_action="change",
            can_conflict=True)
    def end_date(self, request: Request, pk: str | None = None) -> Response:
        """Move the planned end: later extends, earlier shortens (never before the start)."""
        quarantine = self.get_object()
        form = HealthEndDateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        result = services.do_change_quarantine_end(
            quarantine, by=request.user, source=ChangeSource.API,
            new_end=form.validated_data["new_end"],
            expected_version=form.validated_data.get("version"), **form.evidence())
        return self.answer(result, request, status.HTTP_200_OK)

    @extend_schema(request=HealthEndSerializer,
                   responses={200: HealthQuarantineSerializer, 202: HealthPendingSerializer})
    @action(detail=True, methods=["post"], required_action="change", can_conflict=True)
    def end(self, request: Request, pk: str | None = None) -> Response:
        """End the quarantine on a day (today by default) with a reason and evidence."""
        quarantine = self.get_object()
        form = HealthEndSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        result = services.do_end_quarantine(
            quarantine, by=request.user, source=ChangeSource.API,
            ended_on=form.validated_data.get("ended_on"),
            expected_version=form.validated_data.get("version"), **form.evidence())
        return self.answer(result, request, status.HTTP_200_OK)


# --- Reports and disinfections --------------------------------------------------------------


class HealthReportSerializer(ServiceModelSerializer):
    """A temperature and symptom report of someone under quarantine or monitoring."""

    url = serializers.HyperlinkedIdentityField(view_name="api:health-report-detail")
    person = RestrictedPrimaryKeyRelatedField(queryset=Person.objects.all())
    temperature = serializers.CharField(max_length=10, help_text=gettext_lazy(
        "°C, 34.0 to 43.0, one decimal place."))
    symptoms = SymptomsField()
    taken_at = serializers.DateTimeField(required=False)

    class Meta:
        model = HealthReport
        fields = ["id", "url", "person", "quarantine", "taken_at", "day", "temperature",
                  "symptoms", "is_fever", "notes", "source", "task_id", "version", "created"]
        read_only_fields = ["quarantine", "day", "is_fever", "source", "task_id"]

    def to_representation(self, instance: HealthReport) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["temperature"] = str(instance.temperature)
        return data


class ReportViewSet(RestrictedViewSet):
    """Health reports of the caller's area (no update: a wrong report is followed by a
    right one)."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = HealthReport.objects.all()
    serializer_class = HealthReportSerializer
    filterset_class = ReportFilterSet

    def create_service(self, data: dict[str, Any]) -> HealthReport:
        return services.do_add_report(
            person=data["person"], by=self.request.user,
            temperature=data["temperature"], taken_at=data.get("taken_at"),
            symptoms=data.get("symptoms") or [], notes=data.get("notes", ""),
            source=ReportSource.API,
        )


class CheckpointField(serializers.PrimaryKeyRelatedField):
    """A gate of the caller's community (gates are community-wide, so a grid's worker's
    community counts)."""

    def get_queryset(self) -> Any:
        from fangkong.staff.models import Checkpoint

        user = getattr(self.context.get("request"), "user", None)
        community = user.community if getattr(user, "area_id", None) else None
        return (Checkpoint.objects.filter(community=community) if community is not None
                else Checkpoint.objects.none())


class HealthDisinfectionSerializer(ServiceModelSerializer):
    """One disinfection of a place of the community."""

    url = serializers.HyperlinkedIdentityField(view_name="api:health-disinfection-detail")
    place_kind = serializers.ChoiceField(choices=PlaceKind.choices)
    building = RestrictedPrimaryKeyRelatedField(queryset=Building.objects.all(),
                                                allow_null=True, required=False)
    checkpoint = CheckpointField(required=False, allow_null=True)
    agent = serializers.ChoiceField(choices=Disinfectant.choices)
    done_at = serializers.DateTimeField(required=False)

    class Meta:
        model = Disinfection
        fields = ["id", "url", "place_kind", "building", "unit", "checkpoint", "place_name",
                  "done_at", "agent", "concentration", "operator", "notes", "version",
                  "created"]



class DisinfectionViewSet(RestrictedViewSet):
    """The disinfection log of the caller's area."""

    http_method_names = ["get", "post", "head", "options"]
    queryset = Disinfection.objects.all()
    serializer_class = HealthDisinfectionSerializer
    filterset_class = DisinfectionFilterSet

    def create_service(self, data: dict[str, Any]) -> Disinfection:
        user = self.request.user
        community = user.community if getattr(user, "area_id", None) else None
        building = data.get("building")
        if building is not None:
            community = building.community
        if community is None:
            raise serializers.ValidationError({"building": [_("Choose a building of your "
                                                              "community.")]})
        return services.do_record_disinfection(
            community=community, by=user, place_kind=data["place_kind"],
            building=building, unit=data.get("unit"), checkpoint=data.get("checkpoint"),
            place_name=data.get("place_name", ""), done_at=data.get("done_at"),
            agent=data["agent"], concentration=data.get("concentration", ""),
            operator=data.get("operator", ""), notes=data.get("notes", ""),
        )


# --- Status changes -------------------------------------------------------------------------


class ChangeViewSet(RestrictedReadOnlyViewSet):
    """Status changes of the caller's area; a pending one is approved or rejected by a user
    of another role than its proposer's."""

    queryset = StatusChange.objects.all()
    serializer_class = HealthStatusChangeSerializer
    filterset_class = ChangeFilterSet

    @extend_schema(request=HealthDecisionSerializer, responses={200: HealthStatusChangeSerializer})
    @action(detail=True, methods=["post"], required_action="approve")
    def approve(self, request: Request, pk: str | None = None) -> Response:
        """Approve and apply (with the rest of its batch). Refused for one's own change."""
        change = self.get_object()
        form = HealthDecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.do_approve_change(change, by=request.user,
                                   note=form.validated_data.get("note", ""))
        change.refresh_from_db()
        return Response(self.get_serializer(change).data)

    @extend_schema(request=HealthDecisionSerializer, responses={200: HealthStatusChangeSerializer})
    @action(detail=True, methods=["post"], required_action="approve")
    def reject(self, request: Request, pk: str | None = None) -> Response:
        """Reject (with the rest of its batch): nothing is applied. A note is required."""
        change = self.get_object()
        form = HealthDecisionSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        services.do_reject_change(change, by=request.user,
                                  note=form.validated_data.get("note", ""))
        change.refresh_from_db()
        return Response(self.get_serializer(change).data)


def register(router: Any) -> None:
    """Add the health module's viewsets to the API's router (fangkong/api_urls.py)."""
    router.register("health/cases", CaseViewSet, basename="health-case")
    router.register("health/contacts", ContactViewSet, basename="health-contact")
    router.register("health/quarantines", QuarantineViewSet, basename="health-quarantine")
    router.register("health/reports", ReportViewSet, basename="health-report")
    router.register("health/disinfections", DisinfectionViewSet,
                    basename="health-disinfection")
    router.register("health/changes", ChangeViewSet, basename="health-change")
