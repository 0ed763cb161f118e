"""Open tasks an area holds (``core.area_contents``). A grid being closed hands its open
tasks to the grid its buildings go to, through ``do_update_task``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import ngettext

from fangkong.core.area_contents import Content, Span, register
from fangkong.staff.choices import OPEN_STATUSES
from fangkong.staff.models import Task
from fangkong.staff.services import do_update_task

if TYPE_CHECKING:
    from fangkong.accounts.models import User


def _open_tasks(span: Span) -> int:
    return Task.objects.filter(status__in=OPEN_STATUSES, area_id__in=span.area_ids).count()


def _move(grid: Any, target: Any, by: User | None) -> int:
    tasks = list(Task.objects.filter(status__in=OPEN_STATUSES, area=grid).order_by("pk"))
    for task in tasks:
        # System work (by=None): the administrator closing the grid holds no staff rights,
        # and was checked for the area itself; the grid's audit row names them.
        do_update_task(task, by=None, area=target)
    return len(tasks)


register(
    Content(
        key="open_tasks",
        label=lambda n: ngettext("%(count)s open task", "%(count)s open tasks", n) % {"count": n},
        count=_open_tasks,
        move=_move,
        order=40,
    )
)
