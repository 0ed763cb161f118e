"""Columns of the outreach lists."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.core.tables import Column, Table


class AnnouncementTable(Table):
    columns = [
        Column("title", _("title"), link=True),
        Column("area", _("area"), "area.name"),
        Column("valid_from", _("valid from")),
        Column("valid_until", _("valid until")),
    ]


class BroadcastScriptTable(Table):
    columns = [
        Column("title", _("title"), link=True),
        Column("audio_status", _("audio")),
        Column("is_active", _("in use"), lambda r: _("yes") if r.is_active else _("no")),
    ]


class BroadcastRoundTable(Table):
    columns = [
        Column("at", _("time"), lambda r: timezone.localtime(r.at).strftime("%Y-%m-%d %H:%M")),
        Column("script", _("broadcast script"), "script.title", link=True),
        Column("staff", _("staff")),
    ]


class NotificationScriptTable(Table):
    columns = [
        Column("title", _("title"), link=True),
        Column("area", _("written by"), "area.name"),
        Column("status", _("status")),
        Column("current", _("version"), "current.number"),
    ]


class GuidanceTable(Table):
    columns = [
        Column("title", _("title"), link=True),
        Column("area", _("area"), "area.name"),
        Column("position", _("order")),
    ]
