from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.core.tables import Column, Table


class MerchantTable(Table):
    columns = [
        Column("name", _("name"), link=True),
        Column("kind", _("kind")),
        Column("address", _("address")),
        Column("status", _("status")),
        Column("status_since", _("status since")),
    ]


class InspectionTable(Table):
    columns = [
        Column("visited_on", _("visited on"), link=True),
        Column("merchant", _("shop"), "merchant.name"),
        Column("inspectors", _("inspectors")),
        Column("failed_count", _("failed items")),
        Column(
            "notice_delivered",
            _("notice"),
            lambda r: _("delivered") if r.notice_delivered else "—",
        ),
    ]


class ComplaintTable(Table):
    columns = [
        Column("received_on", _("received on"), link=True),
        Column("merchant", _("shop"), "merchant.name"),
        Column("kind", _("kind")),
        Column(
            "closed_at", _("closed at"), lambda r: r.closed_at or pgettext_lazy("complaint", "open")
        ),
    ]
