"""Background work of inquiries: the FAQ's and the inquiries' imports (preview and import)."""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from fangkong.areas.models import Area
from fangkong.core.imports.flow import run_upload_job
from fangkong.core.jobs import JobContext, job_kind
from fangkong.core.spreadsheets import SpreadsheetError
from fangkong.inquiries.imports import ImportResult, run_faq_import, run_inquiry_import

if TYPE_CHECKING:
    from fangkong.accounts.models import User

FAQ_IMPORT_KIND = "inquiries.faq_import"
INQUIRY_IMPORT_KIND = "inquiries.import"

Importer = Callable[..., ImportResult]


def _run(context: JobContext, importer: Importer, area_param: str) -> dict[str, Any]:
    mode = context.params.get("mode", "import")
    user: User | None = context.job.user
    if user is None or not user.is_active:
        return {"error": str(_("The importer's account is no longer active.")), "code": "user"}
    area = Area.objects.get(pk=context.params[area_param])

    def work(file: IO[bytes]) -> dict[str, Any]:
        try:
            result = importer(file, area, user, dry_run=mode == "preview")
        except SpreadsheetError as exc:
            return {"error": exc.message, "code": exc.code}
        context.log(f"{mode}: {result.rows} rows, {result.created} new, {result.rejected} refused")
        return result.as_dict()

    return run_upload_job(context, work)


@job_kind(FAQ_IMPORT_KIND, _("FAQ import"))
def import_faq_job(context: JobContext) -> dict[str, Any]:
    return _run(context, run_faq_import, "area")


@job_kind(INQUIRY_IMPORT_KIND, _("Inquiries import"))
def import_inquiries_job(context: JobContext) -> dict[str, Any]:
    return _run(context, run_inquiry_import, "community")
