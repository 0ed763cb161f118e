"""Background jobs: a ``Job`` row the UI shows, and one task on Django's tasks framework.

An app registers a kind with ``@job_kind("registry.import_residents")``; the handler receives
a ``JobContext`` to report progress and write log lines. ``enqueue_job`` creates the row and
enqueues the task when the transaction commits, so a worker never sees a job whose data is
not yet there.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from fangkong.core.choices import JobStatus
from fangkong.core.disk_full import DISK_FULL_CODE, DISK_FULL_MESSAGE, is_disk_full
from fangkong.core.models import Job

if TYPE_CHECKING:
    from fangkong.accounts.models import User

logger = logging.getLogger(__name__)

StrOrPromise = str | Promise
JobHandler = Callable[["JobContext"], Any]
JOB_KINDS: dict[str, JobHandler] = {}
#: What each kind is called on pages (``Job.kind_label``): the code ("registry.import_residents")
#: is for the program, never for the person waiting on the job.
JOB_LABELS: dict[str, StrOrPromise] = {}


def job_kind(name: str, label: StrOrPromise | None = None) -> Callable[[JobHandler], JobHandler]:
    def register(handler: JobHandler) -> JobHandler:
        JOB_KINDS[name] = handler
        if label is not None:
            JOB_LABELS[name] = label
        return handler

    return register


class JobContext:
    """What a job handler sees: its row, its parameters, progress and a log."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.params = job.params

    def set_total(self, total: int) -> None:
        self.job.total = total
        self.job.save(update_fields=["total"])

    def progress(self, done: int) -> None:
        self.job.progress = done
        self.job.save(update_fields=["progress"])

    def log(self, line: str) -> None:
        """Append a line. Never log personal data: the log is shown to every viewer."""
        self.job.log += line.rstrip() + "\n"
        self.job.save(update_fields=["log"])


def enqueue_job(
    kind: str, *, user: User | None, area_path: str, params: dict[str, Any] | None = None
) -> Job:
    if kind not in JOB_KINDS:
        raise KeyError(f"unknown job kind {kind!r}")
    job = Job.objects.create(
        kind=kind,
        user=user if getattr(user, "is_authenticated", False) else None,
        area_path=area_path,
        params=params or {},
    )
    transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_pk: int) -> None:
    result = run_job.enqueue(job_pk)
    # The immediate backend (tests) has already run the job; keep what it wrote.
    Job.objects.filter(pk=job_pk, task_id="").update(task_id=str(result.id))


@task()
def run_job(job_pk: int) -> None:
    job = Job.objects.get(pk=job_pk)
    if job.status != JobStatus.PENDING:
        return  # delivered twice; the first delivery owns it
    job.status = JobStatus.RUNNING
    job.started = timezone.now()
    job.save(update_fields=["status", "started"])
    context = JobContext(job)
    try:
        result = JOB_KINDS[job.kind](context)
    except Exception as exc:
        # The traceback goes to the server log; the job shows only the error's class and
        # message, which handlers keep free of personal data.
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        job.status = JobStatus.FAILED
        job.log += f"{type(exc).__name__}: {exc}\n"
        job.result = {"error": str(exc)}
        if code := getattr(exc, "job_code", ""):
            # A refusal the handler worded for the user (pages show errors with a code).
            job.result["code"] = code
        if is_disk_full(exc):
            # A cause the user can act on, said in their language (pages show it). The
            # handler's transaction has been rolled back: saving the row needs no new room
            # in SQLite's WAL, whose frames the rollback freed.
            job.result = {"error": str(DISK_FULL_MESSAGE), "code": DISK_FULL_CODE}
        logger.debug("%s", traceback.format_exc())
    else:
        job.status = JobStatus.COMPLETED
        job.result = result
        job.progress = job.total or job.progress
    job.finished = timezone.now()
    job.save(update_fields=["status", "result", "log", "progress", "finished"])


@job_kind("core.selftest", _("Self-test"))
def selftest(context: JobContext) -> dict[str, Any]:
    """Proves the machinery: counts to ``steps`` with progress, or fails when asked to."""
    steps = int(context.params.get("steps", 3))
    context.set_total(steps)
    for i in range(1, steps + 1):
        context.progress(i)
    if context.params.get("fail"):
        raise RuntimeError("selftest asked to fail")
    # The log is shown on the job's page: written in the worker's language (the default one).
    context.log(gettext("Counted to %(n)s.") % {"n": steps})
    return {"counted": steps}
