"""The staff app in the API: tasks, teams, organisations, staff members, checkpoints, shifts
and their people, swaps, patrols, the leading group, the responsibility matrix and the
prevention plan.

Declarations on ``fangkong.core.api``'s base classes: rows are restricted to the caller's
scope (404 outside it), every write goes through ``fangkong.staff.services`` (a refusal is a
400 with the service's message per field, a stale version a 409), phones leave as masks.
State changes of a task or a shift are their own ``POST`` routes (``/tasks/{id}/complete/``,
``/shift-assignments/{id}/check-in/``…). ``register(router)`` adds the routes.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.accounts.models import User
from fangkong.areas.models import Area
from fangkong.core.api import (
    ActionPermission,
    ModelSerializer,
    ProtectedValueField,
    RestrictedPrimaryKeyRelatedField,
    RestrictedReadOnlyViewSet,
    RestrictedViewSet,
    Serializer,
    ServiceModelSerializer,
)
from fangkong.core.validators import DOCUMENT_MAX_LENGTH
from fangkong.registry.api import CommunityField
from fangkong.staff import services
from fangkong.staff.choices import PatrolFinding
from fangkong.staff.filtersets import (
    CommunityRowFilterSet,
    OrganisationFilterSet,
    PatrolFilterSet,
    ShiftAssignmentFilterSet,
    ShiftFilterSet,
    StaffMemberFilterSet,
    TaskFilterSet,
)
from fangkong.staff.models import (
    Checkpoint,
    LeadingGroup,
    LeadingGroupMember,
    Organisation,
    PatrolVisit,
    PlanVersion,
    Responsibility,
    Shift,
    ShiftAssignment,
    StaffMember,
    SwapRequest,
    Task,
    TaskComment,
    Team,
    TeamMembership,
)
from fangkong.staff.services.patrols import MAX_PHOTOS
from fangkong.staff.services.tasks import TASK_FIELDS

# --- Fields ---------------------------------------------------------------------------------


class AreaInCommunityField(serializers.PrimaryKeyRelatedField):
    """A community or a grid (which one of the row's community is the service's check)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Area.objects.all())
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)


class ColleagueField(serializers.PrimaryKeyRelatedField):
    """A login of the caller's own community (anyone else is "not found", not named)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", User.objects.filter(is_active=True))
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def get_queryset(self) -> models.QuerySet[User]:
        queryset = super().get_queryset()
        user = getattr(self.context.get("request"), "user", None)
        if user is None or not getattr(user, "is_authenticated", False):
            return queryset.none()
        if user.scope().everything:
            return queryset
        community = user.community if user.area_id else None
        if community is None:
            return queryset.none()
        return queryset.filter(area_id__in=community.scope_below().areas)


def _related(model: type[models.Model], **kwargs: Any) -> RestrictedPrimaryKeyRelatedField:
    return RestrictedPrimaryKeyRelatedField(queryset=model.objects.all(), **kwargs)


def _refuse(form: serializers.Serializer) -> dict[str, Any]:
    form.is_valid(raise_exception=True)
    return form.validated_data


class StaffActionPermission(ActionPermission):
    """As core's, but the right may be asked of another model (``permission_model``): a
    volunteer's check-in is a right on their shifts, not on assignment rows as such."""

    def _model(self, view: Any) -> type[models.Model]:
        return getattr(view, "permission_model", None) or view.queryset.model

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if user is None or not user.is_authenticated:
            return False
        if (view.lookup_url_kwarg or view.lookup_field) in view.kwargs:
            return True
        return user.has_action(self._model(view), view.required_right())

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        return request.user.has_action(self._model(view), view.required_right())


# --- Tasks ----------------------------------------------------------------------------------


class TaskCommentSerializer(ModelSerializer):
    class Meta:
        model = TaskComment
        fields = ["id", "author_name", "text", "status", "created"]
        read_only_fields = fields


class TaskSerializer(ServiceModelSerializer):
    """A task; who does it changes through ``reassign``, its status through its routes."""

    community = CommunityField()
    kind_label = serializers.CharField(read_only=True)
    area = AreaInCommunityField(help_text=gettext_lazy("The community or one of its grids; "
                                                       "default the community."))
    assignee = ColleagueField()
    team = _related(Team, required=False, allow_null=True)
    link_type = serializers.CharField(
        write_only=True, required=False, allow_blank=True,
        help_text=gettext_lazy("What the task is about: app.model, e.g. registry.household."),
    )
    link_id = serializers.IntegerField(write_only=True, required=False, min_value=1)
    link = serializers.SerializerMethodField()
    overdue = serializers.BooleanField(read_only=True)
    comments = TaskCommentSerializer(many=True, read_only=True)

    class Meta:
        model = Task
        fields = ["id", "community", "kind", "kind_label", "title", "description", "status",
                  "priority", "area", "assignee", "team", "reason", "due", "link_type",
                  "link_id", "link", "overdue", "created", "created_by", "started_at",
                  "finished_at", "outcome", "comments", "version"]
        read_only_fields = ["status", "created", "created_by", "started_at", "finished_at",
                            "outcome"]
        extra_kwargs = {"kind": {"help_text": gettext_lazy(
            "A short code such as health.fever; left out, a general task (staff.general).")}}

    def get_link(self, task: Task) -> dict[str, Any] | None:
        if not task.content_type_id:
            return None
        return {"type": f"{task.content_type.app_label}.{task.content_type.model}",
                "id": task.object_id}


class NoteSerializer(Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ReasonSerializer(Serializer):
    reason = serializers.CharField(max_length=200)


class CommentSerializer(Serializer):
    text = serializers.CharField(max_length=2000)


class ReassignSerializer(Serializer):
    assignee = ColleagueField()
    team = _related(Team, required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


def _link(user: Any, label: str, pk: int | None) -> models.Model | None:
    """The row a new task is about, if the caller sees it."""
    if not label:
        return None
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise ValidationError({"link_type": _("Unknown kind of record: %(label)s.")
                               % {"label": label}}) from None
    manager = model._default_manager
    if pk is None or not hasattr(manager, "restrict"):
        raise ValidationError({"link_id": _("Give the id of a record you can see.")})
    obj = manager.restrict(user, "view").filter(pk=pk).first()
    if obj is None:
        raise ValidationError({"link_id": _("Give the id of a record you can see.")})
    return obj


class TaskViewSet(RestrictedViewSet):
    """Tasks the caller sees: their own, their teams', and their area's (by role)."""

    queryset = Task.objects.all()
    serializer_class = TaskSerializer
    filterset_class = TaskFilterSet

    def get_queryset(self) -> models.QuerySet[Task]:
        comments = TaskComment.objects.order_by("created", "pk")
        return (super().get_queryset().select_related("content_type")
                .prefetch_related(Prefetch("comments", queryset=comments)))

    def create_service(self, data: dict[str, Any]) -> Task:
        user = self.request.user
        community = data.pop("community")
        services.require_can_add_tasks(user, community)
        link = _link(user, data.pop("link_type", ""), data.pop("link_id", None))
        return services.do_create_task(community=community, by=user, link=link, **data)

    def update_service(self, obj: Task, data: dict[str, Any],
                       expected_version: int | None) -> Task:
        moved = {k: v for k, v in data.items() if k in ("assignee", "team", "community")
                 and v != getattr(obj, k)}
        if moved:
            raise ValidationError({key: _("Change who does a task through its reassign "
                                          "route.") for key in moved})
        fields = {k: v for k, v in data.items() if k in TASK_FIELDS}
        return services.do_update_task(obj, by=self.request.user,
                                       expected_version=expected_version, **fields)

    def _answer(self, task: Task) -> Response:
        return Response(self.get_serializer(self.reload(task)).data)

    @extend_schema(request=None, responses={200: TaskSerializer})
    @action(detail=True, methods=["post"], required_action="change")
    def start(self, request: Request, pk: str | None = None) -> Response:
        """Open → in progress."""
        return self._answer(services.do_start_task(self.get_object(), by=request.user))

    @extend_schema(request=NoteSerializer, responses={200: TaskSerializer})
    @action(detail=True, methods=["post"], required_action="change")
    def complete(self, request: Request, pk: str | None = None) -> Response:
        """Done, with what was done as the outcome."""
        task = self.get_object()
        data = _refuse(NoteSerializer(data=request.data))
        return self._answer(services.do_complete_task(task, by=request.user,
                                                      note=data.get("note", "")))

    @extend_schema(request=ReasonSerializer, responses={200: TaskSerializer})
    @action(detail=True, methods=["post"], required_action="change")
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """No longer needed, with a reason (whoever hands out work, or the team's leader)."""
        task = self.get_object()
        data = _refuse(ReasonSerializer(data=request.data))
        return self._answer(services.do_cancel_task(task, by=request.user,
                                                    reason=data["reason"]))

    @extend_schema(request=CommentSerializer, responses={200: TaskCommentSerializer})
    @action(detail=True, methods=["post"], required_action="change")
    def comment(self, request: Request, pk: str | None = None) -> Response:
        """Add a comment to the task's trail."""
        task = self.get_object()
        data = _refuse(CommentSerializer(data=request.data))
        comment = services.do_comment_on_task(task, by=request.user, text=data["text"])
        return Response(TaskCommentSerializer(comment).data)

    @extend_schema(request=ReassignSerializer, responses={200: TaskSerializer})
    @action(detail=True, methods=["post"], required_action="change")
    def reassign(self, request: Request, pk: str | None = None) -> Response:
        """Give the task to another person and/or team of the caller's area."""
        task = self.get_object()
        data = _refuse(ReassignSerializer(data=request.data, context={"request": request}))
        return self._answer(services.do_reassign_task(
            task, by=request.user, assignee=data.get("assignee"), team=data.get("team"),
            note=data.get("note", ""),
        ))


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

    def update_service(self, obj: Organisation, data: dict[str, Any],
                       expected_version: int | None) -> Organisation:
        data.pop("community", None)
        return services.do_update_organisation(obj, by=self.request.user,
                                               expected_version=expected_version, **data)


class StaffMemberSerializer(ServiceModelSerializer):
    """A staff member; the phone answers as its mask and accepts the full number."""

    community = CommunityField()
    organisation = _related(Organisation)
    area = AreaInCommunityField()
    user = ColleagueField(help_text=gettext_lazy("The login linked to this person."))
    phone = ProtectedValueField(mask_attr="phone_mask", max_length=20)

    class Meta:
        model = StaffMember
        fields = ["id", "community", "organisation", "name", "position", "area", "user",
                  "phone", "is_active", "notes", "version"]


class StaffMemberViewSet(RestrictedViewSet):
    queryset = StaffMember.objects.all()
    serializer_class = StaffMemberSerializer
    filterset_class = StaffMemberFilterSet

    def create_service(self, data: dict[str, Any]) -> StaffMember:
        data["phone"] = data.get("phone") or ""
        return services.do_create_staff_member(by=self.request.user, **data)

    def update_service(self, obj: StaffMember, data: dict[str, Any],
                       expected_version: int | None) -> StaffMember:
        data.pop("community", None)
        return services.do_update_staff_member(obj, by=self.request.user,
                                               expected_version=expected_version,
                                               phone=data.pop("phone", None), **data)


class TeamMembershipSerializer(ModelSerializer):
    name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = TeamMembership
        fields = ["id", "member", "name", "duty"]
        read_only_fields = fields


class TeamSerializer(ServiceModelSerializer):
    community = CommunityField()
    leader = _related(StaffMember, required=False, allow_null=True)
    members = TeamMembershipSerializer(source="memberships", many=True, read_only=True)

    class Meta:
        model = Team
        fields = ["id", "community", "name", "purpose", "leader", "is_active", "members",
                  "version"]


class AddMemberSerializer(Serializer):
    member = _related(StaffMember)
    duty = serializers.CharField(required=False, allow_blank=True, max_length=200)


class TeamViewSet(RestrictedViewSet):
    queryset = Team.objects.all()
    serializer_class = TeamSerializer
    filterset_class = CommunityRowFilterSet

    def get_queryset(self) -> models.QuerySet[Team]:
        memberships = TeamMembership.objects.select_related("member").order_by("member__name")
        return super().get_queryset().prefetch_related(
            Prefetch("memberships", queryset=memberships))

    def create_service(self, data: dict[str, Any]) -> Team:
        data.pop("is_active", None)
        return services.do_create_team(by=self.request.user, **data)

    def update_service(self, obj: Team, data: dict[str, Any],
                       expected_version: int | None) -> Team:
        data.pop("community", None)
        return services.do_update_team(obj, by=self.request.user,
                                       expected_version=expected_version, **data)

    @extend_schema(request=AddMemberSerializer, responses={200: TeamSerializer})
    @action(detail=True, methods=["post"], url_path="add-member", required_action="change")
    def add_member(self, request: Request, pk: str | None = None) -> Response:
        """Put a staff member of the community in the team."""
        team = self.get_object()
        data = _refuse(AddMemberSerializer(data=request.data, context={"request": request}))
        services.do_add_team_member(team, member=data["member"], duty=data.get("duty", ""),
                                    by=request.user)
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
    team = _related(Team, required=False, allow_null=True)
    organisation = _related(Organisation, required=False, allow_null=True)
    area = AreaInCommunityField()

    class Meta:
        model = Responsibility
        fields = ["id", "community", "duty", "team", "organisation", "area", "notes",
                  "sort_order", "version"]


class ResponsibilityViewSet(RestrictedViewSet):
    queryset = Responsibility.objects.all()
    serializer_class = ResponsibilitySerializer
    filterset_class = CommunityRowFilterSet

    def create_service(self, data: dict[str, Any]) -> Responsibility:
        return services.do_create_responsibility(by=self.request.user, **data)

    def update_service(self, obj: Responsibility, data: dict[str, Any],
                       expected_version: int | None) -> Responsibility:
        data.pop("community", None)
        return services.do_update_responsibility(obj, by=self.request.user,
                                                 expected_version=expected_version, **data)


# --- Checkpoints, shifts, assignments, swaps ------------------------------------------------


@extend_schema_field({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$",
                      "example": "07:00:00"})
class ClockTimeField(serializers.TimeField):
    """A time of day on the community's clock, ``HH:MM:SS`` (``HH:MM`` accepted). Not
    OpenAPI's ``format: time``, which is RFC 3339's and carries a UTC offset: a gate's
    opening hour has none."""


class CheckpointSerializer(ServiceModelSerializer):
    community = CommunityField()
    opens = ClockTimeField(required=False, allow_null=True, label=gettext_lazy("opens"),
                           help_text=gettext_lazy("Empty, with closes: open round the clock."))
    closes = ClockTimeField(required=False, allow_null=True, label=gettext_lazy("closes"))

    class Meta:
        model = Checkpoint
        fields = ["id", "community", "name", "location", "opens", "closes", "is_open",
                  "notes", "version"]


class CheckpointViewSet(RestrictedViewSet):
    queryset = Checkpoint.objects.all()
    serializer_class = CheckpointSerializer
    filterset_class = CommunityRowFilterSet

    def create_service(self, data: dict[str, Any]) -> Checkpoint:
        return services.do_create_checkpoint(by=self.request.user, **data)

    def update_service(self, obj: Checkpoint, data: dict[str, Any],
                       expected_version: int | None) -> Checkpoint:
        data.pop("community", None)
        return services.do_update_checkpoint(obj, by=self.request.user,
                                             expected_version=expected_version, **data)


class AssignmentSerializer(ModelSerializer):
    name = serializers.CharField(source="member.name", read_only=True)

    class Meta:
        model = ShiftAssignment
        fields = ["id", "shift", "member", "name", "checked_in_at", "checked_out_at"]
        read_only_fields = fields


class ShiftSerializer(ServiceModelSerializer):
    """A shift (times in UTC, ISO 8601), who is on it and how many are missing."""

    community = CommunityField()
    checkpoint = _related(Checkpoint, required=False, allow_null=True)
    team = _related(Team, required=False, allow_null=True)
    place = serializers.CharField(read_only=True)
    people = AssignmentSerializer(source="assignments", many=True, read_only=True)
    missing = serializers.SerializerMethodField()

    class Meta:
        model = Shift
        fields = ["id", "community", "checkpoint", "place_name", "place", "start", "end",
                  "people_needed", "team", "notes", "people", "missing", "version"]

    def get_missing(self, shift: Shift) -> int:
        return max(shift.people_needed - len(shift.assignments.all()), 0)


class MemberSerializer(Serializer):
    member = _related(StaffMember)


class AssignmentChoiceSerializer(Serializer):
    assignment = serializers.IntegerField(min_value=1)


class ShiftViewSet(RestrictedViewSet):
    queryset = Shift.objects.all()
    serializer_class = ShiftSerializer
    filterset_class = ShiftFilterSet

    def get_queryset(self) -> models.QuerySet[Shift]:
        people = ShiftAssignment.objects.select_related("member").order_by("member__name")
        return (super().get_queryset().select_related("checkpoint")
                .prefetch_related(Prefetch("assignments", queryset=people))
                .order_by("start", "pk"))

    def create_service(self, data: dict[str, Any]) -> Shift:
        return services.do_create_shift(by=self.request.user, **data)

    def update_service(self, obj: Shift, data: dict[str, Any],
                       expected_version: int | None) -> Shift:
        data.pop("community", None)
        return services.do_update_shift(obj, by=self.request.user,
                                        expected_version=expected_version, **data)

    def _assignment(self, shift: Shift | None, pk: int) -> ShiftAssignment:
        shifts = Shift.objects.restrict(self.request.user)
        found = ShiftAssignment.objects.filter(pk=pk, shift__in=shifts)
        if shift is not None:
            found = found.filter(shift=shift)
        assignment = found.first()
        if assignment is None:
            raise ValidationError({"assignment": _("No such person on a shift you can see.")})
        return assignment

    @extend_schema(request=MemberSerializer, responses={200: ShiftSerializer})
    @action(detail=True, methods=["post"], required_action="view")
    def assign(self, request: Request, pk: str | None = None) -> Response:
        """Put a person on the shift (the shift's owner); refused if they are on duty then."""
        shift = self.get_object()
        data = _refuse(MemberSerializer(data=request.data, context={"request": request}))
        services.do_assign_shift(shift, member=data["member"], by=request.user)
        return Response(self.get_serializer(self.reload(shift)).data)

    @extend_schema(request=AssignmentChoiceSerializer, responses={200: ShiftSerializer})
    @action(detail=True, methods=["post"], required_action="view")
    def unassign(self, request: Request, pk: str | None = None) -> Response:
        """Take a person off the shift (not once they have checked in)."""
        shift = self.get_object()
        data = _refuse(AssignmentChoiceSerializer(data=request.data))
        services.do_unassign_shift(self._assignment(shift, data["assignment"]), by=request.user)
        return Response(self.get_serializer(self.reload(shift)).data)

    @extend_schema(request=AssignmentChoiceSerializer, responses={200: ShiftSerializer})
    @action(detail=True, methods=["post"], url_path="move-here", required_action="view")
    def move_here(self, request: Request, pk: str | None = None) -> Response:
        """Move a person from their shift to this one (a shift short of people)."""
        shift = self.get_object()
        data = _refuse(AssignmentChoiceSerializer(data=request.data))
        services.do_move_assignment(self._assignment(None, data["assignment"]), to_shift=shift,
                                    by=request.user)
        return Response(self.get_serializer(self.reload(shift)).data)


class ShiftAssignmentViewSet(RestrictedReadOnlyViewSet):
    """People on the shifts the caller sees; a person checks in and out of their own."""

    queryset = ShiftAssignment.objects.all()
    serializer_class = AssignmentSerializer
    filterset_class = ShiftAssignmentFilterSet
    permission_classes = [StaffActionPermission]
    #: Rights are those on shifts: a volunteer sees their own shifts and checks in.
    permission_model = Shift

    def get_queryset(self) -> models.QuerySet[ShiftAssignment]:
        shifts = Shift.objects.restrict(self.request.user)
        return (ShiftAssignment.objects.filter(shift__in=shifts).select_related("member")
                .order_by("shift__start", "pk"))

    @extend_schema(request=None, responses={200: AssignmentSerializer})
    @action(detail=True, methods=["post"], url_path="check-in", required_action="view")
    def check_in(self, request: Request, pk: str | None = None) -> Response:
        """The person on the shift arrives: from 30 minutes before it until it ends."""
        assignment = services.do_check_in(self.get_object(), by=request.user)
        return Response(AssignmentSerializer(assignment).data)

    @extend_schema(request=None, responses={200: AssignmentSerializer})
    @action(detail=True, methods=["post"], url_path="check-out", required_action="view")
    def check_out(self, request: Request, pk: str | None = None) -> Response:
        """The person leaves: after checking in, until 30 minutes after the shift."""
        assignment = services.do_check_out(self.get_object(), by=request.user)
        return Response(AssignmentSerializer(assignment).data)


class SwapSerializer(ServiceModelSerializer):
    shift = _related(Shift)
    from_member = _related(StaffMember)
    to_member = serializers.PrimaryKeyRelatedField(queryset=StaffMember.objects.all())
    return_shift = serializers.PrimaryKeyRelatedField(queryset=Shift.objects.all(),
                                                      required=False, allow_null=True)

    class Meta:
        model = SwapRequest
        fields = ["id", "community", "shift", "from_member", "to_member", "return_shift",
                  "status", "note", "decided_by", "decided_at", "decision_note", "created",
                  "version"]
        read_only_fields = ["community", "status", "decided_by", "decided_at",
                            "decision_note", "created"]

    def get_fields(self) -> dict[str, Any]:
        fields = super().get_fields()
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            # A colleague and their shift, in the caller's community (volunteers do not see
            # the others' rows, yet swap with them).
            community = user.community if user.area_id else None
            colleagues = StaffMember.objects.filter(community=community, is_active=True)
            fields["to_member"].queryset = colleagues
            fields["return_shift"].queryset = Shift.objects.filter(community=community)
            fields["from_member"] = serializers.PrimaryKeyRelatedField(
                queryset=colleagues, pk_field=fields["from_member"].pk_field)  # bounded id
        return fields


class DecisionSerializer(Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class SwapRequestViewSet(mixins.CreateModelMixin, RestrictedReadOnlyViewSet):
    """Swaps asked by the people on the shifts, decided by the shifts' owners."""

    queryset = SwapRequest.objects.all()
    serializer_class = SwapSerializer
    filterset_class = CommunityRowFilterSet

    def perform_create(self, serializer: serializers.Serializer) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        swap = services.do_request_swap(by=self.request.user, **data)
        serializer.instance = swap

    @extend_schema(request=DecisionSerializer, responses={200: SwapSerializer})
    @action(detail=True, methods=["post"], required_action="view")
    def decide(self, request: Request, pk: str | None = None) -> Response:
        """Approve (the people change places) or reject; the shift's owner only."""
        swap = self.get_object()
        data = _refuse(DecisionSerializer(data=request.data))
        swap = services.do_decide_swap(swap, by=request.user, approve=data["approve"],
                                       note=data.get("note", ""))
        return Response(self.get_serializer(swap).data)

    @extend_schema(request=None, responses={200: SwapSerializer})
    @action(detail=True, methods=["post"], required_action="view")
    def withdraw(self, request: Request, pk: str | None = None) -> Response:
        """The person who asked withdraws a swap still waiting."""
        swap = services.do_withdraw_swap(self.get_object(), by=request.user)
        return Response(self.get_serializer(swap).data)


# --- Patrols --------------------------------------------------------------------------------


class PatrolSerializer(ModelSerializer):
    """A patrol visit. Photos may be sent as multipart ``photos`` files."""

    checkpoint = _related(Checkpoint)
    by_member = _related(StaffMember, required=False, allow_null=True)
    on_duty = _related(StaffMember, many=True, required=False)
    findings = serializers.ListField(child=serializers.ChoiceField(
        choices=PatrolFinding.choices), required=False)
    photos = serializers.ListField(child=serializers.FileField(), required=False,
                                   write_only=True, max_length=MAX_PHOTOS)
    photo_ids = serializers.SerializerMethodField()
    follow_up = serializers.BooleanField(required=False, write_only=True,
                                         help_text=gettext_lazy("Raise a follow-up task."))
    follow_up_assignee = ColleagueField(write_only=True)
    follow_up_due = serializers.DateTimeField(required=False, allow_null=True,
                                              write_only=True)
    follow_up_task = serializers.IntegerField(source="follow_up_id", read_only=True)

    class Meta:
        model = PatrolVisit
        fields = ["id", "community", "checkpoint", "time", "by_member", "on_duty", "findings",
                  "notes", "photos", "photo_ids", "follow_up", "follow_up_assignee",
                  "follow_up_due", "follow_up_task", "created"]
        read_only_fields = ["community", "created"]

    def get_photo_ids(self, visit: PatrolVisit) -> list[int]:
        return [photo.pk for photo in visit.photos.all()]

    def to_representation(self, instance: PatrolVisit) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["findings"] = instance.finding_list
        return data


class PatrolViewSet(mixins.CreateModelMixin, RestrictedReadOnlyViewSet):
    queryset = PatrolVisit.objects.all()
    serializer_class = PatrolSerializer
    filterset_class = PatrolFilterSet

    def get_queryset(self) -> models.QuerySet[PatrolVisit]:
        return super().get_queryset().prefetch_related("on_duty", "photos")

    def perform_create(self, serializer: serializers.Serializer) -> None:
        data = dict(serializer.validated_data)
        visit = services.do_record_patrol(by=self.request.user, **data)
        serializer.instance = self.get_queryset().get(pk=visit.pk)


# --- The prevention plan --------------------------------------------------------------------


class PlanVersionSerializer(ModelSerializer):
    """One version of a community's plan. Sending one saves the next version."""

    community = CommunityField()
    expected_number = serializers.IntegerField(
        write_only=True, required=False, min_value=0,
        help_text=gettext_lazy("The version the text was written from; another saved "
                               "meanwhile is a 409 conflict."),
    )
    current = serializers.SerializerMethodField()

    class Meta:
        model = PlanVersion
        fields = ["id", "community", "number", "title", "text", "summary", "author_name",
                  "created", "current", "expected_number"]
        read_only_fields = ["number", "author_name", "created"]
        extra_kwargs = {"text": {"max_length": DOCUMENT_MAX_LENGTH}}

    def get_current(self, version: PlanVersion) -> bool:
        return version.number == version.plan.current_number


class PlanVersionViewSet(mixins.CreateModelMixin, RestrictedReadOnlyViewSet):
    """Versions of the prevention plans the caller sees (``?current=true`` for those in
    force)."""

    queryset = PlanVersion.objects.all()
    serializer_class = PlanVersionSerializer
    filterset_class = CommunityRowFilterSet
    can_conflict = True

    def get_queryset(self) -> models.QuerySet[PlanVersion]:
        queryset = super().get_queryset().select_related("plan").order_by("community",
                                                                           "-number")
        if self.request.query_params.get("current") == "true":
            queryset = queryset.filter(number=F("plan__current_number"))
        return queryset

    def perform_create(self, serializer: serializers.Serializer) -> None:
        data = dict(serializer.validated_data)
        version = services.do_save_plan(by=self.request.user, **data)
        serializer.instance = version


# --- Routes ---------------------------------------------------------------------------------

VIEWSETS: tuple[tuple[str, Any, str], ...] = (
    ("tasks", TaskViewSet, "task"),
    ("organisations", OrganisationViewSet, "organisation"),
    ("staff-members", StaffMemberViewSet, "staffmember"),
    ("teams", TeamViewSet, "team"),
    ("leading-groups", LeadingGroupViewSet, "leadinggroup"),
    ("responsibilities", ResponsibilityViewSet, "responsibility"),
    ("checkpoints", CheckpointViewSet, "checkpoint"),
    ("shifts", ShiftViewSet, "shift"),
    ("shift-assignments", ShiftAssignmentViewSet, "shiftassignment"),
    ("swap-requests", SwapRequestViewSet, "swaprequest"),
    ("patrols", PatrolViewSet, "patrol"),
    ("plan-versions", PlanVersionViewSet, "planversion"),
)


def register(router: Any) -> None:
    """Add the staff viewsets to the API router (paths end with "/")."""
    for prefix, viewset, basename in VIEWSETS:
        router.register(prefix, viewset, basename=basename)
