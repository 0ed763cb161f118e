"""The staff-accounts import: a list of people (.xlsx or .csv) into accounts, all or nothing.

Each row is one account: name, phone, username (empty: made from the name's pinyin), role
(its Chinese name or its code), the community or grid by name, and optional start and end
dates. Every row is made by ``accounts.services.do_create_user``, the one way an account is
made, so the import refuses exactly what the pages refuse (a role the importer may not give,
an area out of their reach). The preview runs the same rows in a transaction that is rolled
back, so what it reports is what the import would meet.

All or nothing: one refused row refuses the whole file, since half a team with logins and
half without is worse than fixing the file. Running the same file again makes nothing
twice: a row whose username exists, or whose person already has an account on that area,
is reported.

The one-time passwords of the accounts made leave this module only inside the printable
sheet (``accounts.password_sheet``); they never reach ``Job.result`` or a log.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any, BinaryIO, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from fangkong.accounts.choices import Role
from fangkong.accounts.models import User
from fangkong.accounts.services import do_create_user
from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.imports.rows import RowError
from fangkong.core.personal_data import mask_phone
from fangkong.core.spreadsheets import (
    HeaderMatch,
    SpreadsheetError,
    locate_header,
    open_spreadsheet,
)
from fangkong.core.validators import clean_name, validate_phone

#: The import's columns: the name the template uses first, then other names files use.
HEADERS: dict[str, tuple[str, ...]] = {
    "full_name": ("姓名", "名字", "full name", "name"),
    "phone": ("手机号", "手机", "电话", "联系电话", "phone"),
    "username": ("用户名", "账号", "登录名", "username"),
    "role": ("角色", "岗位角色", "role"),
    "area": ("辖区/网格", "辖区", "网格", "社区", "所属区域", "area"),
    "organisation": ("单位", "所属单位", "organisation"),
    "starts_on": ("开始日期", "起始日期", "start date"),
    "ends_on": ("结束日期", "截止日期", "end date"),
}
REQUIRED_FIELDS = ("full_name", "role", "area")
#: Rows of a file at most: a team, a street's staff; a larger file is split.
MAX_ROWS = 2000
MAX_REPORTED_ERRORS = 1000

#: Names people use for roles besides the roles' own labels.
ROLE_ALIASES: dict[str, str] = {
    "管理员": Role.ADMINISTRATOR,
    "系统管理员": Role.ADMINISTRATOR,
    "社区干部": Role.COMMUNITY_OFFICER,
    "社区工作人员": Role.COMMUNITY_OFFICER,
    "卫生专员": Role.HEALTH_OFFICER,
    "网格员": Role.GRID_WORKER,
    "门岗": Role.CHECKPOINT_STAFF,
    "卡点值守": Role.CHECKPOINT_STAFF,
    "门岗值守": Role.CHECKPOINT_STAFF,
    "志愿者": Role.VOLUNTEER,
}

_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")


def _role_lookup() -> dict[str, str]:
    """Every name a role goes by (code, English and Chinese label, aliases) → its code."""
    names: dict[str, str] = {}
    for code, label in Role.choices:
        names[code.casefold()] = code
        names[str(label).casefold()] = code
        with translation.override("zh-hans"):
            names[str(Role(code).label).casefold()] = code
    for alias, code in ROLE_ALIASES.items():
        names.setdefault(alias.casefold(), code)
    return names


def role_label(code: str) -> str:
    return str(Role(code).label) if code in Role.values else code


def parse_date(text: str) -> dt.date:
    """``2020-03-15``, ``2020/3/15``, ``2020.3.15``, ``2020年3月15日`` (and Excel's dates)."""
    match = _DATE_RE.match(text.strip())
    if match is None:
        raise ValueError(text)
    year, month, day = (int(g) for g in match.groups())
    return dt.date(year, month, day)


# --- Areas by name --------------------------------------------------------------------------


class AreaIndex:
    """The communities and grids within the importer's reach, found by name.

    A grid's name is seldom unique (every community has a 第一网格): ``社区/网格`` (or
    ``社区 › 网格``) names one inside a community; a bare name matching several areas is
    refused with the candidates."""

    def __init__(self, user: User) -> None:
        areas = list(
            Area.objects.restrict(user, "view")
            .filter(level__in=[AreaLevel.COMMUNITY, AreaLevel.GRID])
            .select_related("parent")
        )
        self.by_name: dict[str, list[Area]] = {}
        for area in areas:
            self.by_name.setdefault(_key(area.name), []).append(area)
            if area.level == AreaLevel.GRID and area.parent is not None:
                self.by_name.setdefault(_key(f"{area.parent.name}/{area.name}"), []).append(area)

    def resolve(self, text: str) -> Area:
        """The one area ``text`` names; ``ValueError`` with the reason otherwise."""
        found = self.by_name.get(_key(text), [])
        if not found:
            raise ValueError(
                _("No community or grid of this name within your area.")
            )  # areas out of reach are never named: the same answer as a typo
        if len(found) > 1:
            names = "、".join(_full_name(a) for a in found[:8])
            raise ValueError(
                _("Several areas have this name: %(names)s. Write it as 社区/网格.")
                % {"names": names}
            )
        return found[0]


def _key(text: str) -> str:
    return re.sub(r"\s+", "", text.replace("›", "/").replace("／", "/")).casefold()


def _full_name(area: Area) -> str:
    if area.level == AreaLevel.GRID and area.parent is not None:
        return f"{area.parent.name}/{area.name}"
    return area.name


# --- Rows -----------------------------------------------------------------------------------


@dataclass
class AccountRow:
    """One row, read and checked on its own (no database yet)."""

    number: int
    full_name: str = ""
    phone: str = ""
    username: str = ""
    role: str = ""
    area_text: str = ""
    organisation: str = ""
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


@dataclass
class Created:
    """An account the import made, with its one-time password (for the sheet only)."""

    full_name: str
    username: str
    password: str
    role: str
    area: str


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    rejected: int = 0
    written: bool = False
    errors: list[RowError] = field(default_factory=list)
    unknown_headers: list[str] = field(default_factory=list)
    accounts: list[Created] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON for the job's result: no password, phones masked."""
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": 0,
            "unchanged": 0,
            "rejected": self.rejected,
            "written": self.written,
            "errors": [e.as_dict() for e in self.errors[:MAX_REPORTED_ERRORS]],
            "errors_omitted": max(len(self.errors) - MAX_REPORTED_ERRORS, 0),
            "unknown_headers": self.unknown_headers,
            "usernames": [a.username for a in self.accounts],
        }


def _missing_columns(match: HeaderMatch | None) -> SpreadsheetError:
    have = match.mapping if match else {}
    missing = [HEADERS[f][0] for f in REQUIRED_FIELDS if f not in have]
    return SpreadsheetError(
        "missing_columns",
        _(
            "The file has no column for: %(columns)s. Use the template, or name the columns as "
            "it does."
        )
        % {"columns": ", ".join(missing)},
    )


def _read_rows(
    match: HeaderMatch, roles: dict[str, str], errors: list[RowError]
) -> Iterator[AccountRow]:
    index = match.mapping
    names = {key: match.column_name(key) for key in HEADERS}

    def cell(values: list[str], key: str) -> str:
        i = index.get(key)
        return values[i].strip() if i is not None and i < len(values) else ""

    for sheet_row in match.rest:
        if sheet_row.is_blank():
            continue
        values = sheet_row.values
        row = AccountRow(number=sheet_row.number)
        problems: list[RowError] = []

        def problem(key: str, message: str, value: str = "", code: str = "invalid") -> None:
            problems.append(RowError(sheet_row.number, names[key], message, code, value))  # noqa: B023

        try:
            row.full_name = clean_name(cell(values, "full_name"), max_length=100)
        except ValidationError as exc:
            problem("full_name", " ".join(exc.messages))
        if not row.full_name and not any(p.column == names["full_name"] for p in problems):
            problem("full_name", _("Give the person's name."), code="required")
        if phone := cell(values, "phone"):
            try:
                row.phone = validate_phone(phone)
            except ValidationError as exc:
                problem("phone", " ".join(exc.messages), _masked_phone(phone))
        row.username = cell(values, "username")
        role_text = cell(values, "role")
        row.role = roles.get(role_text.casefold(), "")
        if not row.role:
            problem(
                "role",
                _("Unknown role. Use one of: %(roles)s.")
                % {"roles": "、".join(role_label(code) for code in Role.values)},
                role_text,
                "unknown_role",
            )
        row.area_text = cell(values, "area")
        if not row.area_text:
            problem("area", _("Give the community or grid."), code="required")
        row.organisation = cell(values, "organisation")
        for key in ("starts_on", "ends_on"):
            if text := cell(values, key):
                try:
                    setattr(row, key, parse_date(text))
                except ValueError:
                    problem(key, _("Not a date: write it as 2020-03-15."), text, "bad_date")
        if row.starts_on and row.ends_on and row.ends_on < row.starts_on:
            problem(
                "ends_on",
                _("The end date is before the start date."),
                cell(values, "ends_on"),
                "end_before_start",
            )
        if problems:
            errors.extend(problems)
            continue
        yield row


def _masked_phone(text: str) -> str:
    try:
        return mask_phone(text)
    except Exception:  # a value that is no phone at all: keep none of it
        return "*" * min(len(text), 11)


# --- Preview and import ---------------------------------------------------------------------


class _Rollback(Exception):
    """Leaves the import's transaction without writing (the preview, or a refused row)."""


def _run(
    file: IO[bytes] | BinaryIO,
    by: User,
    *,
    dry_run: bool,
    sheet_writer: Callable[[list[Created]], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    result = ImportResult()
    roles = _role_lookup()
    with open_spreadsheet(cast(BinaryIO, file)) as sheet:
        match = locate_header(iter(sheet.rows()), HEADERS)
        if match is None or any(f not in match.mapping for f in REQUIRED_FIELDS):
            raise _missing_columns(match)
        names = {key: match.column_name(key) for key in HEADERS}
        result.unknown_headers = match.unknown
        errors: list[RowError] = []
        rows = list(_read_rows(match, roles, errors))
    result.rows = len(rows) + len({e.row for e in errors})
    if result.rows > MAX_ROWS:
        raise SpreadsheetError(
            "too_many_rows",
            _("The file has more than %(limit)s accounts; split it into several files.")
            % {"limit": MAX_ROWS},
        )
    if result.rows == 0:
        raise SpreadsheetError("empty", _("The file has no accounts in it."))

    def refuse(row: int, key: str, message: str, value: str = "", code: str = "refused") -> None:
        errors.append(RowError(row, names.get(key, key), message, code, value))

    # Usernames typed twice in the file: both rows refused, whatever the database holds.
    counts: dict[str, int] = {}
    for row in rows:
        if row.username:
            counts[row.username.casefold()] = counts.get(row.username.casefold(), 0) + 1
    bad_rows: set[int] = {e.row for e in errors}
    for row in rows:
        if row.username and counts[row.username.casefold()] > 1:
            refuse(
                row.number,
                "username",
                _("This username appears more than once in the file."),
                row.username,
                "duplicate_in_file",
            )
            bad_rows.add(row.number)

    areas = AreaIndex(by)
    made: list[Created] = []
    try:
        with transaction.atomic():
            for done, row in enumerate(rows, start=1):
                if progress is not None:
                    progress(done)
                if row.number in bad_rows:
                    continue
                try:
                    area = areas.resolve(row.area_text)
                except ValueError as exc:
                    refuse(row.number, "area", str(exc), row.area_text, "area")
                    continue
                if row.username:
                    existing = User.objects.filter(username__iexact=row.username).first()
                    if existing is not None:
                        refuse(
                            row.number,
                            "username",
                            _(
                                "An account with this username exists already; it is not made "
                                "again."
                            ),
                            row.username,
                            "exists",
                        )
                        continue
                elif User.objects.filter(full_name=row.full_name, area=area).exists():
                    refuse(
                        row.number,
                        "full_name",
                        _(
                            "This person has an account on %(area)s already; it is not made "
                            "again. Give a username to make a second one."
                        )
                        % {"area": area.name},
                        row.full_name,
                        "exists",
                    )
                    continue
                try:
                    made.append(_make_account(row, area, by))
                except ValidationError as exc:
                    for key, messages in _messages(exc).items():
                        refuse(row.number, _column_key(key), " ".join(messages), "", "refused")
                except PermissionDeniedError as exc:
                    refuse(row.number, "role", exc.message, role_label(row.role), "not_allowed")
                except Http404:  # an area the importer may not give accounts on
                    refuse(
                        row.number,
                        "area",
                        _("You cannot make accounts on this area."),
                        row.area_text,
                        "not_allowed",
                    )
            result.errors = sorted(errors, key=lambda e: (e.row, e.column))
            result.rejected = len({e.row for e in errors})
            if dry_run or errors:
                raise _Rollback
            if sheet_writer is not None:
                sheet_writer(made)  # inside: a sheet that cannot be made writes no account
    except _Rollback:
        # A preview counts the accounts the rows would make; a refused import made none.
        result.created = len(made) if dry_run else 0
        result.written = False
        return result
    result.created = len(made)
    result.written = True
    result.accounts = made
    return result


def _column_key(key: str) -> str:
    return {"__all__": "full_name", "name": "full_name", "user": "username"}.get(key, key)


def _messages(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return {key: list(ValidationError(errs).messages) for key, errs in exc.error_dict.items()}
    return {"full_name": list(exc.messages)}


def _make_account(row: AccountRow, area: Area, by: User) -> Created:
    """One account through ``do_create_user`` (its own savepoint); the phone, when given,
    on the person's staff record through the staff app's service."""
    dates: dict[str, dt.date] = {}
    if row.starts_on is not None:
        dates["starts_on"] = row.starts_on
    if row.ends_on is not None:
        dates["ends_on"] = row.ends_on
    with transaction.atomic():
        user, password = do_create_user(
            by=by,
            full_name=row.full_name,
            role=row.role,
            area=area,
            username=row.username,
            **dates,
        )
        if row.phone:
            _record_phone(row, user, area, by)
    return Created(
        full_name=user.full_name,
        username=user.username,
        password=password,
        role=role_label(user.role),
        area=_full_name(area),
    )


def _record_phone(row: AccountRow, user: User, area: Area, by: User) -> None:
    """Staff phones live on ``staff.StaffMember``, protected like residents' (cipher, blind
    index, mask); ``User`` has none. The record is made through the staff app's service, so
    an importer who may not record staff (an administrator keeps no personal data) is
    refused there, on the row."""
    from fangkong.staff.models import Organisation
    from fangkong.staff.services.people import do_create_staff_member

    community = area.community
    if community is None:
        raise ValidationError(
            {"phone": _("A phone is kept for staff of a community or grid only.")}
        )
    organisations = Organisation.objects.filter(community=community, is_active=True)
    if row.organisation:
        organisation = organisations.filter(name=row.organisation).first()
    else:
        only = list(organisations[:2])
        organisation = only[0] if len(only) == 1 else None
    if organisation is None:
        raise ValidationError(
            {
                "organisation": _(
                    "Name the person's organisation (单位) as the community's staff pages list it."
                )
            }
        )
    do_create_staff_member(
        community=community,
        by=by,
        organisation=organisation,
        name=row.full_name,
        phone=row.phone,
        area=area,
        user=user,
    )


def preview(file: IO[bytes] | BinaryIO, by: User, **kwargs: Any) -> ImportResult:
    """What importing ``file`` would do, every row run and rolled back: nothing written."""
    return _run(file, by, dry_run=True, **kwargs)


def run_import(
    file: IO[bytes] | BinaryIO,
    by: User,
    *,
    sheet_writer: Callable[[list[Created]], None] | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Make every row's account, or none when any row is refused. ``sheet_writer`` gets the
    accounts with their one-time passwords inside the transaction."""
    return _run(file, by, dry_run=False, sheet_writer=sheet_writer, progress=progress)


TEMPLATE_EXAMPLES = (
    ("王秀英", "13800138000", "", "网格员", "第一网格", "", "", ""),
    ("李建国", "", "lijianguo", "门岗", "在水一方社区", "", "2020-02-01", "2020-03-15"),
)


def template_rows() -> list[tuple[str, ...]]:
    return list(TEMPLATE_EXAMPLES)


def template_header() -> list[str]:
    return [HEADERS[key][0] for key in HEADERS]
