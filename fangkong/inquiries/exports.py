"""Inquiries and the FAQ as .xlsx (``core.exports``): the filtered lists as the pages show
them, through ``restrict()``; each export is an access event. Inquiries grow without bound
(a district's year of calls), so a large export runs as a job."""

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
from fangkong.inquiries.filtersets import FaqFilterSet, InquiryFilterSet
from fangkong.inquiries.models import FaqEntry, Inquiry

if TYPE_CHECKING:
    from fangkong.accounts.models import User

CHUNK = 2000


def _filtered(queryset: QuerySet[Any], filterset: Any, user: User, filters: Any) -> QuerySet[Any]:
    bound = bound_numbers(
        filterset(filters or None, queryset=queryset, request=SimpleNamespace(user=user))
    )
    return bound.qs if bound.is_bound else queryset


def inquiries_for_export(user: User, filters: Any) -> QuerySet[Inquiry]:
    queryset = Inquiry.objects.restrict(user).select_related("handler", "household__building")
    return _filtered(queryset, InquiryFilterSet, user, filters)


def faq_for_export(user: User, filters: Any) -> QuerySet[FaqEntry]:
    queryset = FaqEntry.objects.restrict(user).select_related("area")
    return _filtered(queryset, FaqFilterSet, user, filters)


def _local(value: dt.datetime | None, user: User) -> str:
    zone = user.area.zone if user.area is not None else None
    return f"{timezone.localtime(value, zone):%Y-%m-%d %H:%M}" if value else ""


def _record(user: User, what: str, rows: int, filters: dict[str, Any]) -> None:
    record_access(
        AccessKind.EXPORT,
        actor=user,
        area_path=user.area.path if user.area is not None else "/",
        detail={
            "what": what,
            "rows": rows,
            "filters": sorted(k for k, v in filters.items() if v and k != "page"),
        },
    )


def write_inquiries(
    user: User, params: dict[str, Any], target: BinaryIO, progress: Progress | None
) -> int:
    """The inquiries (the asker as a room, never a phone), then the access event."""
    filters = filter_data(params.get("filters"))
    rows = (
        [
            row.pk,
            _local(row.received_at, user),
            row.get_channel_display(),
            row.get_category_display(),
            row.household.label if row.household is not None else "",
            row.question,
            row.answer,
            row.get_status_display(),
            str(row.handler) if row.handler_id else "",
            row.follow_up_on.isoformat() if row.follow_up_on else "",
        ]
        for row in inquiries_for_export(user, filters).iterator(chunk_size=CHUNK)
    )
    header = [
        _("No."),
        _("Received at"),
        _("Channel"),
        _("Category"),
        _("Household"),
        _("Question"),
        _("Answer"),
        _("Status"),
        _("Handler"),
        _("Call back by"),
    ]
    written = write_xlsx(
        target,
        [
            SheetSpec(
                title=str(_("Inquiries")),
                header=header,
                rows=rows,
                widths=[8, 18, 10, 14, 24, 50, 50, 10, 14, 12],
            )
        ],
        progress=progress,
    )
    _record(user, "inquiries.inquiries", written, filters)
    return written


def write_faq(
    user: User, params: dict[str, Any], target: BinaryIO, progress: Progress | None
) -> int:
    filters = filter_data(params.get("filters"))
    rows = (
        [
            entry.pk,
            entry.area.name,
            entry.get_category_display(),
            entry.question,
            entry.answer,
            _("yes") if entry.published else _("no"),
        ]
        for entry in faq_for_export(user, filters).iterator(chunk_size=CHUNK)
    )
    header = [_("No."), _("Area"), _("Category"), _("Question"), _("Answer"), _("Published")]
    written = write_xlsx(
        target,
        [SheetSpec(title=str(_("FAQ")), header=header, rows=rows, widths=[8, 16, 14, 50, 60, 8])],
        progress=progress,
    )
    _record(user, "inquiries.faq", written, filters)
    return written


def _stamp(prefix: str) -> Any:
    return lambda params: f"{prefix}-{dt.datetime.fromisoformat(params['at']):%Y%m%d-%H%M}"


INQUIRIES = register(
    Exporter(
        name="inquiries.inquiries",
        model=Inquiry,
        label=gettext_lazy("Inquiries"),
        count=lambda user, params: inquiries_for_export(
            user, filter_data(params.get("filters"))
        ).count(),
        write=write_inquiries,
        filename=_stamp("inquiries"),
    )
)

FAQ = register(
    Exporter(
        name="inquiries.faq",
        model=FaqEntry,
        label=gettext_lazy("FAQ"),
        count=lambda user, params: faq_for_export(user, filter_data(params.get("filters"))).count(),
        write=write_faq,
        filename=_stamp("faq"),
    )
)
