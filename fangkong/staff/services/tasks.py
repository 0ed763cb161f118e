"""Tasks: the one way any module creates work, and every change of a task afterwards.

``do_create_task`` is what screening, health, merchants and the rest call. It is idempotent:
while a task for the same linked object, kind and reason is open (open or in progress), a
second call returns that task instead of making another. A conditional unique constraint on
``Task.dedup_key`` makes this hold when two workers raise the same task at the same moment,
on SQLite and on PostgreSQL alike.

Rights: creating by hand needs ``staff.task`` add, which the page and the API check. A task
another module raises about one of its rows (``link``) is part of an action that module has
already authorised — a grid worker's screening call raising a door visit — so the service
checks only that the actor works in the task's area. Working on a task (start, complete,
comment) needs ``change`` and a task the actor sees; cancelling, editing and reassigning are
for those who hand out work (``add``) and for the leader of the task's team.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import TYPE_CHECKING, Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.accounts.models import User
from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.audit import record_change
from fangkong.core.choices import ChangeAction
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.querysets import covers
from fangkong.core.services import check_version, locked
from fangkong.staff.choices import OPEN_STATUSES, TaskKind, TaskPriority, TaskStatus
from fangkong.staff.models import Task, TaskComment, Team
from fangkong.staff.querysets import sees_area
from fangkong.staff.services.checks import in_community, require_in_area, require_visible

if TYPE_CHECKING:
    from fangkong.accounts.models import User

KIND_MAX = 50
TITLE_MAX = 200
REASON_MAX = 200


def dedup_key(community: Area, link: models.Model | None, kind: str, reason: str) -> str:
    """What makes two tasks "the same": community, linked row, kind and reason.

    A hash, so a long reason fits the indexed column. Tasks without a link are never
    merged: two "general" tasks with the same words may well be two jobs.
    """
    if link is None:
        return ""
    content_type = ContentType.objects.get_for_model(link, for_concrete_model=True)
    raw = f"{community.pk}|{content_type.pk}|{link.pk}|{kind}|{reason}"
    return hashlib.sha256(raw.encode()).hexdigest()


def _validate_assignee(
    assignee: User | None, community: Area, by: User | None, field: str = "assignee"
) -> None:
    if assignee is None:
        return
    if (
        not assignee.is_active
        or assignee.area_id is None
        or not in_community(assignee.area, community)
    ):
        raise ValidationError(
            {
                field: _("%(name)s does not work in this community; choose someone who does.")
                % {"name": assignee}
            }
        )
    if by is not None and assignee.pk != by.pk and not covers(by, assignee.area):
        raise ValidationError(
            {
                field: _(
                    "You can only assign tasks to people of your own area; %(name)s works "
                    "outside it."
                )
                % {"name": assignee}
            }
        )


def _validate_team(team: Team | None, community: Area) -> None:
    if team is not None and team.community_id != community.pk:
        raise ValidationError({"team": _("Choose a team of this community.")})


def _validate_fields(task: Task) -> None:
    task.title = (task.title or "").strip()
    task.kind = (task.kind or "").strip()
    task.reason = (task.reason or "").strip()
    errors: dict[str, str] = {}
    if not task.title:
        errors["title"] = _("Give the task a title.")
    elif len(task.title) > TITLE_MAX:
        errors["title"] = _("A title has at most %(n)s characters.") % {"n": TITLE_MAX}
    if not task.kind or len(task.kind) > KIND_MAX:
        errors["kind"] = _("A task's kind is a short code such as health.fever.")
    if len(task.reason) > REASON_MAX:
        errors["reason"] = _("A reason has at most %(n)s characters.") % {"n": REASON_MAX}
    if task.priority not in TaskPriority.values:
        errors["priority"] = _("Choose a priority: low, normal, high or urgent.")
    if task.due is not None and timezone.is_naive(task.due):
        errors["due"] = _("A due time needs a time zone.")
    if errors:
        raise ValidationError(errors)


def _link_community_id(link: models.Model) -> int | None:
    community_id = getattr(link, "community_id", None)
    if community_id is None and isinstance(link, Area):
        community = link.community
        community_id = community.pk if community else None
    return community_id


@transaction.atomic
def do_create_task(
    *,
    community: Area,
    title: str,
    by: User | None,
    kind: str = TaskKind.GENERAL,
    assignee: User | None = None,
    team: Team | None = None,
    area: Area | None = None,
    link: models.Model | None = None,
    reason: str = "",
    due: dt.datetime | None = None,
    priority: str = "normal",
    description: str = "",
) -> Task:
    """Create a task, or return the open one already there for the same object and reason.

    ``community`` owns the task; ``area`` (default: the community) is the community or one of
    its grids and decides who sees it; ``kind`` is a module's short code, a general task when
    left out (the API lets a caller leave it out, as the model's default). ``by`` is the
    actor (None for system work). Raises ``ValidationError`` for bad input (a message per
    field), ``Http404`` when the actor does not work in the area.
    """
    if community.level != AreaLevel.COMMUNITY:
        raise ValidationError({"community": _("Tasks belong to a community.")})
    area = area or community
    if not in_community(area, community):
        raise ValidationError({"area": _("Choose the community or one of its grids.")})
    if by is not None and not sees_area(by, area):
        raise Http404
    if link is not None:
        _validate_link(link, community)
    _validate_assignee(assignee, community, by)
    _validate_team(team, community)

    task = Task(
        community=community,
        area=area,
        kind=kind,
        title=title,
        description=description or "",
        priority=priority,
        assignee=assignee,
        team=team,
        reason=reason or "",
        due=due,
        created_by=by if by is not None and by.is_authenticated else None,
    )
    if link is not None:
        task.content_type = ContentType.objects.get_for_model(link, for_concrete_model=True)
        task.object_id = link.pk
    _validate_fields(task)
    task.dedup_key = dedup_key(community, link, task.kind, task.reason)

    if task.dedup_key and (existing := _open_twin(task.dedup_key)) is not None:
        return existing
    try:
        with transaction.atomic():
            task.save()
    except IntegrityError:
        # Someone raised the same task between our look and our insert: theirs stands.
        existing = _open_twin(task.dedup_key) if task.dedup_key else None
        if existing is None:
            raise
        return existing
    record_change(ChangeAction.CREATE, task, actor=by)
    return task


def _validate_link(link: models.Model, community: Area) -> None:
    """A task points at a saved record of its own community."""
    if link.pk is None:
        raise ValidationError({"link": _("A task can only point at a saved record.")})
    link_community = _link_community_id(link)
    if link_community is not None and link_community != community.pk:
        raise ValidationError({"link": _("The record belongs to another community.")})


def _open_twin(key: str) -> Task | None:
    return Task.objects.filter(dedup_key=key, status__in=OPEN_STATUSES).first()


# --- Who may do what to an existing task ----------------------------------------------------


def _require_worker(by: User | None, task: Task) -> None:
    """Start, complete, comment: the actor sees the task and may change tasks."""
    require_visible(by, task, "change")


def _require_manager(by: User | None, task: Task) -> None:
    """Cancel, edit, reassign: who hands out work here, or the leader of the task's team."""
    if by is None:
        return
    require_visible(by, task, "view")
    if task.team is not None and task.team.is_led_by(by):
        return
    if not (by.has_action(Task, "add") and by.has_action(Task, "change")):
        raise PermissionDeniedError("change")


def _require_open(task: Task, message: str) -> None:
    if task.status not in OPEN_STATUSES:
        raise ValidationError({"status": message})


def _trail(task: Task, by: User | None, text: str, status: str = "") -> TaskComment:
    comment = TaskComment.objects.create(
        community_id=task.community_id,
        task=task,
        text=text,
        status=status,
        author=by if by is not None and by.is_authenticated else None,
        author_name=by.get_username() if by is not None else "system",
    )
    record_change(ChangeAction.CREATE, comment, actor=by)
    return comment


def _save_status(task: Task, before: dict[str, Any], by: User | None, fields: list[str]) -> Task:
    task.version += 1
    task.save(update_fields=[*fields, "version", "updated"])
    record_change(ChangeAction.UPDATE, task, before=before, actor=by)
    return task


@transaction.atomic
def do_start_task(task: Task, *, by: User | None) -> Task:
    """The assignee (or a colleague) starts work: open → in progress."""
    task = locked(Task, task.pk)
    _require_worker(by, task)
    if task.status != TaskStatus.OPEN:
        raise ValidationError({"status": _("Only an open task can be started.")})
    before = task.audit_snapshot()
    task.status, task.started_at = TaskStatus.IN_PROGRESS, timezone.now()
    return _save_status(task, before, by, ["status", "started_at"])


@transaction.atomic
def do_complete_task(task: Task, *, by: User | None, note: str = "") -> Task:
    """Work done: open or in progress → done, with what was done as the outcome."""
    task = locked(Task, task.pk)
    _require_worker(by, task)
    _require_open(task, _("This task is already closed."))
    note = (note or "").strip()
    before = task.audit_snapshot()
    now = timezone.now()
    task.status, task.finished_at, task.outcome = TaskStatus.DONE, now, note
    task.started_at = task.started_at or now
    _save_status(task, before, by, ["status", "finished_at", "outcome", "started_at"])
    _trail(task, by, note or _("Done."), TaskStatus.DONE)
    return task


@transaction.atomic
def do_cancel_task(task: Task, *, by: User | None, reason: str) -> Task:
    """Work no longer needed: open or in progress → cancelled, with a reason."""
    task = locked(Task, task.pk)
    _require_manager(by, task)
    _require_open(task, _("This task is already closed."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the task is cancelled.")})
    before = task.audit_snapshot()
    task.status, task.finished_at, task.outcome = TaskStatus.CANCELLED, timezone.now(), reason
    _save_status(task, before, by, ["status", "finished_at", "outcome"])
    _trail(task, by, reason, TaskStatus.CANCELLED)
    return task


@transaction.atomic
def do_comment_on_task(task: Task, *, by: User | None, text: str) -> TaskComment:
    """Add a comment to the task's trail."""
    task = locked(Task, task.pk)
    _require_worker(by, task)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write a comment first.")})
    if len(text) > 2000:
        raise ValidationError({"text": _("A comment has at most 2000 characters.")})
    return _trail(task, by, text)


@transaction.atomic
def do_reassign_task(
    task: Task,
    *,
    by: User | None,
    assignee: User | None = None,
    team: Team | None = None,
    note: str = "",
) -> Task:
    """Give the task to another person and/or team.

    A team leader may hand a task of their team to one of its members; whoever hands out
    work in the area may give it to anyone of their area. Someone outside the assigner's
    area is refused with a message saying so.
    """
    task = locked(Task, task.pk)
    _require_manager(by, task)
    _require_open(task, _("A closed task cannot be reassigned."))
    community = task.community
    _validate_team(team, community)
    # The team of a leader who may not hand out work otherwise (None: anyone's assigner).
    led_team = (
        task.team
        if by is not None
        and task.team is not None
        and task.team.is_led_by(by)
        and not by.has_action(Task, "add")
        else None
    )
    if led_team is not None:
        members = {m.member.user_id for m in led_team.memberships.select_related("member")}
        if assignee is not None and assignee.pk not in members:
            raise ValidationError(
                {"assignee": _("A team leader can give the team's tasks only to its members.")}
            )
        if team is not None and team.pk != task.team_id:
            raise ValidationError({"team": _("A team leader cannot move a task to another team.")})
        team = led_team  # the task stays with the leader's team
    else:
        _validate_assignee(assignee, community, by)
    if assignee is None and team is None:
        raise ValidationError({"assignee": _("Choose a person or a team.")})
    before = task.audit_snapshot()
    task.assignee, task.team = assignee, team
    _save_status(task, before, by, ["assignee", "team"])
    text = _("Reassigned to %(who)s.") % {
        "who": ", ".join(str(x) for x in (assignee, task.team) if x is not None) or "—"
    }
    _trail(task, by, f"{text} {note.strip()}".strip())
    return task


TASK_FIELDS = ("title", "description", "priority", "due", "kind", "area", "reason")


@transaction.atomic
def do_update_task(
    task: Task, *, by: User | None, expected_version: int | None = None, **data: Any
) -> Task:
    """Change a task's title, description, priority, due time, kind, area or reason.

    Changing who does it is ``do_reassign_task``; status changes have their own services.
    """
    task = locked(Task, task.pk)
    _require_manager(by, task)
    check_version(task, expected_version)
    _require_open(task, _("A closed task cannot be edited."))
    before = task.audit_snapshot()
    community = task.community
    for key, value in data.items():
        if key not in TASK_FIELDS:
            continue
        if value is None and key == "area":
            value = community
        elif value is None and key != "due":
            value = ""
        setattr(task, key, value)
    if not in_community(task.area, community):
        raise ValidationError({"area": _("Choose the community or one of its grids.")})
    if by is not None and not sees_area(by, task.area):
        raise ValidationError({"area": _("You can only choose records of your own area.")})
    _validate_fields(task)
    link = task.link if task.content_type_id else None
    task.dedup_key = dedup_key(community, link, task.kind, task.reason)
    task.version += 1
    try:
        with transaction.atomic():
            task.save()
    except IntegrityError:
        raise ValidationError(
            {"reason": _("Another open task already has this object, kind and reason.")}
        ) from None
    record_change(ChangeAction.UPDATE, task, before=before, actor=by)
    return task


def require_can_add_tasks(by: User, community: Area) -> None:
    """For pages and the API: creating a task by hand needs the ``add`` right there."""
    require_in_area(by, Task, "add", community)
