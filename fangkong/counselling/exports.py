"""Counselling cases as .xlsx (``core.exports``): who is counselled, by whom, the risk and the
referral, and how many sessions were held. Never a note: notes are read one case at a time,
each read logged (``counselling.services.read_notes``). Each export is an access event."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, BinaryIO

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.audit import record_access
from fangkong.core.choices import AccessKind
from fangkong.core.exports import Exporter, filter_data, register
from fangkong.core.filtersets import bound_numbers
from fangkong.core.spreadsheets import Progress, SheetSpec, write_xlsx
from fangkong.counselling.filtersets import CaseFilterSet
from fangkong.counselling.models import CounsellingCase

if TYPE_CHECKING:
    from fangkong.accounts.models import User


def cases_for_export(user: User, filters: Any) -> QuerySet[CounsellingCase]:
    queryset = (
        CounsellingCase.objects.restrict(user)
        .select_related("person", "counsellor")
        .annotate(session_count=Count("sessions"))
    )
    bound = bound_numbers(
        CaseFilterSet(filters or None, queryset=queryset, request=SimpleNamespace(user=user))
    )
    found: QuerySet[CounsellingCase] = bound.qs if bound.is_bound else queryset
    return found


def _day(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def write(user: User, params: dict[str, Any], target: BinaryIO, progress: Progress | None) -> int:
    filters = filter_data(params.get("filters"))
    rows = (
        [
            case.pk,
            case.person.name,
            case.get_risk_level_display(),
            case.get_status_display(),
            str(case.counsellor) if case.counsellor_id else "",
            _day(case.opened_on),
            case.referral_to,
            _day(case.referred_on),
            _day(case.closed_on),
            case.session_count,  # type: ignore[attr-defined]  # the annotation above
        ]
        for case in cases_for_export(user, filters).iterator(chunk_size=1000)
    )
    header = [
        _("No."),
        _("Person"),
        _("Risk level"),
        _("Status"),
        _("Counsellor"),
        _("Opened on"),
        _("Referred to"),
        _("Referred on"),
        _("Closed on"),
        _("Sessions"),
    ]
    written = write_xlsx(
        target,
        [
            SheetSpec(
                title=str(_("Counselling cases")),
                header=header,
                rows=rows,
                widths=[8, 12, 10, 14, 14, 12, 24, 12, 12, 8],
            )
        ],
        progress=progress,
    )
    record_access(
        AccessKind.EXPORT,
        actor=user,
        area_path=user.area.path if user.area is not None else "/",
        detail={
            "what": "counselling.cases",
            "rows": written,
            "filters": sorted(k for k, v in filters.items() if v and k != "page"),
        },
    )
    return written


CASES = register(
    Exporter(
        name="counselling.cases",
        model=CounsellingCase,
        label=gettext_lazy("Counselling cases"),
        count=lambda user, params: cases_for_export(
            user, filter_data(params.get("filters"))
        ).count(),
        write=write,
        filename=lambda params: (
            f"counselling-{dt.datetime.fromisoformat(params['at']):%Y%m%d-%H%M}"
        ),
    )
)
