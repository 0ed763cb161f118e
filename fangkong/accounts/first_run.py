"""First-run set-up (``manage.py setup``): the area tree and the first administrator.

The tree comes from a file (.xlsx or .json, ``docs/setup/``) or from answers typed at the
prompts; both become the same :class:`TreeRow` list and go through one check
(:func:`plan_setup`), which reports every bad row the way the resident import does
(``core.imports.rows.RowError``) and decides, row by row, what is new and what is already
there. Only a plan without errors is applied, in one transaction: a bad file changes nothing,
and running the same file twice changes nothing the second time.

A spreadsheet has one row per area (level, code, name, parent code, time zone) and one row
whose level is "administrator" (管理员): its code column is the username, its name the full
name, its parent code the area administered.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import available_timezones

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
from fangkong.accounts.services import set_one_time_password
from fangkong.areas.choices import CHILD_LEVEL, AreaLevel
from fangkong.areas.models import Area
from fangkong.areas.services import do_create_area
from fangkong.core.audit import record_change
from fangkong.core.choices import ChangeAction
from fangkong.core.imports.rows import RowError
from fangkong.core.spreadsheets import SpreadsheetError, locate_header, open_spreadsheet
from fangkong.core.validators import forbidden_character

if TYPE_CHECKING:
    from fangkong.core.models import AuditedModel

ADMINISTRATOR = "administrator"

#: How a level may be written in a file or typed (Chinese or English, any case).
LEVEL_WORDS: dict[str, str] = {
    "city": AreaLevel.CITY,
    "市": AreaLevel.CITY,
    "district": AreaLevel.DISTRICT,
    "区": AreaLevel.DISTRICT,
    "县": AreaLevel.DISTRICT,
    "street": AreaLevel.STREET,
    "街道": AreaLevel.STREET,
    "镇": AreaLevel.STREET,
    "community": AreaLevel.COMMUNITY,
    "社区": AreaLevel.COMMUNITY,
    "grid": AreaLevel.GRID,
    "网格": AreaLevel.GRID,
    ADMINISTRATOR: ADMINISTRATOR,
    "管理员": ADMINISTRATOR,
}

#: The spreadsheet's columns and the other names they go by.
COLUMNS: dict[str, tuple[str, ...]] = {
    "level": ("级别", "层级"),
    "code": ("代码", "编码", "用户名", "username"),
    "name": ("名称", "姓名", "full name"),
    "parent": ("上级代码", "上级", "parent code"),
    "time_zone": ("时区", "time zone", "timezone"),
}
#: The column names a spreadsheet's header shows (the sample's, and the errors').
COLUMN_LABELS = {
    "level": "级别",
    "code": "代码",
    "name": "名称",
    "parent": "上级代码",
    "time_zone": "时区",
}

DEFAULT_TIME_ZONE = "Asia/Shanghai"
MAX_ROWS = 10_000


class SetupError(Exception):
    """The file or answers are refused as a whole; ``errors`` says why, row by row."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} errors")
        self.errors = errors


@dataclass
class TreeRow:
    """One row of the tree: an area, or the administrator (``level == "administrator"``:
    ``code`` is the username, ``name`` the full name, ``parent`` the area's code)."""

    row: int
    level: str
    code: str
    name: str
    parent: str = ""
    time_zone: str = ""


@dataclass
class SetupPlan:
    """What applying the rows would do: areas to create (parents first), areas already
    there, and the administrator to create (None: none asked for, or already there)."""

    create: list[TreeRow] = field(default_factory=list)
    existing: list[TreeRow] = field(default_factory=list)
    administrator: TreeRow | None = None
    administrator_exists: bool = False

    @property
    def changes_nothing(self) -> bool:
        return not self.create and self.administrator is None


@dataclass
class SetupResult:
    plan: SetupPlan
    administrator: User | None = None
    password: str = ""
    areas: list[Area] = field(default_factory=list)


# --- Reading -----------------------------------------------------------------------------------


def read_tree_file(path: str | os.PathLike[str]) -> list[TreeRow]:
    """The rows of a .json or .xlsx file; ``SetupError`` when it cannot be read at all."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        return _read_json(path)
    return _read_spreadsheet(path)


def _whole_file_error(message: str, code: str) -> SetupError:
    return SetupError([RowError(row=0, column="", message=message, code=code)])


def _read_spreadsheet(path: Path) -> list[TreeRow]:
    try:
        sheet = open_spreadsheet(path)
    except FileNotFoundError:
        raise _whole_file_error(_("The file does not exist."), "missing_file") from None
    except SpreadsheetError as exc:
        raise _whole_file_error(exc.message, exc.code) from None
    with sheet:
        header = locate_header(sheet.rows(), COLUMNS)
        if header is None or not {"level", "code", "name"} <= set(header.mapping):
            raise _whole_file_error(
                _("No header row with the columns 级别, 代码, 名称 (上级代码, 时区) was found."),
                "no_header",
            )
        rows = []
        for sheet_row in header.rest:
            if sheet_row.is_blank():
                continue
            values = {
                key: (sheet_row.values[i] if i < len(sheet_row.values) else "").strip()
                for key, i in header.mapping.items()
            }
            rows.append(TreeRow(row=sheet_row.number, **_fields(values)))
            if len(rows) > MAX_ROWS:
                raise _whole_file_error(
                    _("At most %(max)d rows.") % {"max": MAX_ROWS}, "too_many_rows"
                )
    return rows


def _fields(values: dict[str, Any]) -> dict[str, str]:
    return {
        key: str(values.get(key) or "").strip()
        for key in ("level", "code", "name", "parent", "time_zone")
    }


def _read_json(path: Path) -> list[TreeRow]:
    """``{"areas": [{level, code, name, parent, time_zone}, ...], "administrator":
    {username, full_name, area}}``; a row's number is its place in ``areas`` (the
    administrator's comes after the last area)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise _whole_file_error(_("The file does not exist."), "missing_file") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _whole_file_error(_("The file is not valid JSON."), "not_json") from None
    areas = data.get("areas") if isinstance(data, dict) else None
    if not isinstance(areas, list) or not all(isinstance(a, dict) for a in areas):
        raise _whole_file_error(
            _('The file must be an object with a list of areas under "areas".'), "no_areas"
        )
    if len(areas) > MAX_ROWS:
        raise _whole_file_error(_("At most %(max)d rows.") % {"max": MAX_ROWS}, "too_many_rows")
    rows = [TreeRow(row=n, **_fields(area)) for n, area in enumerate(areas, start=1)]
    admins = data.get("administrator")
    if isinstance(admins, dict):
        admins = [admins]
    if admins is not None and (
        not isinstance(admins, list) or not all(isinstance(a, dict) for a in admins)
    ):
        raise _whole_file_error(
            _('"administrator" must be an object with username, full_name and area.'),
            "bad_administrator",
        )
    for n, admin in enumerate(admins or [], start=len(rows) + 1):
        rows.append(
            TreeRow(
                row=n,
                level=ADMINISTRATOR,
                code=str(admin.get("username") or "").strip(),
                name=str(admin.get("full_name") or "").strip(),
                parent=str(admin.get("area") or "").strip(),
            )
        )
    return rows


# --- Checking ----------------------------------------------------------------------------------


def _parent_level(level: str) -> str | None:
    for parent, child in CHILD_LEVEL.items():
        if child == level:
            return parent
    return None


class _Checker:
    def __init__(self) -> None:
        self.errors: list[RowError] = []

    def error(self, row: TreeRow, column: str, message: str, code: str, value: str = "") -> None:
        self.errors.append(RowError(row.row, COLUMN_LABELS[column], message, code, value))

    def text(self, row: TreeRow, column: str, value: str, max_length: int) -> bool:
        if not value:
            self.error(row, column, _("This cell is empty."), "required")
            return False
        if len(value) > max_length:
            self.error(
                row,
                column,
                _("At most %(max)d characters.") % {"max": max_length},
                "too_long",
                value[:40],
            )
            return False
        if forbidden_character(value) is not None:
            self.error(row, column, _("This contains a character that is not allowed."), "bad_text")
            return False
        return True


def plan_setup(rows: Iterable[TreeRow]) -> SetupPlan:
    """Check every row against the others and the database; ``SetupError`` with every
    problem found, else the plan."""
    rows = list(rows)
    check = _Checker()
    zones = available_timezones()
    areas: dict[str, TreeRow] = {}
    admins: list[TreeRow] = []
    for row in rows:
        level = LEVEL_WORDS.get(row.level.casefold())
        if level is None:
            check.error(
                row,
                "level",
                _("Unknown level: write 市, 区, 街道, 社区, 网格 or 管理员."),
                "unknown_level",
                row.level,
            )
            continue
        row.level = level
        if level == ADMINISTRATOR:
            admins.append(row)
            continue
        ok = check.text(row, "code", row.code, 32) & check.text(row, "name", row.name, 100)
        if row.time_zone and row.time_zone not in zones:
            check.error(
                row,
                "time_zone",
                _("Unknown time zone: write it as Asia/Shanghai."),
                "bad_time_zone",
                row.time_zone,
            )
            ok = False
        if not ok:
            continue
        if row.code in areas:
            check.error(
                row,
                "code",
                _("This code is already used in row %(row)d.") % {"row": areas[row.code].row},
                "duplicate_code",
                row.code,
            )
            continue
        areas[row.code] = row

    existing = {
        a.code: a for a in Area.objects.filter(code__in=[*areas, *(r.parent for r in rows)])
    }
    plan = SetupPlan()
    for row in areas.values():
        _check_area(check, row, areas, existing, plan)
    if len(admins) > 1:
        for row in admins[1:]:
            check.error(
                row,
                "level",
                _("Only one administrator is made at set-up; add the others in the pages."),
                "two_administrators",
            )
    elif admins:
        _check_administrator(check, admins[0], areas, existing, plan)
    if check.errors:
        raise SetupError(sorted(check.errors, key=lambda e: e.row))
    depth = {level.value: n for n, level in enumerate(AreaLevel)}
    plan.create.sort(key=lambda r: (depth[r.level], r.row))
    return plan


def _check_area(
    check: _Checker,
    row: TreeRow,
    areas: dict[str, TreeRow],
    existing: dict[str, Area],
    plan: SetupPlan,
) -> None:
    wanted_parent = _parent_level(row.level)
    parent_level = ""
    parent_zone = ""
    if wanted_parent is None:
        if row.parent:
            check.error(row, "parent", _("A city has no parent area."), "city_parent", row.parent)
            return
    elif not row.parent:
        check.error(row, "parent", _("Write the code of the area above."), "required")
        return
    elif row.parent in areas:
        parent_level = areas[row.parent].level
        parent_zone = areas[row.parent].time_zone
    elif row.parent in existing:
        parent_level = existing[row.parent].level
        parent_zone = existing[row.parent].time_zone
    else:
        check.error(
            row,
            "parent",
            _("No area has this code, in the file or already set up."),
            "missing_parent",
            row.parent,
        )
        return
    if wanted_parent is not None and parent_level != wanted_parent:
        check.error(
            row,
            "parent",
            _("A %(level)s belongs to a %(parent)s.")
            % {"level": AreaLevel(row.level).label, "parent": AreaLevel(wanted_parent).label},
            "wrong_parent_level",
            row.parent,
        )
        return
    if row.level == AreaLevel.GRID:
        # A grid keeps its community's clock: screening and gates count one day per community.
        if row.time_zone and row.time_zone != (parent_zone or DEFAULT_TIME_ZONE):
            check.error(
                row,
                "time_zone",
                _("A grid keeps its community's time zone; leave this cell empty."),
                "grid_time_zone",
                row.time_zone,
            )
            return
        row.time_zone = parent_zone or DEFAULT_TIME_ZONE
    row.time_zone = row.time_zone or parent_zone or DEFAULT_TIME_ZONE
    there = existing.get(row.code)
    if there is None:
        plan.create.append(row)
        return
    parent_code = there.parent.code if there.parent is not None else ""
    if (there.level, there.name, parent_code, there.time_zone) != (
        row.level,
        row.name,
        row.parent,
        row.time_zone,
    ):
        check.error(
            row,
            "code",
            _(
                "An area with this code is already set up as %(level)s %(name)s; "
                "change it in the pages, not here."
            )
            % {"level": there.get_level_display(), "name": there.name},
            "code_taken",
            row.code,
        )
        return
    plan.existing.append(row)


def _check_administrator(
    check: _Checker,
    row: TreeRow,
    areas: dict[str, TreeRow],
    existing: dict[str, Area],
    plan: SetupPlan,
) -> None:
    if not check.text(row, "code", row.code, 150) or not check.text(row, "name", row.name, 100):
        return
    try:
        UnicodeUsernameValidator()(row.code)
    except ValidationError:
        check.error(
            row,
            "code",
            _("A username has letters, digits and @ . + - _ only."),
            "bad_username",
            row.code,
        )
        return
    if not row.parent:
        check.error(row, "parent", _("Write the code of the area administered."), "required")
        return
    if row.parent not in areas and row.parent not in existing:
        check.error(
            row,
            "parent",
            _("No area has this code, in the file or already set up."),
            "missing_parent",
            row.parent,
        )
        return
    user = User.objects.filter(username=row.code).select_related("area").first()
    if user is None:
        plan.administrator = row
        return
    if user.role != Role.ADMINISTRATOR or user.area is None or user.area.code != row.parent:
        check.error(
            row,
            "code",
            _("This username is already taken by another account."),
            "username_taken",
            row.code,
        )
        return
    plan.administrator_exists = True


# --- Applying ----------------------------------------------------------------------------------


@transaction.atomic
def apply_setup(rows: Iterable[TreeRow]) -> SetupResult:
    """Check the rows, then create what is missing, all or nothing. The administrator gets a
    one-time password (returned once) to change at the first login."""
    plan = plan_setup(rows)
    result = SetupResult(plan)
    by_code = {a.code: a for a in Area.objects.filter(code__in=[r.parent for r in plan.create])}
    for row in plan.create:
        area = do_create_area(
            level=row.level,
            name=row.name,
            code=row.code,
            parent=by_code.get(row.parent) if row.parent else None,
            by=None,
            time_zone=row.time_zone,
        )
        by_code[area.code] = area
        result.areas.append(area)
    if plan.administrator is not None:
        admin = plan.administrator
        area = by_code.get(admin.parent) or Area.objects.get(code=admin.parent)
        user = User(username=admin.code, full_name=admin.name, role=Role.ADMINISTRATOR, area=area)
        result.password = set_one_time_password(user)
        user.save()
        # User is Django's AbstractUser, not an AuditedModel, but it answers what the log asks
        # (audit_snapshot, area_path, community_id_for_audit).
        record_change(ChangeAction.CREATE, cast("AuditedModel", user), actor=None)
        result.administrator = user
    return result
