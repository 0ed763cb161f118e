from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fangkong.core.tables import Column, Table


class InquiryTable(Table):
    columns = [
        Column("question", _("question"), lambda r: r.question[:40], link=True),
        Column("category", _("category")),
        Column("status", _("status")),
        Column("received_at", _("received at")),
        Column("handler", _("handler"), "handler"),
    ]


class FaqTable(Table):
    columns = [
        Column("question", _("question"), lambda r: r.question[:60], link=True),
        Column("category", _("category")),
        Column("area", _("area"), "area.name"),
        Column("published", _("published"), lambda r: _("yes") if r.published else _("no")),
    ]
