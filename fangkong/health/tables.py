"""Tables of the health lists (and their exports' columns). Names of people appear in full
to the health staff who work with them; ID numbers and phones never appear. Querysets fed to
them must ``select_related`` what the accessors follow."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from fangkong.core.tables import Column, Table
from fangkong.health.models import (
    Case,
    Quarantine,
)


def _place(row: Case | Quarantine) -> str:
    household = row.household
    if household is not None:
        return household.label
    building = getattr(row, "building", None)
    return str(building) if building is not None else ""


def _when(value: dt.datetime | None) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


class CaseTable(Table):
    columns = [
        Column("number", capfirst(_("case")), accessor=lambda c: str(c), link=True),
        Column("person", capfirst(_("person")), accessor="person.name"),
        Column("classification", capfirst(_("classification"))),
        Column("onset_date", capfirst(_("onset date"))),
        Column("report_date", capfirst(_("report date"))),
        Column("place", capfirst(_("place")), accessor=_place),
        Column("taken_to_name", capfirst(_("hospital or site"))),
        Column("outcome", capfirst(pgettext_lazy("case", "outcome"))),
    ]


class ContactTable(Table):
    columns = [
        Column("number", capfirst(_("close contact")), accessor=lambda c: str(c), link=True),
        # A handed-over contact by the name typed here, never the other community's record.
        Column("person", capfirst(_("person")), accessor=lambda c: c.shown_name),
        Column("kind", capfirst(_("kind of contact"))),
        Column("last_exposure", capfirst(_("last exposure"))),
        Column("case", capfirst(_("case")), accessor=lambda c: str(c.case)),
        Column(
            "handed_over_to",
            capfirst(_("handed over to")),
            accessor=lambda c: c.handed_over_to.name if c.handed_over_to_id else "",
        ),
    ]


class QuarantineTable(Table):
    columns = [
        Column("number", capfirst(_("quarantine")), accessor=lambda q: str(q), link=True),
        Column("person", capfirst(_("person")), accessor="person.name"),
        Column("place", capfirst(_("household")), accessor=_place),
        Column("start_date", capfirst(_("start"))),
        Column("planned_end", capfirst(_("planned end"))),
        Column("ended_on", capfirst(_("ended on"))),
        Column(
            "grid_worker",
            capfirst(_("grid worker to call")),
            accessor=lambda q: str(q.grid_worker) if q.grid_worker_id else "",
        ),
    ]


class ReportTable(Table):
    columns = [
        Column("person", capfirst(_("person")), accessor="person.name", link=True),
        Column("taken_at", capfirst(_("taken at")), accessor=lambda r: _when(r.taken_at)),
        Column("temperature", capfirst(_("temperature (°C)"))),
        Column(
            "is_fever", capfirst(_("fever")), accessor=lambda r: _("Fever") if r.is_fever else ""
        ),
        Column(
            "symptoms", capfirst(_("symptoms")), accessor=lambda r: "、".join(r.symptom_labels())
        ),
        Column("source", capfirst(_("entered by"))),
    ]


class DisinfectionTable(Table):
    columns = [
        Column("place", capfirst(_("place")), accessor=lambda d: d.place_label),
        Column("place_kind", capfirst(_("kind"))),
        Column("done_at", capfirst(_("done at")), accessor=lambda d: _when(d.done_at)),
        Column("agent", capfirst(_("disinfectant"))),
        Column("concentration", capfirst(_("concentration"))),
        Column("operator", capfirst(_("done by"))),
    ]


class ChangeTable(Table):
    columns = [
        Column("action", capfirst(_("change")), link=True),
        Column("person", capfirst(_("person")), accessor="person.name"),
        Column(
            "values",
            capfirst(_("to")),
            accessor=lambda c: (
                f"{c.from_display} → {c.to_display}" if c.from_value else c.to_display
            ),
        ),
        Column("reason", capfirst(_("reason"))),
        Column("evidence_ref", capfirst(_("evidence reference"))),
        Column("status", capfirst(_("status"))),
        Column("made_by", capfirst(_("made by")), accessor=lambda c: c.made_by),
        Column("created", capfirst(_("time")), accessor=lambda c: _when(c.created)),
    ]
