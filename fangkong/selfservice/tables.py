from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from fangkong.core.tables import Column, Table


class CorrectionTable(Table):
    columns = [
        Column("kind", _("change"), link=True),
        Column("household", _("household"), "household.label"),
        Column("status", _("status")),
        Column("created", _("proposed")),
    ]


class ActivityTable(Table):
    columns = [
        Column("time", _("time")),
        Column("household", _("household"), "household.label", link=True),
        Column("kind", _("what")),
    ]
