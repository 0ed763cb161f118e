from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fangkong.core.tables import Column, Table


class CaseTable(Table):
    columns = [
        Column("person", _("person"), "person.name", link=True),
        Column("risk_level", _("risk level")),
        Column("status", _("status")),
        Column("opened_on", _("opened on")),
        Column("counsellor", _("counsellor"), "counsellor"),
    ]
