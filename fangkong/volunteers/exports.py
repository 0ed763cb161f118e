"""A community's volunteers as .xlsx (``core.exports``): phones masked, an access event."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, BinaryIO

from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.core.audit import record_access
from fangkong.core.choices import AccessKind
from fangkong.core.exports import Exporter, filter_data, register
from fangkong.core.filtersets import bound_numbers
from fangkong.core.spreadsheets import Progress, SheetSpec, write_xlsx
from fangkong.volunteers.filtersets import VolunteerFilterSet
from fangkong.volunteers.models import Volunteer

if TYPE_CHECKING:
    from fangkong.accounts.models import User

CHUNK = 2000


def volunteers_for_export(user: User, params: dict[str, Any]) -> QuerySet[Volunteer]:
    volunteers = (
        Volunteer.objects.restrict(user)
        .filter(community_id=params.get("community"))
        .select_related("person", "area")
    )
    filterset = bound_numbers(
        VolunteerFilterSet(
            filter_data(params.get("filters")) or None,
            queryset=volunteers,
            request=SimpleNamespace(user=user),
        )
    )
    return filterset.qs if filterset.is_bound else volunteers


def count(user: User, params: dict[str, Any]) -> int:
    return volunteers_for_export(user, params).count()


def write(user: User, params: dict[str, Any], target: BinaryIO, progress: Progress | None) -> int:
    rows = (
        [
            v.pk,
            v.display_name,
            v.shown_phone,
            v.group_labels(),
            v.skill_labels(),
            v.weekday_labels(),
            f"{v.available_from:%H:%M}–{v.available_until:%H:%M}",
            v.area.name,
            v.get_health_display(),
            v.health_checked_on.isoformat() if v.health_checked_on else "",
            _("yes") if v.is_active else _("no"),
        ]
        for v in volunteers_for_export(user, params).iterator(chunk_size=CHUNK)
    )
    header = [
        _("No."),
        _("Name"),
        _("Phone"),
        _("Groups"),
        _("Skills"),
        _("Weekdays"),
        _("Hours of the day"),
        _("Area served"),
        _("Health"),
        _("Health checked on"),
        _("Active"),
    ]
    written = write_xlsx(
        target,
        [
            SheetSpec(
                title=str(_("Volunteers")),
                header=header,
                rows=rows,
                widths=[8, 14, 16, 20, 24, 24, 14, 14, 12, 14, 8],
            )
        ],
        progress=progress,
    )
    record_access(
        AccessKind.EXPORT,
        actor=user,
        area_path=user.area.path if user.area is not None else "/",
        detail={"what": "volunteers.volunteers", "rows": written, "masked": True},
    )
    return written


def _filename(params: dict[str, Any]) -> str:
    return f"volunteers-{dt.datetime.fromisoformat(params['at']):%Y%m%d-%H%M}"


VOLUNTEERS = register(
    Exporter(
        name="volunteers.volunteers",
        model=Volunteer,
        label=gettext_lazy("Volunteers"),
        count=count,
        write=write,
        filename=_filename,
    )
)
