"""Health imports: cases, contacts, quarantines, reports and disinfections from .xlsx or .csv.

The file is opened and vetted by ``fangkong.core.spreadsheets`` (hostile files are refused
before a row is read), the header row is found among its first rows by the many names
registers give each column, and every row goes through the same service a page or the API
calls, with ``source="import"``. So an import is checked exactly as a page is — rights,
dates, evidence — and its status changes count towards the four-eyes rule with everything
else the importer did that day: past ten people, the rows wait for approval.

A preview runs the same code in a transaction that is rolled back: it says how many rows
would apply, wait or be rejected, and why, and writes nothing.

People are found in the importer's community by ID number (the blind index), else by
building, unit, room and name. Column names and the Chinese words read from cells are data:
they are what registers say.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from fangkong.areas.models import Area
from fangkong.core.dates import zone
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.imports.places import BuildingIndex, compact, parse_room, parse_unit
from fangkong.core.imports.rows import RowError, RowProblem
from fangkong.core.personal_data import id_number_indexes, mask_id_number
from fangkong.core.spreadsheets import SheetRow, SpreadsheetError, locate_header, open_spreadsheet
from fangkong.core.validators import TEXT_MAX_LENGTH, clean_text
from fangkong.health import services
from fangkong.health.choices import (
    ChangeReason,
    ChangeSource,
    Classification,
    ContactKind,
    Disinfectant,
    EvidenceKind,
    PlaceKind,
    QuarantineKind,
    ReportSource,
    Symptom,
    TakenTo,
)
from fangkong.health.models import Case, Disinfection, HealthReport
from fangkong.health.services.common import EvidenceFields
from fangkong.registry.models import Building, Household, Person

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from fangkong.accounts.models import User

MAX_REPORTED_ERRORS = 5000
#: The templates' example rows say this in a cell; the import skips them.
EXAMPLE_MARK = "示例（请删除此行）"


# --- Columns --------------------------------------------------------------------------------

PERSON_HEADERS: dict[str, tuple[str, ...]] = {
    "id_number": ("身份证号", "身份证号码", "证件号码", "公民身份号码", "id number"),
    "name": ("姓名", "人员姓名", "name"),
    "building": ("楼栋", "楼号", "楼栋号", "building"),
    "unit": ("单元", "单元号", "unit"),
    "room": ("房号", "房间号", "门牌号", "room"),
}
EVIDENCE_HEADERS: dict[str, tuple[str, ...]] = {
    "reason": ("原因", "变更原因", "reason"),
    "evidence_kind": ("依据类型", "证据类型", "evidence"),
    "evidence_ref": ("依据编号", "依据", "证据编号", "evidence reference"),
    "note": ("说明", "note"),
}
HEADERS: dict[str, dict[str, tuple[str, ...]]] = {
    "cases": {
        **PERSON_HEADERS,
        "classification": ("分类", "病例分类", "classification"),
        "onset_date": ("发病日期", "onset date"),
        "report_date": ("报告日期", "report date"),
        "confirmation_date": ("确诊日期", "confirmation date"),
        "isolated_on": ("隔离日期", "收治日期", "isolated on"),
        "taken_to": ("收治类型", "taken to"),
        "taken_to_name": ("收治地点", "定点医院", "hospital or site"),
        **EVIDENCE_HEADERS,
    },
    "contacts": {
        "case": ("病例编号", "case"),
        "case_id_number": ("病例身份证号", "case id number"),
        **PERSON_HEADERS,
        "kind": ("接触类型", "kind of contact"),
        "last_exposure": ("末次接触日期", "最后接触日期", "last exposure"),
        "how": ("接触方式", "接触情况", "how"),
    },
    "quarantines": {
        **PERSON_HEADERS,
        "kind": ("隔离方式", "管控方式", "kind"),
        "whole_household": ("范围", "全户", "whole household"),
        "start_date": ("开始日期", "隔离开始日期", "start"),
        "last_exposure": ("末次接触日期", "最后接触日期", "last exposure"),
        "period_days": ("隔离天数", "天数", "period"),
        "site": ("隔离点", "集中隔离点", "quarantine site"),
        **EVIDENCE_HEADERS,
    },
    "reports": {
        **PERSON_HEADERS,
        "taken_at": ("测量时间", "时间", "taken at"),
        "temperature": ("体温", "temperature"),
        "symptoms": ("症状", "symptoms"),
        "notes": ("备注", "notes"),
    },
    "disinfections": {
        "place_kind": ("地点类型", "place"),
        "building": ("楼栋", "楼号", "building"),
        "unit": ("单元", "unit"),
        "place_name": ("地点名称", "地点", "门岗", "place name"),
        "done_at": ("消杀时间", "时间", "done at"),
        "agent": ("消毒剂", "disinfectant"),
        "concentration": ("浓度", "concentration"),
        "operator": ("操作人", "消杀人员", "done by"),
        "notes": ("备注", "notes"),
    },
}
#: Columns of free text, where a line break typed in the cell is kept.
FREE_TEXT = frozenset({"note", "notes", "how"})
REQUIRED: dict[str, tuple[str, ...]] = {
    "cases": ("classification", "report_date", "reason", "evidence_ref"),
    "contacts": ("kind", "last_exposure"),
    "quarantines": ("kind", "reason", "evidence_ref"),
    "reports": ("taken_at", "temperature"),
    "disinfections": ("place_kind", "done_at", "agent", "operator"),
}
KINDS = tuple(HEADERS)

# --- Words in cells -------------------------------------------------------------------------

CLASSIFICATION_WORDS = {
    "确诊": Classification.CONFIRMED,
    "确诊病例": Classification.CONFIRMED,
    "疑似": Classification.SUSPECTED,
    "疑似病例": Classification.SUSPECTED,
    "无症状": Classification.ASYMPTOMATIC,
    "无症状感染者": Classification.ASYMPTOMATIC,
}
TAKEN_TO_WORDS = {
    "定点医院": TakenTo.HOSPITAL,
    "医院": TakenTo.HOSPITAL,
    "集中隔离点": TakenTo.SITE,
    "隔离点": TakenTo.SITE,
}
CONTACT_WORDS = {
    "同住": ContactKind.HOUSEHOLD,
    "共同居住": ContactKind.HOUSEHOLD,
    "家庭": ContactKind.HOUSEHOLD,
    "密切接触": ContactKind.CLOSE,
    "密接": ContactKind.CLOSE,
    "次密切接触": ContactKind.SECONDARY,
    "次密接": ContactKind.SECONDARY,
}
QUARANTINE_WORDS = {
    "居家隔离": QuarantineKind.HOME,
    "居家": QuarantineKind.HOME,
    "集中隔离": QuarantineKind.CENTRALISED,
    "集中": QuarantineKind.CENTRALISED,
    "健康监测": QuarantineKind.MONITORING,
    "居家健康监测": QuarantineKind.MONITORING,
}
REASON_WORDS = {
    "核酸阳性": ChangeReason.POSITIVE_TEST,
    "检测阳性": ChangeReason.POSITIVE_TEST,
    "检测阴性": ChangeReason.NEGATIVE_TESTS,
    "核酸阴性": ChangeReason.NEGATIVE_TESTS,
    "临床诊断": ChangeReason.CLINICAL_DIAGNOSIS,
    "症状": ChangeReason.SYMPTOMS,
    "有症状": ChangeReason.SYMPTOMS,
    "密切接触者": ChangeReason.CLOSE_CONTACT,
    "密接": ChangeReason.CLOSE_CONTACT,
    "同住人员": ChangeReason.HOUSEHOLD_CONTACT,
    "同住": ChangeReason.HOUSEHOLD_CONTACT,
    "中高风险地区返回": ChangeReason.RISK_AREA,
    "风险地区返回": ChangeReason.RISK_AREA,
    "排查预警": ChangeReason.SCREENING_ALERT,
    "疾控通知": ChangeReason.OFFICIAL_NOTICE,
    "正式通知": ChangeReason.OFFICIAL_NOTICE,
    "通知": ChangeReason.OFFICIAL_NOTICE,
}
EVIDENCE_WORDS = {
    "检测结果": EvidenceKind.TEST_RESULT,
    "检测报告": EvidenceKind.TEST_RESULT,
    "核酸报告": EvidenceKind.TEST_RESULT,
    "接触关联": EvidenceKind.CONTACT_LINK,
    "流调": EvidenceKind.CONTACT_LINK,
    "通知": EvidenceKind.OFFICIAL_NOTICE,
    "正式通知": EvidenceKind.OFFICIAL_NOTICE,
    "通知文号": EvidenceKind.OFFICIAL_NOTICE,
    "排查预警": EvidenceKind.SCREENING_ALERT,
    "病历": EvidenceKind.MEDICAL_RECORD,
}
SYMPTOM_WORDS = {
    "咳嗽": Symptom.COUGH,
    "乏力": Symptom.FATIGUE,
    "咽痛": Symptom.SORE_THROAT,
    "呼吸困难": Symptom.BREATH,
    "腹泻": Symptom.DIARRHOEA,
    "嗅觉味觉减退": Symptom.SMELL,
    "肌肉酸痛": Symptom.MUSCLE_PAIN,
    "头痛": Symptom.HEADACHE,
}
NO_SYMPTOMS = {"无", "没有", "none", "-"}
PLACE_WORDS = {
    "楼栋": PlaceKind.BUILDING,
    "楼": PlaceKind.BUILDING,
    "单元": PlaceKind.UNIT,
    "门岗": PlaceKind.GATE,
    "卡点": PlaceKind.GATE,
    "公共区域": PlaceKind.PUBLIC_AREA,
    "商户": PlaceKind.SHOP,
    "店铺": PlaceKind.SHOP,
}
AGENT_WORDS = {
    "含氯消毒剂": Disinfectant.CHLORINE,
    "84消毒液": Disinfectant.CHLORINE,
    "84": Disinfectant.CHLORINE,
    "消毒液": Disinfectant.CHLORINE,
    "酒精": Disinfectant.ALCOHOL,
    "75%酒精": Disinfectant.ALCOHOL,
    "二氧化氯": Disinfectant.CHLORINE_DIOXIDE,
    "过氧乙酸": Disinfectant.PERACETIC_ACID,
    "过氧化氢": Disinfectant.HYDROGEN_PEROXIDE,
    "其他": Disinfectant.OTHER,
}
WHOLE_WORDS = {"全户", "整户", "是", "yes", "true", "1"}
#: Chinese names an export writes for codes (the first word above for each code).
CLASSIFICATION_NAMES = {v: k for k, v in reversed(CLASSIFICATION_WORDS.items())}
CONTACT_NAMES = {v: k for k, v in reversed(CONTACT_WORDS.items())}
QUARANTINE_NAMES = {v: k for k, v in reversed(QUARANTINE_WORDS.items())}
PLACE_NAMES = {v: k for k, v in reversed(PLACE_WORDS.items())}
AGENT_NAMES = {v: k for k, v in reversed(AGENT_WORDS.items())}
SYMPTOM_NAMES = {v: k for k, v in SYMPTOM_WORDS.items()}


def _word(text: str, table: Mapping[str, str], codes: Iterable[str], what: str) -> str:
    """A cell's word (or the code itself) to a code, or a RowProblem naming the choices."""
    key = compact(text)
    if not key:
        return ""
    lookup = {compact(k): v for k, v in table.items()}
    lookup.update({compact(c): c for c in codes})
    if key not in lookup:
        raise RowProblem(
            "label",
            _("%(value)s is not a %(what)s we know: write one of %(choices)s.")
            % {"value": text.strip(), "what": what, "choices": "、".join(dict.fromkeys(table))},
            text.strip(),
        )
    return lookup[key]


def parse_date(text: str) -> dt.date | None:
    """2020-02-13, 2020/2/13, 2020.2.13, 2020年2月13日 (a time after it is ignored)."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return None
    match = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$", text)
    if not match:
        raise RowProblem(
            "date", _("%(value)s is not a date: write it as 2020-02-13.") % {"value": text}, text
        )
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise RowProblem(
            "date", _("%(value)s is not a real date.") % {"value": text}, text
        ) from None


def parse_datetime(text: str, community: Area) -> dt.datetime | None:
    """2020-02-13 08:30 (seconds allowed) in the community's time zone."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if not text:
        return None
    match = re.match(
        r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?[ T]+(\d{1,2})[:：时](\d{2})", text
    )
    if not match:
        raise RowProblem(
            "datetime",
            _("%(value)s is not a date and time: write it as 2020-02-13 08:30.") % {"value": text},
            text,
        )
    try:
        return dt.datetime(
            int(match[1]),
            int(match[2]),
            int(match[3]),
            int(match[4]),
            int(match[5]),
            tzinfo=zone(community.time_zone),
        )
    except ValueError:
        raise RowProblem(
            "datetime", _("%(value)s is not a real time.") % {"value": text}, text
        ) from None


def parse_symptoms(text: str) -> list[str]:
    """咳嗽、乏力 → codes; 无 (none) or an empty cell → no symptoms."""
    if compact(text) in NO_SYMPTOMS:
        return []
    parts = re.split(r"[,，、;；/|\s]+", unicodedata.normalize("NFKC", text or ""))
    return [_word(part, SYMPTOM_WORDS, Symptom.values, _("symptom")) for part in parts if part]


def parse_int(text: str) -> int | None:
    text = compact(text)
    if not text:
        return None
    if not text.isdigit():
        raise RowProblem("number", _("%(value)s is not a whole number.") % {"value": text}, text)
    return int(text)


# --- Results --------------------------------------------------------------------------------


@dataclass
class HealthImportResult:
    """What an import did (or, previewed, would do): rows applied, waiting for approval,
    created (records without a status), rejected — and why each rejected row was."""

    kind: str
    rows: int = 0
    applied: int = 0
    pending: int = 0
    created: int = 0
    rejected: int = 0
    written: bool = False
    errors: list[RowError] = field(default_factory=list)
    unknown_headers: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "applied": self.applied,
            "pending": self.pending,
            "created": self.created,
            "rejected": self.rejected,
            "written": self.written,
            "errors": [e.as_dict() for e in self.errors[:MAX_REPORTED_ERRORS]],
            "errors_omitted": max(len(self.errors) - MAX_REPORTED_ERRORS, 0),
            "unknown_headers": self.unknown_headers,
        }


class _Rollback(Exception):
    """Raised at the end of a preview to undo everything it did."""


# --- Reading and writing one kind of row ----------------------------------------------------


class _Row:
    """One sheet row with its columns by field name, and the file's names for the columns."""

    def __init__(self, sheet_row: SheetRow, index: dict[str, int], names: dict[str, str]) -> None:
        self.number = sheet_row.number
        self.values = sheet_row.values
        self.numeric = sheet_row.numeric
        self.index = index
        self.names = names

    def __getitem__(self, name: str) -> str:
        position = self.index.get(name)
        if position is None or position >= len(self.values):
            return ""
        # Every cell is text someone typed: NFC, no invisible or control characters, and a
        # page of writing at most (a note may hold line breaks, a name may not).
        try:
            return clean_text(
                self.values[position].strip(),
                multiline=name in FREE_TEXT,
                max_length=TEXT_MAX_LENGTH,
            )
        except ValidationError as exc:
            raise RowProblem("text_invalid", exc.messages[0], column=name) from None

    def is_numeric(self, name: str) -> bool:
        position = self.index.get(name)
        return position is not None and position in self.numeric


class Importer:
    """Imports rows of one kind into one community, as ``user``, one service call a row."""

    def __init__(self, kind: str, community: Area, user: User | None) -> None:
        self.kind, self.community, self.user = kind, community, user
        self.buildings = BuildingIndex(
            Building.objects.filter(community=community).order_by("pk"), community.name
        )
        self.result = HealthImportResult(kind)

    @staticmethod
    def value(row: _Row, name: str, parse: Callable[..., Any], *args: Any) -> Any:
        """``parse(row[name], *args)``; a problem it finds names the column."""
        try:
            return parse(row[name], *args)
        except RowProblem as exc:
            if not getattr(exc, "column", ""):
                exc.column = name
            raise

    # People and places

    def person(self, row: _Row) -> Person:
        people: QuerySet[Person] = Person.objects.filter(community=self.community).select_related(
            "household__building", "community"
        )
        number = row["id_number"].lstrip("'")
        if number:
            if row.is_numeric("id_number") or re.search(r"[eE]\+|\.0$", number):
                raise RowProblem(
                    "id_excel",
                    _(
                        "Excel turned this ID number into a number; "
                        "format the column as text and enter it again."
                    ),
                    mask_id_number(number),
                )
            found = people.filter(id_number_index__in=id_number_indexes(number)).first()
            if found is None:
                raise RowProblem(
                    "person_unknown",
                    _(
                        "Nobody with this ID number is registered in this community; register "
                        "them first (a contact of another community is handed over on the case's "
                        "page)."
                    ),
                    mask_id_number(number),
                    column="id_number",
                )
            return found
        household = self.household(row)
        name = row["name"]
        if not name:
            raise RowProblem(
                "person_missing",
                _("Give the ID number, or the building, room and name."),
                column="name",
            )
        found = people.filter(household=household, name=name).first()
        if found is None:
            raise RowProblem(
                "person_unknown",
                _("%(name)s is not registered in %(household)s.")
                % {"name": name, "household": household.label},
                name,
                column="name",
            )
        return found

    def building(self, row: _Row) -> Building:
        reference = row["building"]
        if not reference:
            raise RowProblem("building_missing", _("The building is missing."), column="building")
        building: Building | None = self.buildings.resolve(reference)
        if building is None:
            raise RowProblem(
                "building_unknown",
                _("%(value)s is not a building of this community.") % {"value": reference},
                reference,
                column="building",
            )
        return building

    def household(self, row: _Row) -> Household:
        building = self.building(row)
        room_unit, room = self.value(row, "room", parse_room)
        unit = self.value(row, "unit", parse_unit) or room_unit or 1
        household: Household | None = Household.objects.filter(
            building=building, unit=unit, room=room
        ).first()
        if household is None:
            raise RowProblem(
                "household_unknown",
                _("There is no room %(room)s in unit %(unit)s of %(building)s.")
                % {"room": room, "unit": unit, "building": building},
                row["room"],
                column="room",
            )
        return household

    def evidence(self, row: _Row) -> EvidenceFields:
        kind = (
            self.value(
                row,
                "evidence_kind",
                _word,
                EVIDENCE_WORDS,
                EvidenceKind.values,
                _("kind of evidence"),
            )
            or EvidenceKind.OFFICIAL_NOTICE
        )
        return {
            "reason": self.value(
                row, "reason", _word, REASON_WORDS, ChangeReason.values, _("reason")
            ),
            "evidence_kind": kind,
            "evidence_ref": row["evidence_ref"],
            "note": row["note"],
        }

    # One method per kind: parse the row and call the service.

    def import_cases(self, row: _Row) -> Any:
        return services.do_open_case(
            person=self.person(row),
            by=self.user,
            source=ChangeSource.IMPORT,
            classification=self.value(
                row,
                "classification",
                _word,
                CLASSIFICATION_WORDS,
                Classification.values,
                _("classification"),
            ),
            report_date=self.value(row, "report_date", parse_date),
            onset_date=self.value(row, "onset_date", parse_date),
            confirmation_date=self.value(row, "confirmation_date", parse_date),
            isolated_on=self.value(row, "isolated_on", parse_date),
            taken_to=self.value(row, "taken_to", _word, TAKEN_TO_WORDS, TakenTo.values, _("place")),
            taken_to_name=row["taken_to_name"],
            **self.evidence(row),
        )

    def import_contacts(self, row: _Row) -> Any:
        cases = Case.objects.filter(community=self.community).select_related("community")
        case = None
        if row["case"]:
            number = self.value(row, "case", lambda t: parse_int(t.lstrip("#")))
            case = cases.filter(pk=number).first()
        elif row["case_id_number"]:
            case = (
                cases.filter(person__id_number_index__in=id_number_indexes(row["case_id_number"]))
                .order_by("-report_date")
                .first()
            )
        if case is None:
            raise RowProblem(
                "case_unknown",
                _("Give the case's number or ID number of a case of this community."),
                column="case",
            )
        return services.do_add_contact(
            case=case,
            person=self.person(row),
            by=self.user,
            kind=self.value(
                row, "kind", _word, CONTACT_WORDS, ContactKind.values, _("kind of contact")
            ),
            last_exposure=self.value(row, "last_exposure", parse_date),
            how=row["how"],
        )

    def import_quarantines(self, row: _Row) -> Any:
        person = self.person(row)
        whole = compact(row["whole_household"]) in {compact(w) for w in WHOLE_WORDS}
        if whole and person.household_id is None:
            raise RowProblem(
                "household_missing",
                _("%(name)s has no household.") % {"name": person.name},
                column="whole_household",
            )
        return services.do_start_quarantine(
            person=None if whole else person,
            household=person.household if whole else None,
            by=self.user,
            source=ChangeSource.IMPORT,
            kind=self.value(row, "kind", _word, QUARANTINE_WORDS, QuarantineKind.values, _("kind")),
            start_date=self.value(row, "start_date", parse_date),
            last_exposure=self.value(row, "last_exposure", parse_date),
            period_days=self.value(row, "period_days", parse_int),
            site=row["site"],
            **self.evidence(row),
        )

    def import_reports(self, row: _Row) -> Any:
        symptoms = self.value(row, "symptoms", parse_symptoms)
        taken_at = self.value(row, "taken_at", parse_datetime, self.community)
        if taken_at is None:
            raise RowProblem("taken_at", _("Give the time of the measurement."), column="taken_at")
        return services.do_add_report(
            person=self.person(row),
            by=self.user,
            taken_at=taken_at,
            temperature=row["temperature"],
            symptoms=symptoms,
            notes=row["notes"],
            source=ReportSource.IMPORT,
        )

    def import_disinfections(self, row: _Row) -> Any:
        from fangkong.staff.models import Checkpoint

        kind = self.value(row, "place_kind", _word, PLACE_WORDS, PlaceKind.values, _("place"))
        building = self.building(row) if kind in (PlaceKind.BUILDING, PlaceKind.UNIT) else None
        checkpoint = None
        if kind == PlaceKind.GATE:
            checkpoint = Checkpoint.objects.filter(
                community=self.community, name=row["place_name"]
            ).first()
            if checkpoint is None:
                raise RowProblem(
                    "gate_unknown",
                    _("%(value)s is not a gate of this community.") % {"value": row["place_name"]},
                    row["place_name"],
                    column="place_name",
                )
        return services.do_record_disinfection(
            community=self.community,
            by=self.user,
            place_kind=kind,
            building=building,
            unit=self.value(row, "unit", parse_unit) if kind == PlaceKind.UNIT else None,
            checkpoint=checkpoint,
            place_name=row["place_name"],
            done_at=self.value(row, "done_at", parse_datetime, self.community),
            agent=self.value(
                row, "agent", _word, AGENT_WORDS, Disinfectant.values, _("disinfectant")
            ),
            concentration=row["concentration"],
            operator=row["operator"],
            notes=row["notes"],
        )

    # The loop

    def run(
        self, rows: Iterable[SheetRow], *, progress: Callable[[int], None] | None = None
    ) -> HealthImportResult:
        headers = HEADERS[self.kind]
        match = locate_header(iter(rows), headers)
        if match is None or any(f not in match.mapping for f in REQUIRED[self.kind]):
            have = match.mapping if match else {}
            missing = [headers[f][0] for f in REQUIRED[self.kind] if f not in have]
            raise SpreadsheetError(
                "missing_columns",
                _(
                    "The file has no column for: %(columns)s. Use the template, or name the "
                    "columns as it does."
                )
                % {"columns": "、".join(missing)},
            )
        names = {f: match.column_name(f) for f in headers}
        self.result.unknown_headers = match.unknown
        handler = getattr(self, f"import_{self.kind}")
        for sheet_row in match.rest:
            if sheet_row.is_blank() or EXAMPLE_MARK in sheet_row.values:
                continue
            self.result.rows += 1
            row = _Row(sheet_row, match.mapping, names)
            self._one(handler, row)
            if progress is not None and self.result.rows % 100 == 0:
                progress(self.result.rows)
        return self.result

    def _one(self, handler: Callable[[_Row], Any], row: _Row) -> None:
        try:
            with transaction.atomic():
                outcome = handler(row)
        except RowProblem as exc:
            column = getattr(exc, "column", "") or ""
            self._error(row, row.names.get(column, column), exc.message, exc.code, exc.value)
        except ValidationError as exc:
            for field_name, messages in getattr(exc, "message_dict", {"": exc.messages}).items():
                column = row.names.get(field_name, "") if field_name != "__all__" else ""
                for message in messages:
                    self._error(row, column, message, "invalid")
        except (Http404, PermissionDeniedError, PermissionDenied):
            self._error(row, "", _("You may not change this record."), "not_allowed")
        else:
            if isinstance(outcome, services.ChangeResult):
                if outcome.pending:
                    self.result.pending += outcome.people
                else:
                    self.result.applied += outcome.people
            else:
                self.result.created += 1

    def _error(self, row: _Row, column: str, message: str, code: str, value: str = "") -> None:
        if not self.result.errors or self.result.errors[-1].row != row.number:
            self.result.rejected += 1
        self.result.errors.append(RowError(row.number, column, message, code, value))


def check_importer(user: User | None, community: Area, kind: str) -> None:
    """Importing needs the import right for the kind's rows in the whole community."""
    from fangkong.core.querysets import covers

    model = {
        "cases": Case,
        "contacts": Case,
        "quarantines": Case,
        "reports": HealthReport,
        "disinfections": Disinfection,
    }[kind]
    if user is not None and (not covers(user, community) or not user.has_action(model, "import")):
        raise PermissionDenied


def run_import(
    file: str | Path | BinaryIO | IO[bytes],
    *,
    kind: str,
    community: Area,
    user: User | None,
    preview: bool,
    progress: Callable[[int], None] | None = None,
    on_open: Callable[[int], None] | None = None,
) -> HealthImportResult:
    """Import (or, with ``preview``, try and roll back) every row of ``file``."""
    if kind not in KINDS:
        raise ValueError(kind)
    check_importer(user, community, kind)
    with open_spreadsheet(file) as sheet:
        if on_open is not None:
            on_open(max(sheet.row_count - 1, 1))
        importer = Importer(kind, community, user)
        try:
            with transaction.atomic():
                importer.run(sheet.rows(), progress=progress)
                if preview:
                    raise _Rollback
        except _Rollback:
            pass
    importer.result.written = not preview
    return importer.result
