"""Columns of the supplies lists and their exports."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.core.tables import Column, Table


def _packs(item: Any) -> str:
    return "、".join(f"{p.get_unit_display()}={p.size}" for p in item.packs.all())


def _waited(request: Any) -> str:
    end = request.decided_at or timezone.now()
    hours = int((end - request.requested_at).total_seconds() // 3600)
    return str(_("%(d)s d %(h)s h") % {"d": hours // 24, "h": hours % 24})


class ItemTable(Table):
    columns = [
        Column("name", _("name"), link=True),
        Column("category", _("category")),
        Column("base_unit", _("base unit")),
        Column("packs", _("pack sizes"), _packs),
    ]


class DonationTable(Table):
    columns = [
        Column("donated_on", _("date"), link=True),
        Column("donor_name", _("donor")),
        Column("donor_kind", _("donor kind")),
        Column("veteran", _("veteran")),
        Column("place", _("received into"), "place.name"),
    ]


class MovementTable(Table):
    columns = [
        Column("day", _("date")),
        Column("kind", _("kind")),
        Column("item", _("item"), "item.name"),
        Column("place", _("place"), "place.name"),
        Column("quantity", _("quantity (base units)")),
        Column("reason", _("reason"), lambda m: m.reason_label()),
        Column("lot", _("lot"), "lot_id"),
        Column("signed_by", _("signed by")),
    ]


class SupplyRequestTable(Table):
    columns = [
        Column("requested_at", _("requested at"), link=True),
        Column("place", _("requested by"), "place.name"),
        Column("item", _("item"), lambda r: r.item.name if r.item_id else "—"),
        Column("quantity", _("quantity (base units)"), lambda r: r.quantity or "—"),
        Column("status", _("status")),
        Column("waited", _("waiting"), _waited),
    ]
