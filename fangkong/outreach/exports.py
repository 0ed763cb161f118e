"""Outreach's lists as .xlsx or .csv (``core.exports``): announcements, notification scripts
(the current version's text, where the script came from, whether the street recommends it),
health guidance and broadcast rounds. Each holds the rows the user may read (``restrict``),
filtered as the list page was; every text cell is neutralised by core's writers (a title
typed as ``=cmd|…`` stays text)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, BinaryIO, cast

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.audit import record_access
from fangkong.core.choices import AccessKind
from fangkong.core.exports import Exporter, filter_data, register
from fangkong.core.filtersets import FilterSet, bound_numbers
from fangkong.core.spreadsheets import Progress, SheetSpec, write_csv, write_xlsx
from fangkong.outreach.choices import ScriptStatus
from fangkong.outreach.filtersets import (
    AnnouncementFilterSet,
    BroadcastRoundFilterSet,
    GuidanceFilterSet,
    NotificationScriptFilterSet,
)
from fangkong.outreach.models import Announcement, BroadcastRound, Guidance, NotificationScript

if TYPE_CHECKING:
    from fangkong.accounts.models import User


def _yes(value: bool) -> str:
    return _("yes") if value else _("no")


def _local(value: dt.datetime) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}"


def _announcement(notice: Announcement) -> list[Any]:
    return [
        notice.area.name,
        notice.title,
        notice.body,
        notice.valid_from,
        notice.valid_until,
        _yes(notice.quarantined_only),
        _yes(notice.on_poster),
        _yes(notice.on_household_page),
        _yes(notice.on_phone),
    ]


def _script(script: NotificationScript) -> list[Any]:
    current = script.current
    return [
        script.title,
        current.text if current is not None else "",
        current.number if current is not None else "",
        script.area.name,
        script.reach.name,
        script.get_status_display(),
        _yes(script.status == ScriptStatus.RECOMMENDED),
    ]


def _guidance(advice: Guidance) -> list[Any]:
    return [
        advice.area.name,
        advice.title,
        advice.body,
        advice.position,
        _yes(advice.on_household_page),
    ]


def _round(round_: BroadcastRound) -> list[Any]:
    return [
        round_.community.name,
        _local(round_.at),
        round_.script.title,
        round_.staff,
        "、".join(str(b) for b in round_.buildings.all()),
        "、".join(g.name for g in round_.grids.all()),
        round_.note,
    ]


@dataclass(frozen=True)
class _Sheet:
    """What one outreach export writes: which rows, which columns, how each row reads."""

    name: str
    model: type[models.Model]
    label: Any
    filterset: type[FilterSet]
    related: Sequence[str]
    prefetch: Sequence[str]
    header: Callable[[], list[str]]
    widths: Sequence[int]
    row: Callable[[Any], list[Any]]

    def rows_for(self, user: User, filters: Any) -> models.QuerySet[Any]:
        rows = self.model._default_manager.restrict(user).select_related(*self.related)  # type: ignore[attr-defined]
        filterset = bound_numbers(
            self.filterset(filters or None, queryset=rows, request=SimpleNamespace(user=user))
        )
        rows = cast("models.QuerySet[Any]", filterset.qs) if filterset.is_bound else rows
        return rows.prefetch_related(*self.prefetch) if self.prefetch else rows

    def count(self, user: User, params: dict[str, Any]) -> int:
        return int(self.rows_for(user, filter_data(params.get("filters"))).count())

    def write(
        self, user: User, params: dict[str, Any], target: BinaryIO, progress: Progress | None
    ) -> int:
        filters = filter_data(params.get("filters"))
        queryset = self.rows_for(user, filters)
        rows: Iterator[list[Any]] = (
            self.row(obj)
            for obj in (queryset if self.prefetch else queryset.iterator(chunk_size=2000))
        )
        header = self.header()
        if params.get("format") == "csv":
            written = write_csv(
                target,
                header,
                rows,
                encoding=params.get("encoding") or "gb18030",
                progress=progress,
            )
        else:
            written = write_xlsx(
                target,
                [SheetSpec(title=str(self.label), header=header, rows=rows, widths=self.widths)],
                progress=progress,
            )
        record_access(
            AccessKind.EXPORT,
            actor=user,
            area_path=user.area.path if user.area is not None else "/",
            detail={
                "what": self.name,
                "rows": written,
                "filters": sorted(k for k, v in filters.items() if v and k != "page"),
            },
        )
        return written

    def filename(self, params: dict[str, Any]) -> str:
        stem = self.name.split(".", 1)[1]
        return f"{stem}-{dt.datetime.fromisoformat(params['at']):%Y%m%d-%H%M}"


SHEETS: dict[str, _Sheet] = {
    sheet.name.split(".", 1)[1]: sheet
    for sheet in (
        _Sheet(
            name="outreach.announcements",
            model=Announcement,
            label=gettext_lazy("Announcements"),
            filterset=AnnouncementFilterSet,
            related=("area",),
            prefetch=(),
            header=lambda: [
                _("Area"),
                _("Title"),
                _("Text"),
                _("Valid from"),
                _("Valid until"),
                _("Only households under quarantine"),
                _("Notice board poster"),
                _("Residents' page"),
                _("Read out on the phone"),
            ],
            widths=(14, 24, 50, 12, 12, 10, 10, 10, 10),
            row=_announcement,
        ),
        _Sheet(
            name="outreach.scripts",
            model=NotificationScript,
            label=gettext_lazy("Notification scripts"),
            filterset=NotificationScriptFilterSet,
            related=("area", "reach", "current"),
            prefetch=(),
            header=lambda: [
                _("Title"),
                _("Text"),
                _("Version"),
                _("Written by"),
                _("Used in"),
                _("Status"),
                _("Recommended"),
            ],
            widths=(24, 60, 8, 14, 14, 10, 10),
            row=_script,
        ),
        _Sheet(
            name="outreach.guidance",
            model=Guidance,
            label=gettext_lazy("Health guidance"),
            filterset=GuidanceFilterSet,
            related=("area",),
            prefetch=(),
            header=lambda: [_("Area"), _("Title"), _("Text"), _("Order"), _("Residents' page")],
            widths=(14, 24, 60, 8, 10),
            row=_guidance,
        ),
        _Sheet(
            name="outreach.rounds",
            model=BroadcastRound,
            label=gettext_lazy("Broadcast rounds"),
            filterset=BroadcastRoundFilterSet,
            related=("community", "script"),
            prefetch=("buildings", "grids"),
            header=lambda: [
                _("Community"),
                _("Time"),
                _("Broadcast script"),
                _("Staff"),
                _("Buildings"),
                _("Grids"),
                _("Note"),
            ],
            widths=(14, 16, 24, 16, 40, 20, 30),
            row=_round,
        ),
    )
}

EXPORTERS = {
    what: register(
        Exporter(
            name=sheet.name,
            model=sheet.model,
            label=sheet.label,
            count=sheet.count,
            write=sheet.write,
            filename=sheet.filename,
        )
    )
    for what, sheet in SHEETS.items()
}
