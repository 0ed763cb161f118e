"""Background work of accounts: the staff-accounts import (preview and import) as a job.

A job's parameters name a stored upload and the mode; ``core.imports.flow.run_upload_job``
opens the upload and, after an import, deletes it. A file refused as a whole completes the
job with ``{"error", "code"}``. The result holds counts, the usernames made and rejected
rows; the one-time passwords only in the printable sheet (``accounts.password_sheet``),
named in the result by its token until it is downloaded.
"""

from __future__ import annotations

from typing import IO, Any

from django.utils.translation import gettext_lazy as _

from fangkong.accounts.imports import Created, preview, run_import
from fangkong.accounts.password_sheet import SHEET_KEY, render_sheet, store_sheet
from fangkong.core.imports.flow import run_upload_job
from fangkong.core.imports.uploads import delete_upload
from fangkong.core.jobs import JobContext, job_kind
from fangkong.core.spreadsheets import SpreadsheetError

IMPORT_KIND = "accounts.import_users"


@job_kind(IMPORT_KIND, _("Staff accounts import"))
def import_users_job(context: JobContext) -> dict[str, Any]:
    mode = context.params.get("mode", "import")
    user = context.job.user
    if user is None or not user.is_active:
        return {"error": str(_("The importer's account is no longer active.")), "code": "user"}
    sheet: list[str] = []

    def write_sheet(accounts: list[Created]) -> None:
        sheet.append(store_sheet(render_sheet(accounts, by=user)))

    def work(file: IO[bytes]) -> dict[str, Any]:
        try:
            if mode == "preview":
                result = preview(file, user)
            else:
                result = run_import(file, user, sheet_writer=write_sheet)
        except SpreadsheetError as exc:
            return {"error": exc.message, "code": exc.code}
        except BaseException:
            for token in sheet:  # the accounts were rolled back: so is their sheet
                delete_upload(token)
            raise
        data = result.as_dict()
        if result.written and sheet:
            data[SHEET_KEY] = sheet[0]
        context.log(f"{mode}: {result.rows} rows, {result.created} made, {result.rejected} refused")
        return data

    return run_upload_job(context, work)
