"""Phone screening in the API: campaigns, call lists, attempts and answers.

* ``/api/v1/screening/campaigns/`` — list, detail, create, update; ``start``, ``close`` and
  ``coverage`` (the coverage page's figures);
* ``/api/v1/screening/assignments/`` — call lists: ``?mine=true&due=true`` is the caller's
  list for now; each row carries the household's members with masked names and phones;
* ``/api/v1/screening/attempts/`` — the calls; ``POST`` records one (outcome, the answers,
  the version read) through ``services.do_record_call``: refusals are 400 with the reason
  per question, a caller the household is not assigned to 403 with the reason, a concurrent
  save 409 (the attempt is still stored);
* ``/api/v1/screening/answers/`` — the records, with the questionnaire version they answer.

Declarations on ``fangkong.core.api``'s base classes; rows come through ``restrict()`` (a
campaign's rule reaches down, so a grid worker sees the campaign over their community).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.areas.models import Area
from fangkong.core.api import (
    ModelSerializer,
    RestrictedPrimaryKeyRelatedField,
    RestrictedReadOnlyViewSet,
    RestrictedViewSet,
    Serializer,
    ServiceModelSerializer,
)
from fangkong.core.querysets import covers
from fangkong.outreach.models import NotificationScriptVersion
from fangkong.registry.choices import PersonStatus
from fangkong.registry.models import Building, Person
from fangkong.screening import services
from fangkong.screening.choices import Outcome
from fangkong.screening.filtersets import (
    AssignmentFilterSet,
    AttemptFilterSet,
    CampaignFilterSet,
    RecordFilterSet,
)
from fangkong.screening.masking import mask_name
from fangkong.screening.models import (
    CallAssignment,
    CallAttempt,
    Campaign,
    Questionnaire,
    ScreeningRecord,
)
from fangkong.screening.stats import campaign_coverage

# --- Campaigns ------------------------------------------------------------------------------


class ScreeningCampaignSerializer(ServiceModelSerializer):
    """A campaign: its area, questionnaire, dates, retry rules and status."""

    url = serializers.HyperlinkedIdentityField(view_name="api:screening-campaign-detail")
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all(), required=False)
    questionnaire = serializers.PrimaryKeyRelatedField(
        queryset=Questionnaire.objects.all(), required=False
    )
    questionnaire_version = serializers.IntegerField(
        source="questionnaire.current.number", read_only=True
    )
    grids = RestrictedPrimaryKeyRelatedField(
        queryset=Area.objects.filter(level="grid"), many=True, required=False
    )
    buildings = RestrictedPrimaryKeyRelatedField(
        queryset=Building.objects.all(), many=True, required=False
    )
    script_version = RestrictedPrimaryKeyRelatedField(
        queryset=NotificationScriptVersion.objects.all(),
        required=False,
        allow_null=True,
        help_text=gettext_lazy("The version of a script of the library the callers read."),
    )
    # The text the callers read: empty when the campaign has no script (a method field, so the
    # key is always there: a dotted source through a missing version drops it).
    script_text = serializers.SerializerMethodField()

    @extend_schema_field(str)
    def get_script_text(self, campaign: Campaign) -> str:
        version = campaign.script_version
        return version.text if version is not None else ""

    class Meta:
        model = Campaign
        fields = [
            "id",
            "url",
            "area",
            "name",
            "questionnaire",
            "questionnaire_version",
            "unit",
            "kind",
            "script_version",
            "script_text",
            "starts_on",
            "ends_on",
            "retry_delay_minutes",
            "max_attempts",
            "grids",
            "buildings",
            "status",
            "households_total",
            "started_at",
            "closed_at",
            "version",
            "created",
            "updated",
        ]
        read_only_fields = ["status", "households_total", "started_at", "closed_at"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.instance is None and "area" not in attrs:
            raise serializers.ValidationError({"area": [_("Choose the campaign's area.")]})
        if self.instance is not None and "area" in attrs and attrs["area"] != self.instance.area:
            raise serializers.ValidationError({"area": [_("A campaign keeps its area.")]})
        questionnaire = attrs.get("questionnaire")
        user = self.context["request"].user
        if (
            questionnaire is not None
            and not Questionnaire.objects.restrict(user).filter(pk=questionnaire.pk).exists()
        ):
            raise serializers.ValidationError(
                {"questionnaire": [_("Choose a questionnaire of this area.")]}
            )
        return attrs


class ScreeningTallySerializer(Serializer):
    key = serializers.IntegerField(allow_null=True)
    # The stubs take this for Field.label; DRF's metaclass moves declared fields off the class.
    label = serializers.CharField()  # type: ignore[assignment]
    total = serializers.IntegerField()
    reached = serializers.IntegerField()
    pending = serializers.IntegerField()
    unreachable = serializers.IntegerField()
    moved = serializers.IntegerField()
    alerts = serializers.IntegerField()
    calls_today = serializers.IntegerField()
    calls_per_hour = serializers.FloatField()
    percent_reached = serializers.IntegerField()


class ScreeningHourSerializer(Serializer):
    hour = serializers.IntegerField()
    calls = serializers.IntegerField()
    reached = serializers.IntegerField()


class ScreeningCoverageSerializer(Serializer):
    """The coverage page's figures: totals, per grid, per caller, today by hour."""

    day = serializers.DateField()
    total = ScreeningTallySerializer()
    grids = ScreeningTallySerializer(many=True)
    callers = ScreeningTallySerializer(many=True)
    communities = ScreeningTallySerializer(many=True)
    hours = ScreeningHourSerializer(many=True)
    open_alerts = serializers.IntegerField()
    never_reached = serializers.IntegerField(source="never_reached_count")


class CampaignViewSet(RestrictedViewSet):
    """Campaigns the caller sees: of their area, or covering their grid."""

    queryset = Campaign.objects.all()
    serializer_class = ScreeningCampaignSerializer
    filterset_class = CampaignFilterSet

    def get_queryset(self) -> models.QuerySet[Campaign]:
        return (
            Campaign.objects.restrict(self.request.user)
            .select_related("area", "questionnaire__current")
            .prefetch_related("grids", "buildings")
        )

    def _managed(self) -> Campaign:
        """A campaign to change: inside the caller's own scope (else 404, as the pages) and
        an office's account (else 403)."""
        user = self.request.user
        # DRF's lookup: a path id that is no number ("abc") is a 404, as an unknown one.
        campaign: Campaign = get_object_or_404(
            Campaign.objects.restrict(user).select_related("area"), pk=self.kwargs["pk"]
        )
        if not services.is_office(user):
            raise exceptions.PermissionDenied()
        return campaign

    def create_service(self, data: dict[str, Any]) -> Campaign:
        area = data.pop("area")
        if not covers(self.request.user, area):
            raise exceptions.PermissionDenied()
        return services.do_create_campaign(area=area, by=self.request.user, **data)

    def update_service(
        self, obj: Campaign, data: dict[str, Any], expected_version: int | None
    ) -> Campaign:
        data.pop("area", None)
        obj = self._managed()
        return services.do_update_campaign(
            obj, by=self.request.user, expected_version=expected_version, **data
        )

    @extend_schema(request=None, responses={200: ScreeningCampaignSerializer})
    @action(detail=True, methods=["post"], required_action="change")
    def start(self, request: Request, pk: str | None = None) -> Response:
        """Assign every household of the campaign to its grid's worker."""
        campaign = self._managed()
        services.do_start_campaign(campaign, by=self.request.user)
        return Response(self.get_serializer(self.reload(campaign)).data)

    @extend_schema(request=None, responses={200: ScreeningCampaignSerializer})
    @action(detail=True, methods=["post"], required_action="change")
    def close(self, request: Request, pk: str | None = None) -> Response:
        """No more calls or answers."""
        campaign = self._managed()
        services.do_close_campaign(campaign, by=self.request.user)
        return Response(self.get_serializer(self.reload(campaign)).data)

    @extend_schema(responses={200: ScreeningCoverageSerializer})
    @action(detail=True, methods=["get"])
    def coverage(self, request: Request, pk: str | None = None) -> Response:
        """The coverage figures as the caller may see them (a grid worker: their grid)."""
        return Response(
            ScreeningCoverageSerializer(
                campaign_coverage(self.get_object(), self.request.user)
            ).data
        )


# --- Call lists -----------------------------------------------------------------------------


class ScreeningMemberSerializer(Serializer):
    """A member as the caller's screen shows them: masked name and phone, no number."""

    id = serializers.IntegerField()
    name = serializers.SerializerMethodField()
    relation = serializers.CharField()
    phone = serializers.CharField(source="phone_mask")

    def get_name(self, person: Person) -> str:
        return mask_name(person.name)


class CallAssignmentSerializer(ModelSerializer):
    """One household on a caller's list and where it stands."""

    url = serializers.HyperlinkedIdentityField(view_name="api:screening-assignment-detail")
    household_label = serializers.CharField(source="household.label", read_only=True)
    members = ScreeningMemberSerializer(
        source="household.active_members", many=True, read_only=True
    )
    # Plain text: the same codes as an attempt's outcome, one enum in the schema.
    last_outcome = serializers.CharField(read_only=True)
    dial = serializers.SerializerMethodField(
        help_text=gettext_lazy(
            "The page route to POST to (a logged-in page session with its "
            "CSRF token): it logs the call and redirects to tel: (per "
            "member id; 0 is the household's landline)."
        )
    )

    class Meta:
        model = CallAssignment
        fields = [
            "id",
            "url",
            "campaign",
            "household",
            "household_label",
            "grid",
            "assignee",
            "status",
            "attempts",
            "last_outcome",
            "last_attempt_at",
            "next_call_at",
            "reached_at",
            "alert_level",
            "members",
            "dial",
            "version",
        ]
        read_only_fields = fields

    def get_dial(self, assignment: CallAssignment) -> str:
        return f"/screening/calls/{assignment.pk}/dial/{{member}}/"


def _with_members(queryset: models.QuerySet[CallAssignment]) -> models.QuerySet[Any]:
    members = Prefetch(
        "household__members",
        to_attr="active_members",
        queryset=Person.objects.filter(status=PersonStatus.ACTIVE).order_by("pk"),
    )
    return (
        queryset.select_related("household__building")
        .prefetch_related(members)
        .order_by(
            "campaign_id",
            "household__building__sort_key",
            "household__building__number",
            "household__unit",
            "household__floor",
            "household__room",
            "pk",
        )
    )


class AssignmentViewSet(RestrictedReadOnlyViewSet):
    """Call lists: the households of the caller's area, in building order."""

    queryset = CallAssignment.objects.all()
    serializer_class = CallAssignmentSerializer
    filterset_class = AssignmentFilterSet

    def get_queryset(self) -> models.QuerySet[CallAssignment]:
        return _with_members(super().get_queryset())


# --- Attempts -------------------------------------------------------------------------------


class CallAttemptSerializer(ModelSerializer):
    """One call (or visit) and its outcome."""

    url = serializers.HyperlinkedIdentityField(view_name="api:screening-attempt-detail")

    class Meta:
        model = CallAttempt
        fields = [
            "id",
            "url",
            "campaign",
            "assignment",
            "caller",
            "outcome",
            "at",
            "note",
            "conflicted",
        ]
        read_only_fields = fields


class RecordCallRequestSerializer(Serializer):
    """What a caller sends after a call. ``version`` is the household's version as read:
    if someone saved it since, the answer is 409 and this attempt is still stored."""

    assignment = RestrictedPrimaryKeyRelatedField(queryset=CallAssignment.objects.all())
    outcome = serializers.ChoiceField(choices=Outcome.choices)
    version = serializers.IntegerField(required=False, min_value=1)
    answers = serializers.DictField(
        required=False,
        help_text=gettext_lazy(
            "Answers by question code (household "
            'campaigns): "yes"/"no", choice values, '
            '"36.8", "2020-02-13", text.'
        ),
    )
    people_answers = serializers.DictField(
        child=serializers.DictField(),
        required=False,
        help_text=gettext_lazy("Per-person campaigns: answers by member id."),
    )
    note = serializers.CharField(required=False, allow_blank=True, max_length=300)
    moved_people = serializers.ListField(child=serializers.IntegerField(), required=False)
    moved_date = serializers.DateField(required=False)


class RecordedCallSerializer(Serializer):
    attempt = CallAttemptSerializer()
    assignment = CallAssignmentSerializer()
    records = serializers.ListField(child=serializers.IntegerField())
    alerts = serializers.ListField(child=serializers.IntegerField())


class AttemptViewSet(mixins.CreateModelMixin, RestrictedReadOnlyViewSet):
    """Calls made, newest first; ``POST`` records one."""

    queryset = CallAttempt.objects.all()
    serializer_class = CallAttemptSerializer
    filterset_class = AttemptFilterSet

    @property
    def can_conflict(self) -> bool:  # type: ignore[override]
        """Recording a call compares the household's version (409 in the schema)."""
        return getattr(self, "action", None) == "create"

    def get_serializer_class(self) -> type[serializers.Serializer[Any]]:
        return RecordCallRequestSerializer if self.action == "create" else CallAttemptSerializer

    @extend_schema(request=RecordCallRequestSerializer, responses={201: RecordedCallSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        form = RecordCallRequestSerializer(data=request.data, context=self.get_serializer_context())
        form.is_valid(raise_exception=True)
        data = form.validated_data
        result = services.do_record_call(
            data["assignment"],
            by=self.request.user,
            outcome=data["outcome"],
            expected_version=data.get("version"),
            answers=data.get("answers"),
            people_answers=data.get("people_answers"),
            note=data.get("note", ""),
            moved_people=data.get("moved_people", []),
            moved_date=data.get("moved_date"),
        )
        row = _with_members(CallAssignment.objects.filter(pk=result.assignment.pk)).get()
        context = self.get_serializer_context()
        body = {
            "attempt": CallAttemptSerializer(result.attempt, context=context).data,
            "assignment": CallAssignmentSerializer(row, context=context).data,
            "records": [r.pk for r in result.records],
            "alerts": [a.pk for a in result.alerts],
        }
        return Response(body, status=status.HTTP_201_CREATED)


# --- Answers --------------------------------------------------------------------------------


class ScreeningRecordSerializer(ModelSerializer):
    """The answers given for a household (or person), with the questionnaire version."""

    url = serializers.HyperlinkedIdentityField(view_name="api:screening-answer-detail")
    questionnaire_version = serializers.IntegerField(
        source="questionnaire_version.number", read_only=True
    )

    class Meta:
        model = ScreeningRecord
        fields = [
            "id",
            "url",
            "campaign",
            "assignment",
            "household",
            "person",
            "questionnaire_version",
            "answers",
            "source",
            "recorded_by",
            "recorded_at",
            "alert_level",
            "is_current",
        ]
        read_only_fields = fields


class AnswerViewSet(RestrictedReadOnlyViewSet):
    """Screening records (answers), newest first."""

    queryset = ScreeningRecord.objects.all()
    serializer_class = ScreeningRecordSerializer
    filterset_class = RecordFilterSet

    def get_queryset(self) -> models.QuerySet[ScreeningRecord]:
        return super().get_queryset().select_related("questionnaire_version")


def register(router: Any) -> None:
    """Add screening's viewsets to the API's router (fangkong/api_urls.py)."""
    router.register("screening/campaigns", CampaignViewSet, basename="screening-campaign")
    router.register("screening/assignments", AssignmentViewSet, basename="screening-assignment")
    router.register("screening/attempts", AttemptViewSet, basename="screening-attempt")
    router.register("screening/answers", AnswerViewSet, basename="screening-answer")
