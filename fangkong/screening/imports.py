"""Answers collected on paper or in an old Excel register, imported into a campaign.

Built on core's import parts: the file is read by ``core.spreadsheets`` (hostile-file
guards, encodings, the header found under a title row, header variants); buildings are
resolved by ``core.imports.places.BuildingIndex`` (``1``, ``01``, ``1号楼``, ``东园1号楼``),
units and rooms by its ``parse_unit``/``parse_room`` (``502室``, ``1-502``, ``1单元502``),
rejected rows are ``core.imports.rows.RowError``, and the check and the import are the
steps of ``core.imports.flow`` (jobs of kind ``screening.import``, run within the request).
Each row names a household by building, unit and room (and, in a per-person campaign, the
person by name) and carries one column per question, headed by the question's text or
code; answers may be written as people write them (是/否, 有/无, choice labels, 37.5℃,
2020年2月13日).

A check lists every rejected row with its row number as Excel shows it, the column, and the
reason; the import then takes the valid rows, or none. It is atomic and audited, and
importing the same file again creates nothing: a household (or person) that already has a
record in the campaign is left as it is — a call's answers are never overwritten by paper.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, BinaryIO

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core.audit import record_access, record_change
from fangkong.core.choices import AccessKind, ChangeAction
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.imports.places import BuildingIndex, compact, parse_room, parse_unit
from fangkong.core.imports.rows import RowError, RowProblem
from fangkong.core.input_bounds import nfc
from fangkong.core.querysets import covers
from fangkong.core.spreadsheets import (
    Progress,
    SheetSpec,
    SpreadsheetError,
    locate_header,
    open_spreadsheet,
    write_xlsx,
)
from fangkong.core.validators import DATE_MIN, TEXT_MAX_LENGTH, clean_text
from fangkong.registry.choices import PersonStatus
from fangkong.registry.models import Building, Person
from fangkong.screening.choices import AssignmentStatus, CampaignUnit, RecordSource
from fangkong.screening.models import (
    CallAssignment,
    Campaign,
    QuestionnaireVersion,
    ScreeningRecord,
)
from fangkong.screening.questionnaires import (
    QuestionSpec,
    clean_answers,
    highest_level,
    parse_date,
)
from fangkong.screening.services import (
    check_open,
    version_specs,
    write_records,
)
from fangkong.screening.stats import HOUSEHOLD_ORDER

if TYPE_CHECKING:
    from fangkong.accounts.models import User

#: The columns that say which household (and person) a row is about, with their variants.
PLACE_ALIASES: dict[str, tuple[str, ...]] = {
    "社区": ("社区名称", "所属社区", "community"),
    "楼栋": ("楼号", "楼栋号", "楼", "栋", "楼宇", "building"),
    "单元": ("单元号", "unit"),
    "房号": ("房间号", "门牌号", "室", "房间", "户号", "room"),
    "姓名": ("名字", "居民姓名", "被排查人", "name"),
    "排查日期": ("日期", "登记日期", "排查时间", "date"),
    "排查方式": ("方式", "结果", "排查结果", "method"),
}
VISIT_WORDS = frozenset({"上门", "入户", "走访", "visit", "visited"})


@dataclass
class ImportReport:
    """What a check (or an import) found: counts of rows and the rejected ones."""

    rows: int = 0
    created: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    alerts: int = 0

    @property
    def acceptable(self) -> int:
        """Rows that passed the check (created or left unchanged when imported)."""
        return self.rows - self.rejected

    def as_dict(self) -> dict[str, Any]:
        """The report as a job keeps it (``Job.result``)."""
        return {
            "rows": self.rows,
            "created": self.created,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "errors": [e.as_dict() for e in self.errors],
            "unknown_columns": self.unknown_columns,
            "alerts": self.alerts,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ImportReport:
        return cls(
            rows=data["rows"],
            created=data["created"],
            unchanged=data["unchanged"],
            rejected=data["rejected"],
            errors=[RowError(**e) for e in data["errors"]],
            unknown_columns=data["unknown_columns"],
            alerts=data["alerts"],
        )


def require_import(user: User | None, campaign: Campaign) -> None:
    if user is None:
        return
    if not covers(user, campaign.area) or not user.has_action(Campaign, "import"):
        raise PermissionDeniedError("import")


def _norm(text: Any) -> str:
    return compact(str(text or ""))


def _aliases(specs: list[QuestionSpec]) -> dict[str, tuple[str, ...]]:
    aliases = dict(PLACE_ALIASES)
    for spec in specs:
        aliases[f"q:{spec.code}"] = (spec.text, spec.code)
    return aliases


@dataclass
class _Plan:
    """One valid row, ready to write."""

    assignment: CallAssignment
    person: Person | None
    answers: dict[str, Any]
    visited: bool
    row: int


@dataclass
class _Index:
    """The campaign's households by (building, unit, room), its buildings by community, and
    (per-person campaigns) the active members of each household."""

    places: dict[tuple[int, int, str], CallAssignment]
    # By the community's name, folded. Of Any, not Building: mypy checks the argument against
    # BuildingLike before the Django plugin has typed the model's fields, and refuses it.
    buildings: dict[str, BuildingIndex[Any]]
    members: dict[int, list[Person]]


def _index(campaign: Campaign) -> _Index:
    places: dict[tuple[int, int, str], CallAssignment] = {}
    assignments = (
        CallAssignment.objects.filter(campaign=campaign)
        .select_related("household__building", "community", "grid", "campaign")
        .order_by(*HOUSEHOLD_ORDER)
    )
    buildings: dict[int, dict[int, Building]] = {}
    names: dict[int, str] = {}
    for assignment in assignments:
        household = assignment.household
        places.setdefault(
            (household.building_id, household.unit, _norm(household.room)), assignment
        )
        buildings.setdefault(assignment.community_id, {})[household.building_id] = (
            household.building
        )
        names[assignment.community_id] = assignment.community.name
    members: dict[int, list[Person]] = {}
    if campaign.unit == CampaignUnit.PERSON:
        for person in Person.objects.filter(
            household_id__in={a.household_id for a in places.values()},
            status=PersonStatus.ACTIVE,
        ).order_by("pk"):
            members.setdefault(person.household_id, []).append(person)
    return _Index(
        places=places,
        buildings={
            _norm(names[c]): BuildingIndex(rows.values(), names[c]) for c, rows in buildings.items()
        },
        members=members,
    )


def check_file(
    campaign: Campaign, file: str | Path | IO[bytes], *, by: User | None
) -> tuple[ImportReport, list[_Plan]]:
    """Read and check every row; nothing is written."""
    require_import(by, campaign)
    specs = version_specs(campaign.questionnaire.current_version)
    report = ImportReport()
    plans: list[_Plan] = []
    today = campaign.area.local_today()
    with open_spreadsheet(file) as sheet:
        header = locate_header(sheet.rows(), _aliases(specs))
        if header is None or not {"楼栋", "房号"} <= set(header.mapping):
            raise SpreadsheetError(
                "no_header",
                _(
                    "No header row with the columns 楼栋 and 房号 (building and room) was found "
                    "in the first rows; download the template to see the expected columns."
                ),
            )
        per_person = campaign.unit == CampaignUnit.PERSON
        if per_person and "姓名" not in header.mapping:
            raise SpreadsheetError(
                "no_name",
                _("This campaign records each person: the file needs a 姓名 (name) column."),
            )
        index = _index(campaign)
        if len(index.buildings) > 1 and "社区" not in header.mapping:
            raise SpreadsheetError(
                "no_community",
                _(
                    "This campaign covers several communities: the file needs a 社区 (community) "
                    "column."
                ),
            )
        report.unknown_columns = header.unknown
        seen: dict[tuple[int, int | None], int] = {}
        for sheet_row in header.rest:
            if sheet_row.is_blank():
                continue
            report.rows += 1
            errors = _check_row(campaign, sheet_row, header, specs, index, seen, today, plans)
            if errors:
                report.rejected += 1
                report.errors.extend(errors)
    return report, plans


def _cell(values: list[str], index: int | None) -> str:
    return nfc(values[index].strip()) if index is not None and index < len(values) else ""


def _text_problem(values: list[str], mapping: dict[str, int]) -> tuple[str, str] | None:
    """The first cell that is not text someone typed: (its column, why). No invisible or
    control characters (a line break is kept in an answer), a page of writing at most."""
    for column, position in mapping.items():
        try:
            clean_text(
                _cell(values, position),
                multiline=column.startswith("q:"),
                max_length=TEXT_MAX_LENGTH,
            )
        except ValidationError as exc:
            return column, exc.messages[0]
    return None


def _date_problem(date_text: str, today: dt.date) -> tuple[str, str] | None:
    """(code, message) when the screening date is not a date, or not one it can have been."""
    date = parse_date(date_text)
    if date is None:
        return "date_invalid", _("Enter a date such as 2020-02-13.")
    if date > today:
        return "date_future", _("A date cannot be in the future.")
    if date < DATE_MIN:
        return "date_invalid", _("Enter a date such as 2020-02-13.")
    return None


def _answer_errors(
    exc: ValidationError, number: int, header: Any, specs: list[QuestionSpec], raw: dict[str, str]
) -> list[RowError]:
    """One error per refused answer, under the answer's column (or its question's text)."""
    texts = {spec.code: spec.text for spec in specs}
    return [
        RowError(
            number,
            header.column_name(f"q:{code}")
            if f"q:{code}" in header.mapping
            else texts.get(code, code),
            message,
            f"answer_{code}",
            raw.get(code, ""),
        )
        for code, messages in exc.message_dict.items()
        for message in messages
    ]


def _member_named(index: _Index, assignment: CallAssignment, name: str) -> Any:
    """The member of the assignment's household of this name (as people write it), or None."""
    name = _norm(name)
    return next(
        (p for p in index.members.get(assignment.household_id, []) if _norm(p.name) == name), None
    )


def _buildings_of(index: _Index, community: str) -> Any:
    """The buildings a row's building is looked up among: the campaign's one community's, or
    those of the community the row names (None when the campaign covers no such one)."""
    if len(index.buildings) <= 1:
        return next(iter(index.buildings.values()))
    return index.buildings.get(_norm(community))


def _check_row(
    campaign: Campaign,
    sheet_row: Any,
    header: Any,
    specs: list[QuestionSpec],
    index: _Index,
    seen: dict[tuple[int, int | None], int],
    today: dt.date,
    plans: list[_Plan],
) -> list[RowError]:
    values, mapping, number = sheet_row.values, header.mapping, sheet_row.number

    def error(column: str, code: str, message: str, value: str = "") -> list[RowError]:
        return [RowError(number, header.column_name(column), message, code, value)]

    if bad_text := _text_problem(values, mapping):
        return error(bad_text[0], "text_invalid", bad_text[1])
    building_text = _cell(values, mapping.get("楼栋"))
    if not building_text:
        return error("楼栋", "building_missing", _("The building is missing."))
    community = _cell(values, mapping.get("社区"))
    if (buildings := _buildings_of(index, community)) is None:
        return error(
            "社区",
            "community_unknown",
            _("This campaign covers no community of this name."),
            community,
        )
    building = buildings.resolve(building_text)
    if building is None:
        return error(
            "楼栋",
            "building_unknown",
            _("No building of this campaign is called %(b)s.") % {"b": building_text},
            building_text,
        )
    room_text = _cell(values, mapping.get("房号"))
    try:
        unit_in_room, room = parse_room(room_text)
        unit = parse_unit(_cell(values, mapping.get("单元")))
    except RowProblem as problem:
        column = "房号" if problem.code.startswith("room") else "单元"
        return error(column, problem.code, problem.message, problem.value)
    unit = unit or unit_in_room or 1
    assignment = index.places.get((building.pk, unit, _norm(room)))
    if assignment is None:
        return error(
            "房号",
            "household_unknown",
            _("No household of this campaign at building %(b)s, unit %(u)s, room %(r)s.")
            % {"b": building_text, "u": unit, "r": room},
            room_text,
        )
    person = None
    if campaign.unit == CampaignUnit.PERSON:
        person = _member_named(index, assignment, _cell(values, mapping.get("姓名")))
        if person is None:
            return error(
                "姓名", "person_unknown", _("Nobody of this name lives in this household.")
            )
    key = (assignment.pk, person.pk if person else None)
    if key in seen:
        return error(
            "房号",
            "duplicate",
            _("The same household appears on row %(row)s; the first is kept.") % {"row": seen[key]},
            room_text,
        )
    if (date_text := _cell(values, mapping.get("排查日期"))) and (
        bad_date := _date_problem(date_text, today)
    ):
        return error("排查日期", *bad_date, date_text)
    raw = {spec.code: _cell(values, mapping.get(f"q:{spec.code}")) for spec in specs}
    try:
        answers = clean_answers(specs, raw, today=today, lenient=True)
    except ValidationError as exc:
        return _answer_errors(exc, number, header, specs, raw)
    seen[key] = number  # only a valid row is "the first", kept
    method = _norm(_cell(values, mapping.get("排查方式")))
    plans.append(_Plan(assignment, person, answers, visited=method in VISIT_WORDS, row=number))
    return []


@transaction.atomic
def import_rows(
    campaign: Campaign, plans: list[_Plan], report: ImportReport, *, by: User | None
) -> ImportReport:
    """Write the valid rows of a check: all of them, in one transaction."""
    require_import(by, campaign)
    campaign = Campaign.objects.select_related("area", "questionnaire__current").get(pk=campaign.pk)
    check_open(campaign, campaign.area.local_today())
    version = campaign.questionnaire.current_version
    now = timezone.now()
    recorded = set(
        ScreeningRecord.objects.filter(campaign=campaign, is_current=True).values_list(
            "assignment_id", "person_id"
        )
    )
    recorded_households = {a for a, _p in recorded}
    for plan in plans:
        assignment = (
            CallAssignment.objects.select_for_update(of=("self",))
            .select_related("household", "community", "grid", "campaign")
            .get(pk=plan.assignment.pk)
        )
        person_id = plan.person.pk if plan.person else None
        if (assignment.pk, person_id) in recorded or (
            person_id is None and assignment.pk in recorded_households
        ):
            report.unchanged += 1
            continue
        before = assignment.audit_snapshot()
        if plan.person is not None:
            records, alerts = _write_person_record(assignment, version, plan, by=by, now=now)
        else:
            records, alerts = write_records(
                assignment,
                version,
                [(None, plan.answers)],
                by=by,
                now=now,
                attempt=None,
                source=RecordSource.VISIT if plan.visited else RecordSource.IMPORT,
            )
        report.created += len(records)
        report.alerts += len(alerts)
        recorded.add((assignment.pk, person_id))
        if assignment.status != AssignmentStatus.REACHED:
            assignment.status, assignment.reached_at = AssignmentStatus.REACHED, now
            assignment.next_call_at = None
        assignment.alert_level = highest_level([assignment.alert_level, *(a.level for a in alerts)])
        assignment.version += 1
        assignment.save(
            update_fields=[
                "status",
                "reached_at",
                "next_call_at",
                "alert_level",
                "version",
                "updated",
            ]
        )
        record_change(ChangeAction.UPDATE, assignment, before=before, actor=by)
    return report


def _write_person_record(
    assignment: CallAssignment,
    version: QuestionnaireVersion,
    plan: _Plan,
    *,
    by: User | None,
    now: dt.datetime,
) -> tuple[list[ScreeningRecord], list[Any]]:
    # write_records replaces all current records of the household; a per-person import
    # adds one person's, so the others are put back as current afterwards.
    others = list(
        ScreeningRecord.objects.filter(assignment=assignment, is_current=True).values_list(
            "pk", flat=True
        )
    )
    result = write_records(
        assignment,
        version,
        [(plan.person, plan.answers)],
        by=by,
        now=now,
        attempt=None,
        source=RecordSource.VISIT if plan.visited else RecordSource.IMPORT,
    )
    ScreeningRecord.objects.filter(pk__in=others).update(is_current=True)
    return result


def template_workbook(
    campaign: Campaign, target: BinaryIO, *, by: User, progress: Progress | None = None
) -> int:
    """A register to fill in on paper or in Excel: the households not reached yet (building,
    unit, room — no personal data) and one column per question."""
    require_import(by, campaign)
    specs = version_specs(campaign.questionnaire.current_version)
    per_person = campaign.unit == CampaignUnit.PERSON
    several = campaign.area.community is None  # a street's or district's campaign
    assignments = (
        CallAssignment.objects.filter(campaign=campaign)
        .exclude(status=AssignmentStatus.REACHED)
        .select_related("household__building", "community")
        .order_by("community_id", *HOUSEHOLD_ORDER)
    )
    header = [
        *(["社区"] if several else []),
        "楼栋",
        "单元",
        "房号",
        *(["姓名"] if per_person else []),
        "排查日期",
        "排查方式",
        *(spec.text for spec in specs),
    ]

    def rows() -> Any:
        for assignment in assignments.iterator(chunk_size=2000):
            household = assignment.household
            yield [
                *([assignment.community.name] if several else []),
                household.building.number,
                household.unit,
                household.room,
                *([""] if per_person else []),
                "",
                "",
                *("" for _ in specs),
            ]

    text = [1, 3] if several else [0, 2]  # building and room stay text (01, 502室)
    written = write_xlsx(
        target,
        [
            SheetSpec(
                title=campaign.questionnaire.name, header=header, rows=rows(), text_columns=text
            )
        ],
        progress=progress,
    )
    record_access(
        AccessKind.EXPORT,
        actor=by,
        area_path=campaign.area.path,
        obj=campaign,
        detail={
            "what": "screening_import_template",
            "campaign": campaign.pk,
            "rows": written,
            "masked": True,
        },
    )
    return written
