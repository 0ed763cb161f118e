"""Health spreadsheets going out: cases, contacts, quarantines, reports and disinfections,
and the blank templates of the import.

Headers and words are Chinese whatever the page's language — the names the import reads, so
an export can be edited and imported back. Exports are masked: ID numbers as masks, ages
instead of birth dates, no phone. Every cell a spreadsheet would run as a formula is
neutralised (``core.spreadsheets``). Every download is an access event whose detail says
what and how many rows, never a value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, BinaryIO

from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy

from fangkong.core.audit import record_access
from fangkong.core.choices import AccessKind
from fangkong.core.exports import Exporter, filter_data, register
from fangkong.core.spreadsheets import Progress, SheetSpec, write_csv, write_xlsx
from fangkong.health.choices import Outcome, TakenTo
from fangkong.health.filtersets import (
    CaseFilterSet,
    ContactFilterSet,
    DisinfectionFilterSet,
    QuarantineFilterSet,
    ReportFilterSet,
)
from fangkong.health.imports import (
    AGENT_NAMES,
    CLASSIFICATION_NAMES,
    CONTACT_NAMES,
    EXAMPLE_MARK,
    HEADERS,
    PLACE_NAMES,
    QUARANTINE_NAMES,
    SYMPTOM_NAMES,
)
from fangkong.health.models import Case, Contact, Disinfection, HealthReport, Quarantine
from fangkong.registry.models import Person

if TYPE_CHECKING:
    from fangkong.accounts.models import User

FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}
CHUNK = 2000
AGE, CASE, OUTCOME, ENDED, FEVER = "年龄", "病例编号", "转归", "结束日期", "发热"
OUTCOME_NAMES = {Outcome.IN_HOSPITAL: "在院", Outcome.RECOVERED: "治愈", Outcome.DIED: "死亡"}
TAKEN_TO_NAMES = {TakenTo.HOSPITAL: "定点医院", TakenTo.SITE: "集中隔离点"}
SHEETS = {
    "cases": "病例",
    "contacts": "密切接触者",
    "quarantines": "隔离",
    "reports": "健康打卡",
    "disinfections": "消杀记录",
}
MODELS = {
    "cases": Case,
    "contacts": Contact,
    "quarantines": Quarantine,
    "reports": HealthReport,
    "disinfections": Disinfection,
}


def _h(kind: str, name: str) -> str:
    return HEADERS[kind][name][0]


def _person_cells(person: Person) -> list[Any]:
    household = person.household
    return [
        person.id_number_mask,
        person.name,
        person.age if person.age is not None else "",
        (household.building.name or household.building.number) if household else "",
        household.unit if household else "",
        household.room if household else "",
    ]


def _person_header(kind: str) -> list[str]:
    return [
        _h(kind, "id_number"),
        _h(kind, "name"),
        AGE,
        _h(kind, "building"),
        _h(kind, "unit"),
        _h(kind, "room"),
    ]


def _date(value: Any) -> str:
    return value.isoformat() if value else ""


def _time(value: Any) -> str:
    return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""


PERSON_RELATED = ("person__household__building",)


def _cases(qs: QuerySet[Any]) -> tuple[list[str], Iterator[list[Any]]]:
    k = "cases"
    header = [
        CASE,
        *_person_header(k),
        _h(k, "classification"),
        _h(k, "onset_date"),
        _h(k, "report_date"),
        _h(k, "confirmation_date"),
        _h(k, "isolated_on"),
        _h(k, "taken_to"),
        _h(k, "taken_to_name"),
        OUTCOME,
    ]
    rows = (
        [
            c.pk,
            *_person_cells(c.person),
            CLASSIFICATION_NAMES.get(c.classification, "排除"),
            _date(c.onset_date),
            _date(c.report_date),
            _date(c.confirmation_date),
            _date(c.isolated_on),
            TAKEN_TO_NAMES.get(c.taken_to, ""),
            c.taken_to_name,
            OUTCOME_NAMES.get(c.outcome, ""),
        ]
        for c in qs.select_related(*PERSON_RELATED)
        .order_by("report_date", "pk")
        .iterator(chunk_size=CHUNK)
    )
    return header, rows


def _contact_cells(contact: Contact) -> list[Any]:
    """A handed-over contact as this community typed them: the mask of the ID number given
    and the name; no age or place (the other community's record is not this export's)."""
    if contact.is_handed_over:
        return [contact.handover_id_mask, contact.handover_name, "", "", "", ""]
    return _person_cells(contact.own_person())


def _contacts(qs: QuerySet[Any]) -> tuple[list[str], Iterator[list[Any]]]:
    k = "contacts"
    header = [
        _h(k, "case"),
        *_person_header(k),
        _h(k, "kind"),
        _h(k, "last_exposure"),
        _h(k, "how"),
        "转交社区",
    ]
    rows = (
        [
            c.case_id,
            *_contact_cells(c),
            CONTACT_NAMES.get(c.kind, ""),
            _date(c.last_exposure),
            c.how,
            c.handed_over_to.name if c.handed_over_to else "",
        ]
        for c in qs.select_related(*PERSON_RELATED, "handed_over_to")
        .order_by("case", "pk")
        .iterator(chunk_size=CHUNK)
    )
    return header, rows


def _quarantines(qs: QuerySet[Any]) -> tuple[list[str], Iterator[list[Any]]]:
    k = "quarantines"
    header = [
        *_person_header(k),
        _h(k, "kind"),
        _h(k, "whole_household"),
        _h(k, "start_date"),
        _h(k, "last_exposure"),
        _h(k, "period_days"),
        "计划结束日期",
        ENDED,
        _h(k, "site"),
    ]
    rows = (
        [
            *_person_cells(q.person),
            QUARANTINE_NAMES.get(q.kind, ""),
            "全户" if q.whole_household else "个人",
            _date(q.start_date),
            _date(q.last_exposure),
            q.period_days,
            _date(q.planned_end),
            _date(q.ended_on),
            q.site,
        ]
        for q in qs.select_related(*PERSON_RELATED)
        .order_by("start_date", "pk")
        .iterator(chunk_size=CHUNK)
    )
    return header, rows


def _reports(qs: QuerySet[Any]) -> tuple[list[str], Iterator[list[Any]]]:
    k = "reports"
    header = [
        *_person_header(k),
        _h(k, "taken_at"),
        _h(k, "temperature"),
        FEVER,
        _h(k, "symptoms"),
        _h(k, "notes"),
    ]
    rows = (
        [
            *_person_cells(r.person),
            _time(r.taken_at),
            str(r.temperature),
            "是" if r.is_fever else "",
            "、".join(SYMPTOM_NAMES.get(s, s) for s in r.symptom_list),
            r.notes,
        ]
        for r in qs.select_related(*PERSON_RELATED)
        .order_by("taken_at", "pk")
        .iterator(chunk_size=CHUNK)
    )
    return header, rows


def _disinfections(qs: QuerySet[Any]) -> tuple[list[str], Iterator[list[Any]]]:
    k = "disinfections"
    header = [
        _h(k, "place_kind"),
        _h(k, "building"),
        _h(k, "unit"),
        _h(k, "place_name"),
        _h(k, "done_at"),
        _h(k, "agent"),
        _h(k, "concentration"),
        _h(k, "operator"),
        _h(k, "notes"),
    ]
    rows = (
        [
            PLACE_NAMES.get(d.place_kind, ""),
            (d.building.name or d.building.number) if d.building else "",
            d.unit or "",
            d.checkpoint.name if d.checkpoint else d.place_name,
            _time(d.done_at),
            AGENT_NAMES.get(d.agent, ""),
            d.concentration,
            d.operator,
            d.notes,
        ]
        for d in qs.select_related("building", "checkpoint")
        .order_by("done_at", "pk")
        .iterator(chunk_size=CHUNK)
    )
    return header, rows


WRITERS: dict[str, Callable[[QuerySet[Any]], tuple[list[str], Iterator[list[Any]]]]] = {
    "cases": _cases,
    "contacts": _contacts,
    "quarantines": _quarantines,
    "reports": _reports,
    "disinfections": _disinfections,
}


def export(
    kind: str,
    queryset: QuerySet[Any],
    fmt: str,
    target: BinaryIO,
    *,
    user: User,
    area_path: str,
    filters: Mapping[str, Any] | None = None,
    encoding: str = "gb18030",
    progress: Progress | None = None,
) -> int:
    """Write ``queryset`` (already restricted and filtered) of ``kind``; returns the rows."""
    if kind not in WRITERS or fmt not in FORMATS:
        raise ValueError(kind)
    header, rows = WRITERS[kind](queryset)
    if fmt == "csv":
        written = write_csv(target, header, rows, encoding=encoding, progress=progress)
    else:
        written = write_xlsx(target, [SheetSpec(SHEETS[kind], header, rows)], progress=progress)
    record_access(
        AccessKind.EXPORT,
        actor=user,
        area_path=area_path,
        detail={
            "model": MODELS[kind]._meta.label_lower,
            "rows": written,
            "format": fmt,
            "encoding": encoding if fmt == "csv" else "",
            "masked": True,
            "filters": {
                k: str(v)[:50]
                for k, v in (filters or {}).items()
                if v not in ("", None) and k not in ("csrfmiddlewaretoken", "format", "page")
            },
        },
    )
    return written


#: An example row of each import template, obviously invented (the import skips it).
EXAMPLES = {
    "cases": {
        "name": EXAMPLE_MARK,
        "classification": "确诊",
        "report_date": "2020-02-13",
        "reason": "核酸阳性",
        "evidence_kind": "检测报告",
        "evidence_ref": "报告编号",
    },
    "contacts": {
        "case": "1",
        "name": EXAMPLE_MARK,
        "kind": "同住",
        "last_exposure": "2020-02-12",
        "how": "共同居住",
    },
    "quarantines": {
        "name": EXAMPLE_MARK,
        "kind": "居家隔离",
        "whole_household": "全户",
        "start_date": "2020-02-13",
        "last_exposure": "2020-02-12",
        "reason": "同住人员",
        "evidence_kind": "接触关联",
        "evidence_ref": "病例1",
    },
    "reports": {
        "name": EXAMPLE_MARK,
        "taken_at": "2020-02-13 08:00",
        "temperature": "36.5",
        "symptoms": "无",
    },
    "disinfections": {
        "place_kind": "楼栋",
        "building": "1号楼",
        "done_at": "2020-02-13 09:00",
        "agent": "含氯消毒剂",
        "concentration": "500 mg/L",
        "operator": EXAMPLE_MARK,
    },
}


def write_template(kind: str, target: BinaryIO, *, user: User, area_path: str) -> None:
    """The blank import sheet of ``kind``: every column's main name and an example row."""
    fields = list(HEADERS[kind])
    header = [HEADERS[kind][f][0] for f in fields]
    example = [EXAMPLES[kind].get(f, "") for f in fields]
    write_xlsx(
        target,
        [
            SheetSpec(
                SHEETS[kind],
                header,
                [example],
                text_columns=tuple(
                    i for i, f in enumerate(fields) if f in ("id_number", "case_id_number")
                ),
            )
        ],
    )
    record_access(
        AccessKind.EXPORT,
        actor=user,
        area_path=area_path,
        detail={
            "model": MODELS[kind]._meta.label_lower,
            "what": "import_template",
            "rows": 0,
            "format": "xlsx",
        },
    )


# --- Exports as jobs (core.exports) ---------------------------------------------------------

FILTERSETS = {
    "cases": CaseFilterSet,
    "contacts": ContactFilterSet,
    "quarantines": QuarantineFilterSet,
    "reports": ReportFilterSet,
    "disinfections": DisinfectionFilterSet,
}
LABELS = {
    "cases": gettext_lazy("Cases"),
    "contacts": gettext_lazy("Close contacts"),
    "quarantines": gettext_lazy("Quarantines"),
    "reports": gettext_lazy("Health reports"),
    "disinfections": gettext_lazy("Disinfections"),
}


def rows_for_export(kind: str, user: User, filters: QueryDict) -> QuerySet[Any]:
    """The rows of ``kind`` the list shows ``user`` with ``filters``, through ``restrict()``."""
    rows = MODELS[kind].objects.restrict(user)
    filterset = FILTERSETS[kind](filters or None, queryset=rows, request=SimpleNamespace(user=user))
    return filterset.qs if filterset.is_bound else rows


def _exporter(kind: str) -> Exporter:
    def count(user: User, params: dict[str, Any]) -> int:
        return rows_for_export(kind, user, filter_data(params.get("filters"))).count()

    def write(
        user: User, params: dict[str, Any], target: BinaryIO, progress: Progress | None
    ) -> int:
        filters = filter_data(params.get("filters"))
        return export(
            kind,
            rows_for_export(kind, user, filters),
            params["format"],
            target,
            user=user,
            area_path=user.area.path if user.area is not None else "/",
            filters=filters,
            encoding=params.get("encoding", "gb18030"),
            progress=progress,
        )

    return register(
        Exporter(
            name=f"health.{kind}",
            model=MODELS[kind],
            label=LABELS[kind],
            count=count,
            write=write,
            filename=lambda p: SHEETS[kind],
        )
    )


EXPORTERS = {kind: _exporter(kind) for kind in SHEETS}
