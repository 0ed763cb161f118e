"""The FAQ's and the inquiries' imports (.xlsx or .csv), checked row by row.

* The FAQ: question, answer, category and whether residents see it, into the importer's
  community or street. A question or answer holding an ID number or a phone is refused
  (FAQ entries hold no personal data, ``core.sensitive_text``). An entry of the same area
  with the same question is already there: a re-run adds nothing twice.
* The inquiries, e.g. a paper hotline log typed into Excel: when, how, category,
  question, answer, status, the room (``1-502``, resolved in the importer's community
  through ``core.imports.places``) and the handler by username. A closed row without an
  answer is refused, as on the pages. An inquiry of the community received at the same
  minute with the same question is already there.

Rows are written through the app's services (checks, scope, audit), all in one
transaction: an error while writing leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, BinaryIO, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.imports.places import BuildingIndex, parse_room, parse_unit
from fangkong.core.imports.rows import RowError, RowProblem
from fangkong.core.querysets import require
from fangkong.core.sensitive_text import holds_id_number_or_phone
from fangkong.core.spreadsheets import (
    HeaderMatch,
    SpreadsheetError,
    locate_header,
    open_spreadsheet,
)
from fangkong.inquiries import services
from fangkong.inquiries.choices import Category, Channel, InquiryStatus
from fangkong.inquiries.models import FaqEntry, Inquiry

if TYPE_CHECKING:
    from fangkong.accounts.models import User
    from fangkong.registry.models import Household

MAX_ROWS = 5_000
MAX_REPORTED_ERRORS = 1000

FAQ_HEADERS: dict[str, tuple[str, ...]] = {
    "question": ("问题", "常见问题", "question"),
    "answer": ("回答", "答复", "解答", "answer"),
    "category": ("类别", "分类", "category"),
    "published": ("向居民公开", "公开", "发布", "published"),
}
FAQ_REQUIRED = ("question", "answer")

INQUIRY_HEADERS: dict[str, tuple[str, ...]] = {
    "received_at": ("来电时间", "时间", "日期", "received_at"),
    "channel": ("方式", "渠道", "channel"),
    "category": ("类别", "分类", "category"),
    "question": ("问题", "咨询内容", "question"),
    "answer": ("回答", "答复", "answer"),
    "status": ("状态", "status"),
    "room": ("房号", "住户", "房间", "room"),
    "handler": ("经办人", "处理人", "handler"),
}
INQUIRY_REQUIRED = ("received_at", "question")

CATEGORY_ALIASES = {
    "疫情": Category.EPIDEMIC,
    "出入证": Category.PASSES,
    "外出": Category.PASSES,
    "物资": Category.SUPPLIES,
    "买菜": Category.SUPPLIES,
    "就医": Category.MEDICAL,
    "医疗": Category.MEDICAL,
    "谣言": Category.RUMOURS,
    "投诉": Category.COMPLAINTS,
    "心理": Category.PSYCHOLOGICAL,
    "其他": Category.OTHER,
}
CHANNEL_ALIASES = {
    "电话": Channel.PHONE,
    "来电": Channel.PHONE,
    "热线": Channel.PHONE,
    "上门": Channel.IN_PERSON,
    "来访": Channel.IN_PERSON,
    "门岗": Channel.GATE,
}
STATUS_ALIASES = {
    "未答复": InquiryStatus.OPEN,
    "未处理": InquiryStatus.OPEN,
    "已答复": InquiryStatus.ANSWERED,
    "已回复": InquiryStatus.ANSWERED,
    "已关闭": InquiryStatus.CLOSED,
    "已办结": InquiryStatus.CLOSED,
}
YES = {"是", "y", "yes", "true", "1", "公开", "√", "✓"}
NO = {"", "否", "n", "no", "false", "0", "不公开"}
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y-%m-%d")
_BUILDING = re.compile(r"^(.+?(?:号楼|栋|幢|楼|#))(.+)$")


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


def _lookup(choices: Any, aliases: Mapping[str, str]) -> dict[str, str]:
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


def _category(categories: Mapping[str, str], text: str) -> str | None:
    """A category by its name, or by the alias its name begins with (疫情信息 is 疫情)."""
    if not text:
        return str(Category.OTHER)
    key = text.casefold()
    if key in categories:
        return categories[key]
    return next((CATEGORY_ALIASES[a] for a in CATEGORY_ALIASES if key.startswith(a)), None)


def _messages(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _open(
    file: IO[bytes] | BinaryIO,
    headers: dict[str, tuple[str, ...]],
    required: tuple[str, ...],
    result: ImportResult,
) -> Iterator[tuple[HeaderMatch, Callable[[list[str], str], str]]]:
    with open_spreadsheet(cast(BinaryIO, file)) as sheet:
        match = locate_header(iter(sheet.rows()), headers)
        if match is None or any(f not in match.mapping for f in required):
            have = match.mapping if match else {}
            missing = [headers[f][0] for f in required if f not in have]
            raise SpreadsheetError(
                "missing_columns",
                _("The file has no column for: %(columns)s. Name the columns as the template does.")
                % {"columns": ", ".join(missing)},
            )
        result.unknown_headers = match.unknown
        index = match.mapping

        def cell(values: list[str], key: str) -> str:
            i = index.get(key)
            return values[i].strip() if i is not None and i < len(values) else ""

        yield match, cell


def _settle(result: ImportResult, errors: list[RowError]) -> None:
    result.errors = sorted(errors, key=lambda e: (e.row, e.column))
    result.rejected = len({e.row for e in errors})


def _count(result: ImportResult, errors: list[RowError], good: int, empty: str) -> None:
    """The file's rows (valid and refused), within the limit and not none."""
    _settle(result, errors)
    result.rows = good + result.rejected
    if result.rows > MAX_ROWS:
        raise SpreadsheetError(
            "too_many_rows",
            _("The file has more than %(limit)s rows; split it into several files.")
            % {"limit": MAX_ROWS},
        )
    if result.rows == 0:
        raise SpreadsheetError("empty", empty)


# --- FAQ ------------------------------------------------------------------------------------


@dataclass
class FaqRow:
    number: int
    question: str
    answer: str
    category: str
    published: bool


def faq_area(user: User) -> Area | None:
    """Where a user's FAQ import goes: its community or street (a grid worker's community)."""
    area: Area | None = user.area
    if area is not None and area.level == AreaLevel.GRID:
        area = area.parent
    if area is None or area.level not in (AreaLevel.COMMUNITY, AreaLevel.STREET):
        return None
    return area


def _faq_rows(match: HeaderMatch, cell: Any, errors: list[RowError]) -> Iterator[FaqRow]:
    names = {key: match.column_name(key) for key in FAQ_HEADERS}
    categories = _lookup(Category, CATEGORY_ALIASES)
    for sheet_row in match.rest:
        if sheet_row.is_blank():
            continue
        values = sheet_row.values
        problems: list[RowError] = []

        def problem(key: str, message: str, value: str = "", code: str = "invalid") -> None:
            problems.append(RowError(sheet_row.number, names[key], message, code, value))  # noqa: B023

        texts: dict[str, str] = {}
        for key, maximum in (
            ("question", services.QUESTION_MAX),
            ("answer", services.ANSWER_MAX),
        ):
            text = cell(values, key)
            if not text:
                problem(key, _("Write the %(what)s down.") % {"what": names[key]}, code="required")
            elif len(text) > maximum:
                problem(key, _("At most %(n)s characters.") % {"n": maximum}, code="too_long")
            elif holds_id_number_or_phone(text):
                # The value is not repeated: it is the very number the row must not hold.
                problem(
                    key,
                    _("Take the ID number or phone number out: FAQ entries hold no personal data."),
                    code="personal_data",
                )
            texts[key] = text
        category_text = cell(values, "category")
        category = _category(categories, category_text)
        if category is None:
            problem("category", _("Unknown category."), category_text, "unknown_category")
        published_text = cell(values, "published").casefold()
        if published_text not in YES | NO:
            problem("published", _("Write 是 or 否."), published_text, "invalid")
        if problems:
            errors.extend(problems)
            continue
        yield FaqRow(
            sheet_row.number,
            texts["question"],
            texts["answer"],
            category or Category.OTHER,
            published_text in YES,
        )


def run_faq_import(
    file: IO[bytes] | BinaryIO, area: Area, by: User | None, *, dry_run: bool = False
) -> ImportResult:
    """Read an FAQ list into ``area``; unless ``dry_run``, write its new valid rows."""
    require(by, FaqEntry, "import", area, reason=_("Your role does not write the FAQ."))
    result = ImportResult()
    errors: list[RowError] = []
    for match, cell in _open(file, FAQ_HEADERS, FAQ_REQUIRED, result):
        rows = list(_faq_rows(match, cell, errors))
        question_column = match.column_name("question")
    _count(result, errors, len(rows), _("The file has no FAQ entries in it."))
    known = set(FaqEntry.objects.filter(area=area).values_list("question", flat=True))
    seen: dict[str, int] = {}
    new: list[FaqRow] = []
    for row in rows:
        if row.question in known:
            result.unchanged += 1
        elif row.question in seen:
            errors.append(
                RowError(
                    row.number,
                    question_column,
                    _("This question is already in row %(row)s of the file.")
                    % {"row": seen[row.question]},
                    "duplicate_in_file",
                )
            )
        else:
            seen[row.question] = row.number
            new.append(row)
    _settle(result, errors)
    result.created = len(new)
    if dry_run or not new:
        return result
    with transaction.atomic():
        for row in new:
            services.do_create_faq_entry(
                area,
                by=by,
                category=row.category,
                question=row.question,
                answer=row.answer,
                published=row.published,
            )
    result.written = True
    return result


# --- Inquiries ------------------------------------------------------------------------------


@dataclass
class InquiryRow:
    number: int
    received_at: dt.datetime
    channel: str
    category: str
    question: str
    answer: str
    status: str
    household: Household | None
    handler: User | None


def _parse_time(text: str, community: Area) -> dt.datetime | None:
    for pattern in _TIME_FORMATS:
        try:
            naive = dt.datetime.strptime(text, pattern)
        except ValueError:
            continue
        return naive.replace(tzinfo=community.zone)
    return None


class _Households:
    """A community's households by what a worker writes for a room: ``1号楼2单元502``,
    ``1号楼502``, ``1-502`` (building and room), ``1-2-502`` (building, unit, room)."""

    def __init__(self, community: Area) -> None:
        from fangkong.registry.models import Building, Household

        self.buildings = BuildingIndex(Building.objects.filter(community=community), community.name)
        self.rooms: dict[tuple[int, str], list[Household]] = {}
        for household in Household.objects.filter(community=community, building__isnull=False):
            key = (cast(int, household.building_id), household.room.upper())
            self.rooms.setdefault(key, []).append(household)

    def find(self, text: str) -> Household | None:
        """The one household the text names, or None (unknown, or several units match)."""
        key = text.replace(" ", "")
        parts = key.split("-")
        try:
            if len(parts) == 3:
                building_text, unit, room = parts[0], parse_unit(parts[1]), parts[2]
            elif len(parts) == 2:
                building_text, (unit, room) = parts[0], parse_room(parts[1])
            else:
                match = _BUILDING.match(key)
                if match is None:
                    return None
                building_text, (unit, room) = match.group(1), parse_room(match.group(2))
        except RowProblem:
            return None
        building = self.buildings.resolve(building_text)
        if building is None:
            return None
        found = [
            h
            for h in self.rooms.get((building.pk, room.upper()), [])
            if unit is None or h.unit == unit
        ]
        return found[0] if len(found) == 1 else None


def _inquiry_rows(
    match: HeaderMatch, cell: Any, community: Area, errors: list[RowError]
) -> Iterator[InquiryRow]:
    from fangkong.accounts.models import User

    names = {key: match.column_name(key) for key in INQUIRY_HEADERS}
    channels = _lookup(Channel, CHANNEL_ALIASES)
    categories = _lookup(Category, CATEGORY_ALIASES)
    statuses = _lookup(InquiryStatus, STATUS_ALIASES)
    households = _Households(community)
    handlers: dict[str, User | None] = {}
    for sheet_row in match.rest:
        if sheet_row.is_blank():
            continue
        values = sheet_row.values
        problems: list[RowError] = []

        def problem(key: str, message: str, value: str = "", code: str = "invalid") -> None:
            problems.append(RowError(sheet_row.number, names[key], message, code, value))  # noqa: B023

        time_text = cell(values, "received_at")
        received_at = _parse_time(time_text, community) if time_text else None
        if received_at is not None and received_at > timezone.now():
            problem("received_at", _("An inquiry cannot be received in the future."), time_text)
        elif received_at is None:
            problem(
                "received_at",
                _("Write the time as 2022-04-01 09:30."),
                time_text,
                "required" if not time_text else "invalid",
            )
        question = cell(values, "question")
        if not question:
            problem("question", _("Write the question down."), code="required")
        elif len(question) > services.QUESTION_MAX:
            problem("question", _("At most %(n)s characters.") % {"n": services.QUESTION_MAX})
        answer = cell(values, "answer")
        if len(answer) > services.ANSWER_MAX:
            problem("answer", _("At most %(n)s characters.") % {"n": services.ANSWER_MAX})
        choice: dict[str, str] = {}
        category_text = cell(values, "category")
        if (category := _category(categories, category_text)) is None:
            problem("category", _("Unknown category."), category_text, "unknown_category")
        for key, lookup, default in (
            ("channel", channels, Channel.PHONE),
            ("status", statuses, InquiryStatus.ANSWERED if answer else InquiryStatus.OPEN),
        ):
            text = cell(values, key)
            code = lookup.get(text.casefold()) if text else str(default)
            if code is None:
                problem(key, _("Choose one of the listed values."), text, f"unknown_{key}")
            choice[key] = code or str(default)
        choice["category"] = category or Category.OTHER
        if choice["status"] == InquiryStatus.CLOSED and not answer:
            problem(
                "answer",
                _("An inquiry is closed only once it has an answer."),
                code="closed_without_answer",
            )
        elif choice["status"] == InquiryStatus.ANSWERED and not answer:
            problem("answer", _("Write the answer down."), code="required")
        elif choice["status"] == InquiryStatus.FOLLOW_UP:
            problem(
                "status",
                _("A call back is set on the inquiry's page, with its date: import it as open."),
                cell(values, "status"),
            )
        household = None
        if room_text := cell(values, "room"):
            household = households.find(room_text)
            if household is None:
                problem("room", _("No household of this room in the community."), room_text, "room")
        handler = None
        if username := cell(values, "handler"):
            if username not in handlers:
                handlers[username] = User.objects.filter(username=username).first()
            handler = handlers[username]
            if handler is None:
                problem("handler", _("No user of this name."), username, "handler")
            else:
                try:
                    services.check_handler(handler, community)
                except ValidationError as exc:
                    problem("handler", _messages(exc), username, "handler")
        if problems:
            errors.extend(problems)
            continue
        yield InquiryRow(
            sheet_row.number,
            cast(dt.datetime, received_at),
            choice["channel"],
            choice["category"],
            question,
            answer,
            choice["status"],
            household,
            handler,
        )


def inquiry_community(user: User) -> Area | None:
    """The community a user's inquiry import goes to: its own (a grid worker's community)."""
    area: Area | None = user.area
    return area.community if area is not None else None


def run_inquiry_import(
    file: IO[bytes] | BinaryIO, community: Area, by: User | None, *, dry_run: bool = False
) -> ImportResult:
    """Read an inquiry log into ``community``; unless ``dry_run``, write its new valid rows."""
    require(by, Inquiry, "import", community, reason=_("Your role does not record inquiries."))
    result = ImportResult()
    errors: list[RowError] = []
    for match, cell in _open(file, INQUIRY_HEADERS, INQUIRY_REQUIRED, result):
        rows = list(_inquiry_rows(match, cell, community, errors))
        question_column = match.column_name("question")
    _count(result, errors, len(rows), _("The file has no inquiries in it."))
    known = set(Inquiry.objects.filter(community=community).values_list("received_at", "question"))
    seen: dict[tuple[dt.datetime, str], int] = {}
    new: list[InquiryRow] = []
    for row in rows:
        key = (row.received_at, row.question)
        if key in known:
            result.unchanged += 1
        elif key in seen:
            errors.append(
                RowError(
                    row.number,
                    question_column,
                    _("This question is already in row %(row)s of the file.") % {"row": seen[key]},
                    "duplicate_in_file",
                )
            )
        else:
            seen[key] = row.number
            new.append(row)
    _settle(result, errors)
    result.created = len(new)
    if dry_run or not new:
        return result
    with transaction.atomic():
        for row in new:
            inquiry = services.do_record_inquiry(
                community,
                by=by,
                channel=row.channel,
                category=row.category,
                question=row.question,
                household=row.household,
                handler=row.handler,
                received_at=row.received_at,
                answer=row.answer,
            )
            if row.status == InquiryStatus.CLOSED:
                services.do_close_inquiry(inquiry, by=by)
    result.written = True
    return result
