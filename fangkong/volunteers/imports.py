"""The import of a veterans' list (.xlsx or .csv) into a community's volunteers.

Each row is one person from outside the registry: name and phone (required: the phone is
how a re-run recognises a volunteer already recorded, through its blind index), their group
(退役军人 when the column is missing or empty), skills, and the grid they can serve. Valid
rows are written in bulk (``core.bulk`` and one batch of audit rows), so a district's list
of 14,000 takes seconds; refused rows are reported with the reason, as every import does.
Running the same file again creates nothing twice: a phone already recorded in the
community is counted as unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, BinaryIO, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.audit import record_changes
from fangkong.core.bulk import insert_objects
from fangkong.core.choices import ChangeAction
from fangkong.core.imports.rows import RowError
from fangkong.core.personal_data import mask_phone, protect_phone
from fangkong.core.querysets import require
from fangkong.core.spreadsheets import (
    HeaderMatch,
    SpreadsheetError,
    locate_header,
    open_spreadsheet,
)
from fangkong.core.validators import clean_name, validate_phone
from fangkong.volunteers.choices import (
    ALL_WEEKDAYS,
    Health,
    Skill,
    VolunteerGroup,
    group_rank,
    pack_codes,
)
from fangkong.volunteers.models import Volunteer

if TYPE_CHECKING:
    from fangkong.accounts.models import User

HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "名字", "name"),
    "phone": ("手机号", "手机", "电话", "联系电话", "phone"),
    "group": ("类别", "人员类别", "身份", "group"),
    "skills": ("技能", "特长", "专长", "skills"),
    "grid": ("网格", "服务网格", "服务区域", "grid"),
    "notes": ("备注", "notes"),
}
REQUIRED_FIELDS = ("name", "phone")
#: Rows of one file at most: a district's list (14,000 in the story) with room to spare.
MAX_ROWS = 50_000
MAX_REPORTED_ERRORS = 1000
_SPLIT = re.compile(r"[、,，;；/\s]+")


def _lookup(choices: type[Any], aliases: Mapping[str, str]) -> dict[str, str]:
    """Every name a code goes by (code, English and Chinese label, aliases) → the code."""
    names: dict[str, str] = {}
    for code, label in choices.choices:
        names[code.casefold()] = code
        names[str(label).casefold()] = code
        with translation.override("zh-hans"):
            names[str(choices(code).label).casefold()] = code
    for alias, code in aliases.items():
        names.setdefault(alias.casefold(), code)
    return names


GROUP_ALIASES = {
    "退役军人": VolunteerGroup.VETERAN,
    "军人": VolunteerGroup.VETERAN,
    "退伍军人": VolunteerGroup.VETERAN,
    "军属": VolunteerGroup.VETERAN_FAMILY,
    "退役军人家属": VolunteerGroup.VETERAN_FAMILY,
    "党员": VolunteerGroup.PARTY_MEMBER,
    "居民": VolunteerGroup.RESIDENT,
    "其他": VolunteerGroup.OTHER,
}
SKILL_ALIASES = {
    "医疗": Skill.MEDICAL,
    "医护": Skill.MEDICAL,
    "驾驶": Skill.DRIVING,
    "司机": Skill.DRIVING,
    "心理": Skill.PSYCHOLOGY,
    "心理疏导": Skill.PSYCHOLOGY,
    "外语": Skill.LANGUAGES,
    "语言": Skill.LANGUAGES,
    "体力": Skill.HEAVY_WORK,
    "搬运": Skill.HEAVY_WORK,
    "门岗": Skill.GATE_DUTY,
    "值守": Skill.GATE_DUTY,
}


@dataclass
class VolunteerRow:
    number: int
    name: str = ""
    phone: str = ""
    groups: list[str] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)
    grid: Area | None = None
    notes: str = ""


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    unchanged: int = 0
    rejected: int = 0
    written: bool = False
    errors: list[RowError] = field(default_factory=list)
    unknown_headers: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": 0,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "written": self.written,
            "errors": [e.as_dict() for e in self.errors[:MAX_REPORTED_ERRORS]],
            "errors_omitted": max(len(self.errors) - MAX_REPORTED_ERRORS, 0),
            "unknown_headers": self.unknown_headers,
        }


def _missing_columns(match: HeaderMatch | None) -> SpreadsheetError:
    have = match.mapping if match else {}
    missing = [HEADERS[f][0] for f in REQUIRED_FIELDS if f not in have]
    return SpreadsheetError(
        "missing_columns",
        _("The file has no column for: %(columns)s. Name the columns as the template does.")
        % {"columns": ", ".join(missing)},
    )


def _masked(text: str) -> str:
    try:
        return mask_phone(text)
    except Exception:  # no phone at all: keep none of it
        return "*" * min(len(text), 11)


def _read_rows(
    match: HeaderMatch, community: Area, errors: list[RowError]
) -> Iterator[VolunteerRow]:
    index = match.mapping
    names = {key: match.column_name(key) for key in HEADERS}
    groups = _lookup(VolunteerGroup, GROUP_ALIASES)
    skills = _lookup(Skill, SKILL_ALIASES)
    grids = {
        g.name.casefold(): g for g in Area.objects.filter(parent=community, level=AreaLevel.GRID)
    }

    def cell(values: list[str], key: str) -> str:
        i = index.get(key)
        return values[i].strip() if i is not None and i < len(values) else ""

    for sheet_row in match.rest:
        if sheet_row.is_blank():
            continue
        values = sheet_row.values
        row = VolunteerRow(number=sheet_row.number)
        problems: list[RowError] = []

        def problem(key: str, message: str, value: str = "", code: str = "invalid") -> None:
            problems.append(RowError(sheet_row.number, names[key], message, code, value))  # noqa: B023

        try:
            row.name = clean_name(cell(values, "name"), max_length=100)
        except ValidationError as exc:
            problem("name", " ".join(exc.messages))
        if not row.name and not problems:
            problem("name", _("Give the person's name."), code="required")
        phone = cell(values, "phone")
        if not phone:
            problem("phone", _("Give the phone: it tells volunteers apart."), code="required")
        else:
            try:
                row.phone = validate_phone(phone)
            except ValidationError as exc:
                problem("phone", " ".join(exc.messages), _masked(phone))
        for text in _SPLIT.split(cell(values, "group")):
            if not text:
                continue
            code = groups.get(text.casefold())
            if code is None:
                problem("group", _("Unknown group."), text, "unknown_group")
            else:
                row.groups.append(code)
        row.groups = row.groups or [VolunteerGroup.VETERAN]
        for text in _SPLIT.split(cell(values, "skills")):
            if not text:
                continue
            code = skills.get(text.casefold())
            if code is None:
                problem("skills", _("Unknown skill."), text, "unknown_skill")
            else:
                row.skills.append(code)
        if grid_text := cell(values, "grid"):
            row.grid = grids.get(grid_text.casefold())
            if row.grid is None:
                problem("grid", _("No grid of this name in the community."), grid_text, "grid")
        row.notes = cell(values, "notes")[:1000]
        if problems:
            errors.extend(problems)
            continue
        yield row


def run_import(
    file: IO[bytes] | BinaryIO,
    community: Area,
    by: User | None,
    *,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Read the list; unless ``dry_run``, write its new valid rows in bulk."""
    require(by, Volunteer, "import", community)
    result = ImportResult()
    with open_spreadsheet(cast(BinaryIO, file)) as sheet:
        match = locate_header(iter(sheet.rows()), HEADERS)
        if match is None or any(f not in match.mapping for f in REQUIRED_FIELDS):
            raise _missing_columns(match)
        names = {key: match.column_name(key) for key in HEADERS}
        result.unknown_headers = match.unknown
        errors: list[RowError] = []
        rows = list(_read_rows(match, community, errors))
    result.rows = len(rows) + len({e.row for e in errors})
    if result.rows > MAX_ROWS:
        raise SpreadsheetError(
            "too_many_rows",
            _("The file has more than %(limit)s rows; split it into several files.")
            % {"limit": MAX_ROWS},
        )
    if result.rows == 0:
        raise SpreadsheetError("empty", _("The file has no volunteers in it."))
    known = set(
        Volunteer.objects.filter(community=community)
        .exclude(phone_index="")
        .values_list("phone_index", flat=True)
    )
    seen: dict[str, int] = {}
    new: list[Volunteer] = []
    for done, row in enumerate(rows, start=1):
        if progress is not None and done % 500 == 0:
            progress(done)
        protected = protect_phone(row.phone)
        if protected.index in known:
            result.unchanged += 1
            continue
        if protected.index in seen:
            errors.append(
                RowError(
                    row.number,
                    names["phone"],
                    _("This phone is already in row %(row)s of the file.")
                    % {"row": seen[protected.index]},
                    "duplicate_in_file",
                    protected.mask,
                )
            )
            continue
        seen[protected.index] = row.number
        volunteer = Volunteer(
            community=community,
            name=row.name,
            groups=pack_codes(row.groups),
            rank=group_rank(row.groups),
            skills=pack_codes(row.skills),
            weekdays=ALL_WEEKDAYS,
            area=row.grid or community,
            health=Health.FIT,
            notes=row.notes,
        )
        volunteer.set_phone(protected)
        new.append(volunteer)
    result.errors = sorted(errors, key=lambda e: (e.row, e.column))
    result.rejected = len({e.row for e in errors})
    result.created = len(new)
    if dry_run or not new:
        return result
    with transaction.atomic():
        insert_objects(Volunteer, new)
        record_changes(ChangeAction.CREATE, new, actor=by)
    result.written = True
    return result
