"""The task list as .xlsx, as an export job (``core.exports``).

A district official's task list holds every community's tasks (thousands in a district of a
hundred communities), so the export is written in the request only when it is small
(``INLINE_ROWS`` or fewer) and otherwise by a worker, downloaded once from the job's page.
The job reads the list again through ``restrict()`` with the page's filters, as the page
did. The week's roster export (``views/rosters.py``) stays in the request: it is one
community's week, a row per shift and day (a few hundred at most).
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, BinaryIO

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.audit import record_access
from fangkong.core.choices import AccessKind
from fangkong.core.exports import Exporter, filter_data, register
from fangkong.core.filtersets import bound_numbers
from fangkong.core.spreadsheets import Progress, SheetSpec, write_xlsx
from fangkong.staff.duty_hours import zone_of
from fangkong.staff.filtersets import TaskFilterSet
from fangkong.staff.models import Task

if TYPE_CHECKING:
    from fangkong.accounts.models import User

CHUNK = 2000


def tasks_for_export(user: User, filters: Any) -> QuerySet[Task]:
    """The tasks the list shows ``user`` with ``filters``, in its order."""
    from fangkong.staff.views.tasks import by_due

    tasks = by_due(
        Task.objects.restrict(user).select_related("area", "team", "community", "assignee")
    )
    filterset = bound_numbers(
        TaskFilterSet(filters or None, queryset=tasks, request=SimpleNamespace(user=user))
    )
    return filterset.qs if filterset.is_bound else tasks


def _local(value: dt.datetime | None, tz: Any) -> str:
    return f"{timezone.localtime(value, tz):%Y-%m-%d %H:%M}" if value else ""


def count(user: User, params: dict[str, Any]) -> int:
    return tasks_for_export(user, filter_data(params.get("filters"))).count()


def write(user: User, params: dict[str, Any], target: BinaryIO, progress: Progress | None) -> int:
    """Write the tasks; record the export (rows and which filters). Returns the rows."""
    filters = filter_data(params.get("filters"))
    tz = zone_of(user.community if user.area_id else None)
    rows = (
        [
            task.pk,
            task.title,
            task.kind_label(),
            task.get_status_display(),
            task.get_priority_display(),
            task.area.name,
            str(task.assignee) if task.assignee_id else "",
            task.team.name if task.team is not None else "",
            _local(task.due, tz),
            _local(task.created, tz),
            task.outcome,
        ]
        for task in tasks_for_export(user, filters).iterator(chunk_size=CHUNK)
    )
    header = [
        _("No."),
        _("Title"),
        _("Kind"),
        _("Status"),
        _("Priority"),
        _("Area"),
        _("Assignee"),
        _("Team"),
        _("Due"),
        _("Created"),
        _("Outcome"),
    ]
    written = write_xlsx(
        target,
        [
            SheetSpec(
                title=str(_("Tasks")),
                header=header,
                rows=rows,
                widths=[8, 40, 20, 12, 10, 16, 16, 16, 18, 18, 40],
            )
        ],
        progress=progress,
    )
    record_access(
        AccessKind.EXPORT,
        actor=user,
        area_path=user.area.path if user.area is not None else "/",
        detail={
            "what": "staff.tasks",
            "rows": written,
            "filters": sorted(k for k, v in filters.items() if v and k != "page"),
        },
    )
    return written


def _filename(params: dict[str, Any]) -> str:
    return f"tasks-{dt.datetime.fromisoformat(params['at']):%Y%m%d-%H%M}"


TASKS = register(
    Exporter(
        name="staff.tasks",
        model=Task,
        label=gettext_lazy("Tasks"),
        count=count,
        write=write,
        filename=_filename,
    )
)
