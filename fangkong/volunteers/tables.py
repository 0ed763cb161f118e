from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.core.tables import Column, Table
from fangkong.staff.duty_hours import zone_of


def _local(value: object, community: object) -> str:
    return f"{timezone.localtime(value, zone_of(community)):%Y-%m-%d %H:%M}"  # type: ignore[arg-type]


class VolunteerTable(Table):
    columns = [
        Column("name", _("name"), lambda r: r.display_name, link=True),
        Column("groups", _("groups"), lambda r: r.group_labels()),
        Column("skills", _("skills"), lambda r: r.skill_labels()),
        Column("area", _("area served"), "area.name"),
        Column("phone", _("phone"), lambda r: r.shown_phone),
        Column("health", _("health")),
        Column("is_active", _("active"), lambda r: _("yes") if r.is_active else _("no")),
    ]


class VolunteerRequestTable(Table):
    columns = [
        Column("place", _("place"), lambda r: r.place, link=True),
        Column("start", _("start"), lambda r: _local(r.start, r.community)),
        Column("end", _("end"), lambda r: _local(r.end, r.community)),
        Column("people_needed", _("people needed")),
        Column("skills", _("skills wanted"), lambda r: r.skill_labels()),
        Column("status", _("status")),
    ]
