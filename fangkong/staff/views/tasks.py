"""Task pages: my tasks, a community's task list and export, a team's board, a task with its
trail and buttons, and creating or editing a task."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.accounts.models import User
from fangkong.core.exports import filter_params, start_export
from fangkong.core.views import (
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    PageView,
    ServiceActionView,
    require_action,
)
from fangkong.registry.views import get_community
from fangkong.staff import exports, services
from fangkong.staff.choices import OPEN_STATUSES, TaskPriority, TaskStatus
from fangkong.staff.duty_hours import zone_of
from fangkong.staff.filtersets import STILL_OPEN, TaskFilterSet
from fangkong.staff.forms import (
    TaskCancelForm,
    TaskCommentForm,
    TaskForm,
    TaskNoteForm,
    TaskReassignForm,
)
from fangkong.staff.models import Task, Team, TeamMembership
from fangkong.staff.querysets import sees_area
from fangkong.staff.views.base import StaffPageMixin, staff_crumbs

if TYPE_CHECKING:
    from fangkong.accounts.models import User

#: Most urgent first among tasks due at the same time.
PRIORITY_ORDER = Case(
    When(priority=TaskPriority.URGENT, then=Value(0)),
    When(priority=TaskPriority.HIGH, then=Value(1)),
    When(priority=TaskPriority.NORMAL, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def by_due(tasks: QuerySet[Task]) -> QuerySet[Task]:
    """Due first (no due time last), then the most urgent, then the oldest."""
    return tasks.order_by(F("due").asc(nulls_last=True), PRIORITY_ORDER, "pk")


def my_tasks(user: User) -> QuerySet[Task]:
    """Open tasks given to ``user`` or to a team they are in, as a list shows them."""
    teams = TeamMembership.objects.filter(member__user=user).values("team")
    return by_due(
        Task.objects.restrict(user)
        .filter(Q(assignee=user) | Q(team__in=teams), status__in=OPEN_STATUSES)
        .select_related("area", "team", "community", "assignee")
    )


def can_manage_task(user: User, task: Task) -> bool:
    """Edit, cancel, reassign: who hands out work here, or the leader of the task's team
    (the services decide the same way)."""
    leads = task.team is not None and task.team.is_led_by(user)
    return leads or (user.has_action(Task, "add") and user.has_action(Task, "change"))


class MyTasksView(StaffPageMixin, PageView):
    """A worker's open tasks on a phone, by due time; overdue ones stand out."""

    template_name = "staff/my_tasks.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        require_action(user, Task, "view")
        self.community = user.community if user.area_id else None
        context = super().get_context_data(**kwargs)
        tasks = list(my_tasks(user))
        now = timezone.now()
        context.update(
            title=_("My tasks"),
            tasks=tasks,
            overdue=sum(1 for t in tasks if t.is_overdue(now)),
            now=now,
            can_add=self.community is not None and user.has_action(Task, "add"),
        )
        return context


class TaskListView(StaffPageMixin, ObjectListView):
    """Every task the user sees, filtered; the export takes the same filters."""

    model = Task
    filterset_class = TaskFilterSet
    template_name = "staff/task_list.html"
    title = gettext_lazy("Tasks")
    paginate_by = 50

    def get_base_queryset(self) -> QuerySet[Task]:
        return by_due(
            super().get_base_queryset().select_related("area", "team", "community", "assignee")
        )

    def get_filter_data(self) -> Any:
        """A filtered page that names no status shows the tasks still open (the filterset,
        shared with the API, filters no status there: a client sees every task)."""
        data: QueryDict = self.request.GET
        if data and not data.get("status"):
            data = data.copy()
            data["status"] = STILL_OPEN
        return data

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        user = self.request.user
        self.community = user.community if user.area_id else None
        context = super().get_context_data(**kwargs)
        context.update(
            now=timezone.now(),
            can_export=user.has_action(Task, "export"),
            add_url=(
                reverse("staff:task_add", args=[self.community.pk])
                if self.community and user.has_action(Task, "add")
                else None
            ),
        )
        return context


class TaskExportView(TaskListView):
    """The filtered task list as .xlsx; an export is an access event. A district's tasks run
    to thousands: more than ``INLINE_ROWS`` go to a job (``fangkong.staff.exports``)."""

    def get(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = self.request.user
        require_action(user, Task, "export")
        data = request.GET.copy()
        data.pop("page", None)
        community = user.community if user.area_id else None
        stamp = timezone.localtime(timezone.now(), zone_of(community))
        return start_export(
            self.request,
            exports.TASKS.name,
            {
                "format": "xlsx",
                "filters": filter_params(data),
                "at": stamp.replace(tzinfo=None).isoformat(),
            },
        )


class TaskDetailView(StaffPageMixin, ObjectDetailView):
    """A task, its link, its trail of comments, and the buttons the user may press."""

    model = Task
    queryset = Task.objects.select_related(
        "area", "team__leader", "community", "assignee", "created_by", "content_type"
    )
    template_name = "staff/task_detail.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, task = self.request.user, self.object
        can_work = Task.objects.restrict(user, "change").filter(pk=task.pk).exists()
        can_manage = can_manage_task(user, task)
        link = task.link if task.content_type_id else None
        context.update(
            title=task.title,
            task=task,
            comments=task.comments.select_related("author"),
            link=link,
            link_url=(
                link.get_absolute_url()
                if link is not None and hasattr(link, "get_absolute_url")
                else ""
            ),
            link_type=task.content_type.name if task.content_type_id else "",
            can_work=can_work and task.is_open,
            can_comment=can_work,
            can_manage=can_manage and task.is_open,
            note_form=TaskNoteForm(),
            cancel_form=TaskCancelForm(),
            comment_form=TaskCommentForm(),
            reassign_form=(
                TaskReassignForm(user=user, task=task) if can_manage and task.is_open else None
            ),
            breadcrumbs=staff_crumbs(task.community, (reverse("staff:my_tasks"), _("My tasks"))),
        )
        return context


class TaskEditView(StaffPageMixin, ObjectEditView):
    """Create a task by hand (community page) or edit one."""

    model = Task
    form_class = TaskForm
    queryset = Task.objects.select_related("area", "community", "team")

    def check_add_permission(self) -> None:
        self.community = get_community(self.request.user, self.kwargs["community_pk"])
        require_action(self.request.user, Task, "add")
        if not sees_area(self.request.user, self.community):
            raise PermissionDenied

    def get_form_kwargs(self) -> dict[str, Any]:
        if self.object is not None and not can_manage_task(self.request.user, self.object):
            raise PermissionDenied  # the assignee works a task; who hands it out edits it
        return {**super().get_form_kwargs(), "community": self.page_community()}

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["title"] = (
            _("Edit %(name)s") % {"name": self.object} if self.object else _("New task")
        )
        return context

    def get_cancel_url(self) -> str:
        return super().get_cancel_url() if self.object else reverse("staff:task_list")

    def create(self, form: TaskForm) -> Task:
        data = form.service_data()
        return services.do_create_task(
            community=self.required_community(), by=self.request.user, **data
        )

    def update(self, obj: Task, form: TaskForm) -> Task:
        return services.do_update_task(
            obj, by=self.request.user, expected_version=form.expected_version, **form.service_data()
        )


class TeamBoardView(StaffPageMixin, ObjectDetailView):
    """A team's tasks in three columns (open, in progress, done this week), for its leader."""

    model = Team
    queryset = Team.objects.select_related("community", "leader")
    template_name = "staff/team_board.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        team, user = self.object, self.request.user
        since = timezone.now() - dt.timedelta(days=7)
        tasks = list(
            by_due(
                Task.objects.restrict(user)
                .filter(team=team)
                .filter(Q(status__in=OPEN_STATUSES) | Q(finished_at__gte=since))
                .select_related("assignee", "area", "community")
            )
        )
        columns = [
            (TaskStatus.OPEN.label, [t for t in tasks if t.status == TaskStatus.OPEN]),
            (
                TaskStatus.IN_PROGRESS.label,
                [t for t in tasks if t.status == TaskStatus.IN_PROGRESS],
            ),
            (_("Done this week"), [t for t in tasks if t.status == TaskStatus.DONE]),
        ]
        context.update(
            title=_("Board of %(team)s") % {"team": team},
            columns=columns,
            now=timezone.now(),
            breadcrumbs=staff_crumbs(team.community, (team.get_absolute_url(), team.name)),
        )
        return context


# --- Buttons on a task ----------------------------------------------------------------------


class TaskActionView(ServiceActionView):
    model = Task


class TaskStartView(TaskActionView):
    success_message = gettext_lazy("Started.")

    def act(self, task: Task, data: dict[str, Any]) -> Task:
        return services.do_start_task(task, by=self.request.user)


class TaskCompleteView(TaskActionView):
    form_class = TaskNoteForm
    success_message = gettext_lazy("Marked as done.")

    def act(self, task: Task, data: dict[str, Any]) -> Task:
        return services.do_complete_task(task, by=self.request.user, note=data.get("note", ""))

    def redirect_to(self, task: Task, result: Any) -> str:
        # Done from the list of one's tasks: back to the list, the next task in view.
        return reverse("staff:my_tasks") if result is not None else task.get_absolute_url()


class TaskCancelView(TaskActionView):
    form_class = TaskCancelForm
    success_message = gettext_lazy("Cancelled.")

    def act(self, task: Task, data: dict[str, Any]) -> Task:
        return services.do_cancel_task(task, by=self.request.user, reason=data["reason"])


class TaskCommentView(TaskActionView):
    form_class = TaskCommentForm
    success_message = gettext_lazy("Comment added.")

    def act(self, task: Task, data: dict[str, Any]) -> Any:
        return services.do_comment_on_task(task, by=self.request.user, text=data["text"])


class TaskReassignView(TaskActionView):
    success_message = gettext_lazy("Reassigned.")

    def act(self, task: Task, data: dict[str, Any]) -> Task:
        form = TaskReassignForm(self.request.POST, user=self.request.user, task=task)
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        data = form.cleaned_data
        assignee: User | None = data.get("assignee")
        return services.do_reassign_task(
            task,
            by=self.request.user,
            assignee=assignee,
            team=data.get("team"),
            note=data.get("note", ""),
        )
