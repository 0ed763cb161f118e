"""Tables of the access pages and exports. Masks only; querysets must ``select_related`` what
the accessors follow."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from fangkong.access.models import GateEvent
from fangkong.core.tables import Column, Table


def _local(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _room(row: object) -> str:
    household = getattr(row, "household", None)
    return household.label if household is not None else ""


class PassTable(Table):
    columns = [
        Column("serial", capfirst(_("serial number")), link=True),
        Column("household", capfirst(_("household")), accessor=_room),
        Column("status", capfirst(_("status"))),
        Column("out_since", capfirst(_("out since")), accessor=lambda p: _local(p.out_since)),
    ]


def _serial(event: GateEvent) -> str:
    return event.pass_obj.serial if event.pass_obj is not None else "—"


class GateEventTable(Table):
    columns = [
        Column("time", capfirst(_("time")), accessor=lambda e: _local(e.time), link=True),
        Column("checkpoint", capfirst(_("checkpoint")), accessor="checkpoint.name"),
        Column("direction", capfirst(_("direction"))),
        Column("pass", capfirst(_("pass")), accessor=_serial),
        Column("household", capfirst(_("household")), accessor=_room),
        Column("decision", capfirst(_("decision"))),
        Column("reason_code", capfirst(_("reason"))),
        Column("temperature", capfirst(_("temperature"))),
        Column("flag", capfirst(_("for review"))),
    ]


class VisitorTable(Table):
    columns = [
        Column("name", capfirst(_("name")), link=True),
        Column("phone_mask", capfirst(_("phone"))),
        Column("household", capfirst(_("household visited")), accessor=_room),
        Column("purpose", capfirst(_("purpose"))),
        Column("time_in", capfirst(_("time in")), accessor=lambda v: _local(v.time_in)),
        Column("time_out", capfirst(_("time out")), accessor=lambda v: _local(v.time_out)),
        Column("status", capfirst(_("status"))),
    ]


class ExemptionTable(Table):
    columns = [
        Column("household", capfirst(_("household")), accessor=_room),
        Column("kind", capfirst(_("kind"))),
        Column("document", capfirst(_("document"))),
        Column("starts_on", capfirst(_("from"))),
        Column("ends_on", capfirst(_("until"))),
        Column("revoked_at", capfirst(_("revoked")), accessor=lambda e: _local(e.revoked_at)),
    ]
