"""Tables of the staff pages. Querysets fed to them must ``select_related`` what the
accessors follow. Phones appear as masks only."""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from fangkong.core.tables import Column, Table


class OrganisationTable(Table):
    columns = [
        Column("name", capfirst(_("name")), link=True),
        Column("kind", capfirst(_("kind"))),
        Column("member_count", capfirst(_("staff members"))),
    ]


class StaffMemberTable(Table):
    """Staff of a community: who, from where, doing what, how to reach them (masked)."""

    columns = [
        Column("name", capfirst(_("name")), link=True),
        Column("organisation", capfirst(_("organisation")), accessor=lambda m: m.organisation.name),
        Column("position", capfirst(_("position"))),
        Column("area", capfirst(_("area served")), accessor=lambda m: m.area.name),
        Column("phone_mask", capfirst(_("phone"))),
        Column(
            "user", capfirst(_("login")), accessor=lambda m: m.user.username if m.user_id else "—"
        ),
    ]


class CheckpointTable(Table):
    columns = [
        Column("name", capfirst(_("name")), link=True),
        Column("location", capfirst(_("location"))),
        Column(
            "hours",
            capfirst(_("hours")),
            accessor=lambda c: (
                f"{c.opens:%H:%M}–{c.closes:%H:%M}" if c.opens is not None else _("24 hours")
            ),
        ),
        Column(
            "is_open",
            capfirst(_("open")),
            accessor=lambda c: _("Open") if c.is_open else _("Closed"),
        ),
    ]
