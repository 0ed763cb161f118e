"""The imports of outreach (.xlsx or .csv): announcements, health guidance blocks and phone
notification scripts, into the importer's own area (a community, or a grid for
announcements and guidance; a community or a street for scripts).

Each row is checked as the form checks it (a title, a text, dates in order; a script's
fields must all be known: ``{姓名}`` is, ``{年龄}`` is not) and refused with the reason when
it is not right. A title already used in the area is the same row: it is counted as
already there and left as it is, so running the same file again creates nothing twice.
The valid rows are written through the services (each audited) in one transaction: all of
them, or none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, BinaryIO, cast

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.imports.rows import RowError, RowProblem
from fangkong.core.querysets import require
from fangkong.core.spreadsheets import (
    HeaderMatch,
    SpreadsheetError,
    locate_header,
    open_spreadsheet,
)
from fangkong.health.imports import parse_date
from fangkong.outreach import services
from fangkong.outreach.models import Announcement, Guidance, NotificationScript

if TYPE_CHECKING:
    from fangkong.accounts.models import User

#: Rows of one file at most: an area's notices and scripts are dozens, not thousands.
MAX_ROWS = 2000
MAX_REPORTED_ERRORS = 1000
TITLE_LENGTH = 100
YES = {"是", "y", "yes", "1", "true", "√", "✓"}
NO = {"否", "n", "no", "0", "false", ""}


@dataclass(frozen=True)
class ImportKind:
    """One thing outreach imports: its columns (first name: the template's), which are
    required, the model (the ``import`` right), the area levels it goes to."""

    key: str
    label: Any
    model: type[models.Model]
    headers: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    levels: tuple[str, ...]


KINDS: dict[str, ImportKind] = {
    kind.key: kind
    for kind in (
        ImportKind(
            key="announcements",
            label=gettext_lazy("Announcements"),
            model=Announcement,
            headers={
                "title": ("标题", "title"),
                "body": ("内容", "正文", "通知内容", "body", "text"),
                "valid_from": ("开始日期", "生效日期", "valid from"),
                "valid_until": ("结束日期", "截止日期", "valid until"),
                "quarantined_only": ("仅隔离户", "quarantined only"),
                "on_phone": ("电话告知", "on phone"),
            },
            required=("title", "body", "valid_from", "valid_until"),
            levels=(AreaLevel.COMMUNITY, AreaLevel.GRID),
        ),
        ImportKind(
            key="guidance",
            label=gettext_lazy("Health guidance"),
            model=Guidance,
            headers={
                "title": ("标题", "title"),
                "body": ("内容", "正文", "提示内容", "body", "text"),
                "position": ("顺序", "排序", "order", "position"),
            },
            required=("title", "body"),
            levels=(AreaLevel.COMMUNITY, AreaLevel.GRID),
        ),
        ImportKind(
            key="scripts",
            label=gettext_lazy("Notification scripts"),
            model=NotificationScript,
            headers={
                "title": ("标题", "话术名称", "title"),
                "text": ("话术", "内容", "正文", "text"),
            },
            required=("title", "text"),
            levels=(AreaLevel.COMMUNITY, AreaLevel.STREET),
        ),
    )
}

#: Every column name of every kind (the rejected rows' file finds the header row with them).
ALL_HEADERS: dict[str, tuple[str, ...]] = {
    key: tuple(dict.fromkeys(name for kind in KINDS.values() for name in kind.headers.get(key, ())))
    for key in dict.fromkeys(key for kind in KINDS.values() for key in kind.headers)
}


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


@dataclass
class _Row:
    number: int
    data: dict[str, Any]


def _yes_no(text: str) -> bool:
    key = text.strip().casefold()
    if key in YES:
        return True
    if key in NO:
        return False
    raise RowProblem("yes_no", _("Write 是 or 否."), text.strip())


def _position(text: str) -> int:
    text = text.strip()
    if not text:
        return 0
    if not text.isdigit() or int(text) > 32767:
        raise RowProblem("number", _("Write a whole number, 0 to 32767."), text)
    return int(text)


def _required_date(text: str) -> dt.date:
    day = parse_date(text)
    if day is None:
        raise RowProblem("required", _("Give the date."))
    return day


PARSERS: dict[str, Callable[[str], Any]] = {
    "valid_from": _required_date,
    "valid_until": _required_date,
    "quarantined_only": _yes_no,
    "on_phone": _yes_no,
    "position": _position,
}


def _messages(exc: ValidationError) -> dict[str, str]:
    if hasattr(exc, "error_dict"):
        return {
            key: " ".join(ValidationError(value).messages) for key, value in exc.error_dict.items()
        }
    return {"": " ".join(exc.messages)}


def _check(kind: ImportKind, data: dict[str, Any]) -> dict[str, str]:
    """The form's checks of one row: field → why it is refused."""
    problems: dict[str, str] = {}
    for key in kind.required:
        if not str(data.get(key, "")).strip() and key not in PARSERS:
            problems[key] = _("This column is required.")
    if len(data.get("title", "")) > TITLE_LENGTH:
        problems["title"] = _("At most %(n)s characters.") % {"n": TITLE_LENGTH}
    dated = "valid_from" in data and "valid_until" in data
    if kind.key == "announcements" and dated and data["valid_until"] < data["valid_from"]:
        problems["valid_until"] = str(_("An announcement cannot end before it starts."))
    if kind.key == "scripts" and "text" not in problems:
        try:
            services.check_template(data.get("text", ""))
        except ValidationError as exc:
            problems.update({k or "text": v for k, v in _messages(exc).items()})
    return problems


def _read_rows(kind: ImportKind, match: HeaderMatch, errors: list[RowError]) -> Iterator[_Row]:
    index = match.mapping
    names = {key: match.column_name(key) for key in kind.headers if key in index}

    for sheet_row in match.rest:
        if sheet_row.is_blank():
            continue
        values = sheet_row.values
        data: dict[str, Any] = {}
        problems: list[RowError] = []
        for key, i in index.items():
            text = values[i].strip() if i < len(values) else ""
            parse = PARSERS.get(key)
            if parse is None:
                data[key] = text
                continue
            try:
                data[key] = parse(text)
            except RowProblem as exc:
                problems.append(
                    RowError(sheet_row.number, names[key], exc.message, exc.code, exc.value)
                )
        if not problems:
            for key, message in _check(kind, data).items():
                column = names.get(key) or names.get("title", "")
                problems.append(
                    RowError(
                        sheet_row.number, column, message, "invalid", str(data.get(key, ""))[:50]
                    )
                )
        if problems:
            errors.extend(problems)
            continue
        yield _Row(sheet_row.number, data)


def _create(kind: ImportKind, area: Area, by: User | None, data: dict[str, Any]) -> None:
    if kind.key == "announcements":
        services.do_create_announcement(area=area, by=by, **data)
    elif kind.key == "guidance":
        services.do_create_guidance(area=area, by=by, **data)
    else:
        services.do_create_script(area=area, by=by, title=data["title"], text=data["text"])


def _titles(kind: ImportKind, area: Area) -> set[str]:
    manager = cast(Any, kind.model)._default_manager
    return set(manager.filter(area=area).values_list("title", flat=True))


def run_import(
    file: IO[bytes] | BinaryIO,
    kind: ImportKind,
    area: Area,
    by: User | None,
    *,
    dry_run: bool = False,
) -> ImportResult:
    """Read the file; unless ``dry_run``, write its new valid rows (all of them or none)."""
    require(by, kind.model, "import", area)
    result = ImportResult()
    with open_spreadsheet(cast(BinaryIO, file)) as sheet:
        match = locate_header(iter(sheet.rows()), kind.headers)
        if match is None or any(f not in match.mapping for f in kind.required):
            have = match.mapping if match else {}
            missing = [kind.headers[f][0] for f in kind.required if f not in have]
            raise SpreadsheetError(
                "missing_columns",
                _("The file has no column for: %(columns)s. Name the columns as the template does.")
                % {"columns": ", ".join(missing)},
            )
        result.unknown_headers = match.unknown
        title_column = match.column_name("title")
        errors: list[RowError] = []
        rows = list(_read_rows(kind, match, errors))
    result.rows = len(rows) + len({e.row for e in errors})
    if result.rows > MAX_ROWS:
        raise SpreadsheetError(
            "too_many_rows",
            _("The file has more than %(limit)s rows; split it into several files.")
            % {"limit": MAX_ROWS},
        )
    if result.rows == 0:
        raise SpreadsheetError("empty", _("The file has no rows to import."))
    known = _titles(kind, area)
    seen: dict[str, int] = {}
    new: list[_Row] = []
    for row in rows:
        title = row.data["title"]
        if title in known:
            result.unchanged += 1
            continue
        if title in seen:
            errors.append(
                RowError(
                    row.number,
                    title_column,
                    _("This title is already in row %(row)s of the file.") % {"row": seen[title]},
                    "duplicate_in_file",
                    title[:50],
                )
            )
            continue
        seen[title] = row.number
        new.append(row)
    result.errors = sorted(errors, key=lambda e: (e.row, e.column))
    result.rejected = len({e.row for e in errors})
    result.created = len(new)
    if dry_run or not new:
        return result
    with transaction.atomic():
        for row in new:
            _create(kind, area, by, row.data)
    result.written = True
    return result
