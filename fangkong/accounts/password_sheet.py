"""The printed sheet of new accounts' one-time passwords, to hand out, downloadable once.

The import makes the PDF inside its transaction (no sheet, no accounts) and keeps it in the
uploads store (``core.imports.uploads``) under a random token held in the import job's
result: the passwords exist in clear nowhere else. The first download takes the token off
the job (the job's row locked, so two clicks cannot both get it), deletes the file and is
recorded as an export; a sheet never downloaded is deleted with the stale uploads after
``UPLOAD_LIFETIME`` (24 h).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from fangkong.core.audit import record_access
from fangkong.core.choices import AccessKind
from fangkong.core.imports.uploads import delete_upload, reading_upload, store_upload
from fangkong.core.models import Job
from fangkong.core.pdf import render_pdf

if TYPE_CHECKING:
    from fangkong.accounts.imports import Created
    from fangkong.accounts.models import User

#: The key of the job's result naming the stored sheet, until it is downloaded.
SHEET_KEY = "password_sheet"


def render_sheet(accounts: list[Created], *, by: User) -> bytes:
    return render_pdf(
        "accounts/password_sheet.html",
        {"accounts": accounts, "by": by, "made": timezone.localtime()},
    )


def store_sheet(pdf: bytes) -> str:
    return store_upload([pdf])


def take_sheet(job_pk: int, *, by: User) -> bytes:
    """The sheet of ``by``'s import ``job_pk``, once: ``Http404`` when it is not theirs, was
    downloaded already or has expired."""
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_pk, user_id=by.pk).first()
        token = (job.result or {}).get(SHEET_KEY) if job is not None else None
        if job is None or not token:
            raise Http404
        job.result = {k: v for k, v in (job.result or {}).items() if k != SHEET_KEY}
        job.save(update_fields=["result"])
        try:
            with reading_upload(token) as file:
                data = file.read()
        except FileNotFoundError:
            raise Http404 from None  # past 24 h: purged with the stale uploads
        record_access(
            AccessKind.EXPORT,
            actor=by,
            area_path=job.area_path,
            obj=job,
            detail={"what": "account_passwords", "accounts": job.result.get("created", 0)},
        )
    delete_upload(token)
    return data
