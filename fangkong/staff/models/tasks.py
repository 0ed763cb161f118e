"""Tasks: the one place every module sends work to ("call this household again", "this shop
failed its inspection", "this person has a fever"), and the trail of comments on each.

Other modules create tasks through ``fangkong.staff.services.do_create_task`` only. A task
created twice for the same object, kind and reason while the first is still open is the same
task: ``dedup_key`` carries (community, linked object, kind, reason) and a conditional unique
constraint keeps two open tasks from sharing one, even when two workers raise it at once.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.areas.models import Area, CommunityOwned
from fangkong.staff.choices import (
    OPEN_STATUSES,
    PRIORITY_RANK,
    TaskKind,
    TaskPriority,
    TaskStatus,
)
from fangkong.staff.models.people import Team, TeamMembership
from fangkong.staff.querysets import StaffScopedMixin

if TYPE_CHECKING:
    from fangkong.accounts.models import User


class Task(StaffScopedMixin, CommunityOwned):
    """A piece of work for a person or a team, in an area, maybe about one object.

    ``kind`` is a free short code of the module that raised it ("health.fever"); ``link``
    points at any row (a household, a shop, a person, a patrol visit). ``area`` is the
    community or one of its grids: a grid's task is seen by that grid's worker, not by the
    next grid's.
    """

    kind = models.CharField(_("kind"), max_length=50, default=TaskKind.GENERAL, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=TaskStatus.choices,
        default=TaskStatus.OPEN,
        db_index=True,
    )
    priority = models.CharField(
        _("priority"),
        max_length=10,
        choices=TaskPriority.choices,
        default=TaskPriority.NORMAL,
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff_tasks",
        verbose_name=_("assignee"),
    )
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tasks",
        verbose_name=_("team"),
    )
    content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    link = GenericForeignKey("content_type", "object_id")
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    dedup_key = models.CharField(max_length=64, blank=True, editable=False)
    due = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)

    scope_grid = "area_id"
    audit_fields = (
        "kind",
        "title",
        "description",
        "status",
        "priority",
        "area",
        "assignee",
        "team",
        "content_type",
        "object_id",
        "reason",
        "due",
        "started_at",
        "finished_at",
        "outcome",
    )

    class Meta:
        # Tasks without a due time last, on SQLite as on PostgreSQL.
        ordering = (F("due").asc(nulls_last=True), "pk")
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.UniqueConstraint(
                fields=["dedup_key"],
                condition=Q(status__in=OPEN_STATUSES) & ~Q(dedup_key=""),
                name="staff_task_one_open_per_object_kind_reason",
                violation_error_message=_("An open task for this object and reason exists."),
            ),
            models.CheckConstraint(
                condition=Q(content_type__isnull=True, object_id__isnull=True)
                | Q(content_type__isnull=False, object_id__isnull=False),
                name="staff_task_link_is_whole",
                violation_error_message=_("A task's link needs both a kind of row and its id."),
            ),
        ]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="staff_task_link_idx"),
            models.Index(fields=["community", "status", "due"], name="staff_task_open_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("staff:task_detail", args=[self.pk])

    def area_path(self) -> str:
        return self.area.path

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        return self.is_open and self.due is not None and self.due < (now or timezone.now())

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    @property
    def priority_rank(self) -> int:
        return PRIORITY_RANK.get(self.priority, 2)

    def kind_label(self) -> str:
        """The kind's label when it is a known one, else its code."""
        labels = dict(TaskKind.choices)
        return str(labels.get(self.kind, self.kind))

    @classmethod
    def community_wide_q(cls) -> Q:
        return Q(area_id=F("community_id"))

    @classmethod
    def own_q(cls, user: User) -> Q:
        teams = TeamMembership.objects.filter(member__user=user).values("team")
        return Q(assignee=user) | Q(team__in=teams)


class TaskComment(StaffScopedMixin, CommunityOwned):
    """One entry of a task's trail: a comment, or a note written with a status change."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="comments", verbose_name=_("task")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("author"),
    )
    author_name = models.CharField(_("author"), max_length=150, blank=True)
    text = models.TextField(_("text"))
    # The status the task moved to with this entry, if any ("" for a plain comment).
    status = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices, blank=True)

    scope_grid = "task__area_id"
    audit_fields = ("task", "text", "status")

    class Meta:
        ordering = ("task", "created", "pk")
        verbose_name = _("task comment")
        verbose_name_plural = _("task comments")

    def __str__(self) -> str:
        return self.text[:60]

    def get_absolute_url(self) -> str:
        return reverse("staff:task_detail", args=[self.task_id])

    def area_path(self) -> str:
        return self.task.area_path()

    @classmethod
    def community_wide_q(cls) -> Q:
        return Q(task__area_id=F("task__community_id"))

    @classmethod
    def own_q(cls, user: User) -> Q:
        teams = TeamMembership.objects.filter(member__user=user).values("team")
        return Q(task__assignee=user) | Q(task__team__in=teams)
