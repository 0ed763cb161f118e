from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fangkong.core.tables import Column, Table


class DailyReportTable(Table):
    columns = [
        Column("day", _("day"), link=True),
        Column("area", _("area"), "area.name"),
        Column("revision", _("revision")),
        Column("is_current", _("in force"), lambda r: _("yes") if r.is_current else _("no")),
        Column("submitted_at", _("submitted at")),
    ]


class ReportTemplateTable(Table):
    columns = [
        Column("name", _("name"), link=True),
        Column("area", _("area"), "area.name"),
        Column("level", _("filled from"), lambda r: r.get_level_display()),
        Column("is_active", _("active"), lambda r: _("yes") if r.is_active else _("no")),
        Column("created", _("uploaded at")),
    ]
