"""Tasks in the API: the task, its comments, and its state changes as their own POST routes."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.api import (
    ModelSerializer,
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
    TaskFilterSet,
)
from fangkong.staff.models import (
    Task,
    TaskComment,
    Team,
)
from fangkong.staff.services.tasks import TASK_FIELDS

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
    area = AreaInCommunityField(
        help_text=gettext_lazy("The community or one of its grids; default the community.")
    )
    assignee = ColleagueField()
    team = related_field(Team, required=False, allow_null=True)
    link_type = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("What the task is about: app.model, e.g. registry.household."),
    )
    link_id = serializers.IntegerField(write_only=True, required=False, min_value=1)
    link = serializers.SerializerMethodField()
    overdue = serializers.BooleanField(read_only=True)
    comments = TaskCommentSerializer(many=True, read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "community",
            "kind",
            "kind_label",
            "title",
            "description",
            "status",
            "priority",
            "area",
            "assignee",
            "team",
            "reason",
            "due",
            "link_type",
            "link_id",
            "link",
            "overdue",
            "created",
            "created_by",
            "started_at",
            "finished_at",
            "outcome",
            "comments",
            "version",
        ]
        read_only_fields = [
            "status",
            "created",
            "created_by",
            "started_at",
            "finished_at",
            "outcome",
        ]
        extra_kwargs = {
            "kind": {
                "help_text": gettext_lazy(
                    "A short code such as health.fever; left out, a general task (staff.general)."
                )
            }
        }

    def get_link(self, task: Task) -> dict[str, Any] | None:
        content_type = task.content_type
        if content_type is None:
            return None
        return {
            "type": f"{content_type.app_label}.{content_type.model}",
            "id": task.object_id,
        }


class NoteSerializer(Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ReasonSerializer(Serializer):
    reason = serializers.CharField(max_length=200)


class CommentSerializer(Serializer):
    text = serializers.CharField(max_length=2000)


class ReassignSerializer(Serializer):
    assignee = ColleagueField()
    team = related_field(Team, required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=200)


def _link(user: Any, label: str, pk: int | None) -> models.Model | None:
    """The row a new task is about, if the caller sees it."""
    if not label:
        return None
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        raise ValidationError(
            {"link_type": _("Unknown kind of record: %(label)s.") % {"label": label}}
        ) from None
    manager = model._default_manager
    if pk is None or not hasattr(manager, "restrict"):
        raise ValidationError({"link_id": _("Give the id of a record you can see.")})
    obj: models.Model | None = manager.restrict(user, "view").filter(pk=pk).first()
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
        return (
            super()
            .get_queryset()
            .select_related("content_type")
            .prefetch_related(Prefetch("comments", queryset=comments))
        )

    def create_service(self, data: dict[str, Any]) -> Task:
        user = self.request.user
        community = data.pop("community")
        services.require_can_add_tasks(user, community)
        link = _link(user, data.pop("link_type", ""), data.pop("link_id", None))
        return services.do_create_task(community=community, by=user, link=link, **data)

    def update_service(self, obj: Task, data: dict[str, Any], expected_version: int | None) -> Task:
        moved = {
            k: v
            for k, v in data.items()
            if k in ("assignee", "team", "community") and v != getattr(obj, k)
        }
        if moved:
            raise ValidationError(
                {key: _("Change who does a task through its reassign route.") for key in moved}
            )
        fields = {k: v for k, v in data.items() if k in TASK_FIELDS}
        return services.do_update_task(
            obj, by=self.request.user, expected_version=expected_version, **fields
        )

    def _answer(self, task: Task) -> Response:
        return Response(self.get_serializer(self.reload(task)).data)

    @extend_schema(request=None, responses={200: TaskSerializer})
    @action(detail=True, methods=["post"], required_action="change")
    def start(self, request: Request, pk: str | None = None) -> Response:
        """Open → in progress."""
        return self._answer(services.do_start_task(self.get_object(), by=self.request.user))

    @extend_schema(request=NoteSerializer, responses={200: TaskSerializer})
    @action(detail=True, methods=["post"], required_action="change")
    def complete(self, request: Request, pk: str | None = None) -> Response:
        """Done, with what was done as the outcome."""
        task = self.get_object()
        data = valid_data(NoteSerializer(data=request.data))
        return self._answer(
            services.do_complete_task(task, by=self.request.user, note=data.get("note", ""))
        )

    @extend_schema(request=ReasonSerializer, responses={200: TaskSerializer})
    @action(detail=True, methods=["post"], required_action="change")
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """No longer needed, with a reason (whoever hands out work, or the team's leader)."""
        task = self.get_object()
        data = valid_data(ReasonSerializer(data=request.data))
        return self._answer(
            services.do_cancel_task(task, by=self.request.user, reason=data["reason"])
        )

    @extend_schema(request=CommentSerializer, responses={200: TaskCommentSerializer})
    @action(detail=True, methods=["post"], required_action="change")
    def comment(self, request: Request, pk: str | None = None) -> Response:
        """Add a comment to the task's trail."""
        task = self.get_object()
        data = valid_data(CommentSerializer(data=request.data))
        comment = services.do_comment_on_task(task, by=self.request.user, text=data["text"])
        return Response(TaskCommentSerializer(comment).data)

    @extend_schema(request=ReassignSerializer, responses={200: TaskSerializer})
    @action(detail=True, methods=["post"], required_action="change")
    def reassign(self, request: Request, pk: str | None = None) -> Response:
        """Give the task to another person and/or team of the caller's area."""
        task = self.get_object()
        data = valid_data(ReassignSerializer(data=request.data, context={"request": request}))
        return self._answer(
            services.do_reassign_task(
                task,
                by=self.request.user,
                assignee=data.get("assignee"),
                team=data.get("team"),
                note=data.get("note", ""),
            )
        )
