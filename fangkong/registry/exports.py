"""Registry spreadsheets going out: people and households, the import template, the sample.

Exports are what higher offices ask for, so their headers and labels are Chinese whatever
the page's language (the same names the import reads, so an export can be edited and
imported back). They are masked by default: ID numbers and phones as masks, ages instead of
birth dates. A user with the right to reveal may ask for full numbers, with a reason.

Every download — the template and the sample included — is an access event
(``AccessKind.EXPORT``) whose detail says what was exported, how many rows and with which
filters, never a value.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator, Mapping
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, BinaryIO

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from stdnum.cn import ric

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.audit import record_access
from fangkong.core.choices import AccessKind
from fangkong.core.exports import Exporter, filter_data, register
from fangkong.core.personal_data import decrypt, id_number_indexes
from fangkong.core.spreadsheets import Progress, SheetSpec, neutralise, write_csv, write_xlsx
from fangkong.registry.choices import PersonStatus
from fangkong.registry.import_columns import (
    EXAMPLE_NAME,
    HEADERS,
    RELATION_NAMES,
    RESIDENCY_NAMES,
    SEX_NAMES,
    TAG_NAMES,
    TEMPLATE_FIELDS,
    TEMPLATE_GUIDE,
    TEMPLATE_GUIDE_HEADER,
    TEMPLATE_HEADERS,
)
from fangkong.registry.models import Building, Household, Person

if TYPE_CHECKING:
    from fangkong.accounts.models import User

FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}
#: Columns of exports that the import does not read (it lists them as ignored).
AGE, BIRTH_DATE, STATUS = "年龄", "出生日期", "状态"
FLOOR, HOUSEHOLD_NUMBER, HEAD, MEMBERS, OCCUPIED = "楼层", "户号", "户主", "人数", "在住"
STATUS_NAMES: dict[str, str] = {
    PersonStatus.ACTIVE: "在册",
    PersonStatus.MOVED_OUT: "迁出",
    PersonStatus.MOVED_HOUSE: "搬迁",
    PersonStatus.DIED: "死亡",
}
SHEET_PEOPLE, SHEET_HOUSEHOLDS = "人员", "住户"
SHEET_TEMPLATE, SHEET_GUIDE = "居民登记", "填写说明"
CHUNK = 2000


def _building_label(building: Building) -> str:
    # The name when it has one (东园1号楼), else the number: both import back.
    return building.name or building.number


def _filters(filters: Mapping[str, Any]) -> dict[str, Any]:
    """Filters for the access log: which were used, never a searched name or number."""
    logged: dict[str, Any] = {}
    for key, value in filters.items():
        if key in ("csrfmiddlewaretoken", "page", "format", "encoding", "reason", "reveal"):
            continue
        if value in ("", None, []):
            continue
        logged[key] = True if key == "q" else str(value)[:50]
    return logged


def _write(
    fmt: str,
    target: BinaryIO,
    title: str,
    header: list[str],
    rows: Iterator[list[Any]],
    encoding: str,
    text_columns: tuple[int, ...] = (),
    progress: Progress | None = None,
) -> int:
    if fmt == "csv":
        return write_csv(target, header, rows, encoding=encoding, progress=progress)
    return write_xlsx(
        target, [SheetSpec(title, header, rows, text_columns=text_columns)], progress=progress
    )


def _area_path(user: User, community: Area | None = None) -> str:
    if community is not None:
        return community.path
    return user.area.path if user.area is not None else "/"


# --- People ---------------------------------------------------------------------------------


def person_header(reveal: bool = False) -> list[str]:
    fields = [HEADERS[f][0] for f in TEMPLATE_FIELDS]
    position = fields.index(HEADERS["sex"][0]) + 1
    fields[position:position] = [AGE, BIRTH_DATE] if reveal else [AGE]
    return [*fields, STATUS]


def _person_row(person: Person, reveal: bool) -> list[Any]:
    household = person.household
    tags = "、".join(TAG_NAMES.get(t, t) for t in person.tag_list)
    row: list[Any] = [
        _building_label(household.building) if household else "",
        household.unit if household else "",
        household.room if household else "",
        person.name,
        SEX_NAMES.get(person.sex, ""),
        person.age if person.age is not None else "",
    ]
    if reveal:
        row += [
            person.birth_date.isoformat() if person.birth_date else "",
            decrypt(person.id_number_cipher),
            decrypt(person.phone_cipher),
        ]
    else:
        row += [person.id_number_mask, person.phone_mask]
    row += [
        RELATION_NAMES.get(person.relation, ""),
        RESIDENCY_NAMES.get(person.residency, ""),
        tags,
        STATUS_NAMES.get(person.status, person.status),
    ]
    return row


#: What a row of the people export reads (``only()``: a district's export reads no notes).
PERSON_COLUMNS = (
    "name",
    "sex",
    "birth_date",
    "id_number_mask",
    "phone_mask",
    "relation",
    "residency",
    "tags",
    "status",
    "household__unit",
    "household__room",
    "household__building__name",
    "household__building__number",
)
PERSON_REVEALED = ("id_number_cipher", "phone_cipher")


def export_people(
    queryset: QuerySet[Person],
    fmt: str,
    target: BinaryIO,
    *,
    user: User,
    filters: Mapping[str, Any] | None = None,
    encoding: str = "gb18030",
    reveal: bool = False,
    reason: str = "",
    progress: Progress | None = None,
) -> int:
    """Write ``queryset`` (already restricted and filtered) to ``target``; returns the rows.

    ``reveal`` writes full ID numbers, phones and birth dates: only for a user with the
    right to reveal, with a reason, and the access event says so.
    """
    if fmt not in FORMATS:
        raise ValueError(fmt)
    if reveal and (not user.has_action(Person, "reveal") or len(reason.strip()) < 2):
        raise PermissionDenied
    columns = PERSON_COLUMNS + (PERSON_REVEALED if reveal else ())
    people = (
        queryset.select_related("household__building")
        .only(*columns)
        .order_by(
            "household__building__sort_key",
            "household__building__number",
            "household__unit",
            "household__room",
            "pk",
        )
    )
    header = person_header(reveal)
    text = tuple(
        i for i, h in enumerate(header) if h in (HEADERS["id_number"][0], HEADERS["phone"][0])
    )
    rows = (_person_row(p, reveal) for p in people.iterator(chunk_size=CHUNK))
    written = _write(fmt, target, SHEET_PEOPLE, header, rows, encoding, text, progress)
    record_access(
        AccessKind.EXPORT,
        actor=user,
        area_path=_area_path(user),
        reason=reason.strip(),
        detail={
            "model": "person",
            "rows": written,
            "format": fmt,
            "encoding": encoding if fmt == "csv" else "",
            "masked": not reveal,
            "filters": _filters(filters or {}),
        },
    )
    return written


# --- Households -----------------------------------------------------------------------------

HOUSEHOLD_HEADER = [
    HEADERS["building"][0],
    HEADERS["unit"][0],
    FLOOR,
    HEADERS["room"][0],
    HOUSEHOLD_NUMBER,
    HEAD,
    MEMBERS,
    HEADERS["phone"][0],
    OCCUPIED,
]


def export_households(
    queryset: QuerySet[Household],
    fmt: str,
    target: BinaryIO,
    *,
    user: User,
    filters: Mapping[str, Any] | None = None,
    encoding: str = "gb18030",
    progress: Progress | None = None,
) -> int:
    """Write households (masked landlines, member counts) to ``target``; returns the rows."""
    if fmt not in FORMATS:
        raise ValueError(fmt)
    households = (
        queryset.select_related("building", "head")
        .annotate(member_count=Count("members", filter=Q(members__status=PersonStatus.ACTIVE)))
        .order_by("building__sort_key", "building__number", "unit", "room", "pk")
    )
    rows = (
        [
            _building_label(h.building),
            h.unit,
            h.floor if h.floor is not None else "",
            h.room,
            h.number,
            h.head.name if h.head is not None else "",
            h.member_count,
            h.phone_mask,
            "是" if h.is_active else "否",
        ]
        for h in households.iterator(chunk_size=CHUNK)
    )
    written = _write(
        fmt, target, SHEET_HOUSEHOLDS, HOUSEHOLD_HEADER, rows, encoding, (7,), progress
    )
    record_access(
        AccessKind.EXPORT,
        actor=user,
        area_path=_area_path(user),
        detail={
            "model": "household",
            "rows": written,
            "format": fmt,
            "encoding": encoding if fmt == "csv" else "",
            "masked": True,
            "filters": _filters(filters or {}),
        },
    )
    return written


# --- The import template --------------------------------------------------------------------

#: Obviously invented, and skipped by the import if left in (recognised by its name).
EXAMPLE_ROW = [
    "1号楼",
    "1",
    "502",
    EXAMPLE_NAME,
    "女",
    "110101199003070000",
    "13800000000",
    "户主",
    "常住",
    "独居老人",
]


def write_template(target: BinaryIO, *, user: User, community: Area) -> None:
    """The blank register: Chinese headers, an example row, and a sheet explaining them.

    The ID number and phone columns are formatted as text, so Excel keeps what is typed
    there as typed instead of turning an ID number into 1.10101E+17.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TEMPLATE
    sheet.append(list(TEMPLATE_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, field in enumerate(TEMPLATE_FIELDS, start=1):
        column = sheet.column_dimensions[get_column_letter(index)]
        column.width = 22 if field in ("id_number", "phone", "name") else 12
        if field in ("id_number", "phone", "room"):
            column.number_format = "@"
    sheet.append([neutralise(v) for v in EXAMPLE_ROW])
    for cell in sheet[2]:
        cell.number_format = "@"
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet(SHEET_GUIDE)
    guide.append(list(TEMPLATE_GUIDE_HEADER))
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for line in TEMPLATE_GUIDE:
        guide.append([neutralise(v) for v in line])
    for letter, width in zip("ABCD", (14, 8, 60, 40), strict=True):
        guide.column_dimensions[letter].width = width
    workbook.save(target)
    record_access(
        AccessKind.EXPORT,
        actor=user,
        area_path=community.path,
        detail={"model": "person", "what": "import_template", "rows": 0, "format": "xlsx"},
    )


# --- The demo's sample register -------------------------------------------------------------


def is_demo_community(community: Area) -> bool:
    from fangkong.areas import demo

    return community.code in (demo.COMMUNITY[1], demo.COMMUNITY2[1])


#: Doors the sample's households use: the demo fills landings with doors 01–04 only, so
#: rooms such as 305 are empty in the demo and stay the sample's own across downloads.
SAMPLE_DOORS = (5, 6)


def _bad_sample_rows(
    rng: random.Random,
    first: list[Any],
    building_of_first: Building,
    new_id: Callable[[dt.date, str], str],
    taken_phones: set[str],
) -> list[list[Any]]:
    """One row for each reason the import explains, in the place of the sample's first row
    (drawn from ``rng`` in the same order every time: the sample stays the same file)."""
    from fangkong.core.demo import birth_date_for_age, fake_mobile, fake_name

    building, unit, room = first[0], first[1], first[2]
    birth = birth_date_for_age(rng, 44)
    good_id = new_id(birth, "M")
    bad_check = good_id[:17] + ("0" if good_id[17] != "0" else "1")
    excel_number = float(new_id(birth_date_for_age(rng, 50), "F"))
    impossible = "21011219870231123"  # 31 February 1987, with a right check digit
    impossible += ric.calc_check_digit(impossible + "0")
    bad_room = f"{min(2, building_of_first.floors)}{SAMPLE_DOORS[0]:02d}"
    return [
        [
            building,
            unit,
            bad_room,
            fake_name(rng, "M", birth.year),
            "男",
            bad_check,
            fake_mobile(rng, taken_phones),
            "户主",
            "常住",
            "",
            "辽宁沈阳",
        ],
        [
            building,
            unit,
            bad_room,
            fake_name(rng, "F", 1976),
            "女",
            excel_number,
            fake_mobile(rng, taken_phones),
            "户主",
            "租户",
            "",
            "吉林长春",
        ],
        [
            "99号楼",
            1,
            "101",
            fake_name(rng, "M", 1980),
            "男",
            new_id(birth, "M"),
            fake_mobile(rng, taken_phones),
            "户主",
            "常住",
            "",
            "辽宁铁岭",
        ],
        [
            building,
            unit,
            room,
            "",
            "女",
            new_id(birth_date_for_age(rng, 30), "F"),
            fake_mobile(rng, taken_phones),
            "子女",
            "常住",
            "",
            "辽宁沈阳",
        ],
        [
            building,
            unit,
            room,
            fake_name(rng, "F", 1990),
            "女",
            new_id(birth_date_for_age(rng, 36), "F"),
            "1381234567",
            "子女",
            "常住",
            "",
            "辽宁沈阳",
        ],
        [
            building,
            unit,
            room,
            fake_name(rng, "M", 1950),
            "男",
            first[5],
            "",
            "父母",
            "常住",
            "慢性病",
            "辽宁沈阳",
        ],
        [
            building,
            unit,
            bad_room,
            fake_name(rng, "M", 1987),
            "男",
            impossible,
            fake_mobile(rng, taken_phones),
            "户主",
            "流动",
            "",
            "黑龙江哈尔滨",
        ],
    ]


def sample_rows(community: Area) -> tuple[list[str], list[list[Any]]]:
    """A register a grid worker might bring: variant headers, a title row, good rows of
    generated people in rooms the demo leaves empty, and one bad row for each reason the
    import explains. The same file every time, so importing it twice shows idempotence."""
    from fangkong.core.demo import (
        birth_date_for_age,
        fake_mobile,
        fake_name,
        fake_resident_id,
        fake_surname,
    )

    rng = random.Random(f"sample-register:{community.code}")
    buildings = list(Building.objects.filter(community=community).order_by("sort_key", "pk"))
    rooms = [
        (b, unit, f"{floor}{door:02d}")
        for b in buildings[:6]
        for unit in range(1, b.units + 1)
        for floor in range(1, b.floors + 1)
        for door in SAMPLE_DOORS
    ]
    free = rng.sample(rooms, min(len(rooms), 4))
    sample_households = {(b.pk, unit, room) for b, unit, room in free}
    taken_ids: set[str] = set()
    taken_phones: set[str] = set()

    def new_id(birth: dt.date, sex: str) -> str:
        # Never the number of a demo resident; the sample's own people (in its rooms) may
        # hold it already, when the sample was imported before.
        while True:
            number = fake_resident_id(rng, birth, sex, taken_ids)
            holders = Person.objects.filter(
                community=community, id_number_index__in=id_number_indexes(number)
            ).values_list("household__building_id", "household__unit", "household__room")
            if all(holder in sample_households for holder in holders):
                return number

    header = [
        "楼号",
        "单元号",
        "房间号",
        "姓名",
        "性别",
        "身份证号码",
        "联系电话",
        "户主关系",
        "人员类型",
        "标签",
        "籍贯",
    ]
    rows: list[list[Any]] = []
    families = (
        ("户主", "配偶", "子女"),
        ("户主", "配偶", "子女", "父母"),
        ("户主",),
        ("户主", "子女"),
    )
    for (building, unit, room), relations in zip(free, families, strict=False):
        surname = fake_surname(rng)
        for relation in relations:
            age = {
                "户主": rng.randint(35, 60),
                "配偶": rng.randint(33, 58),
                "子女": rng.randint(3, 20),
                "父母": rng.randint(65, 85),
            }[relation]
            sex = "M" if relation == "户主" else rng.choice("MF")
            birth = birth_date_for_age(rng, age)
            name = fake_name(rng, sex, birth.year, surname if relation != "配偶" else None)
            tags = "独居老人" if relation == "户主" and len(relations) == 1 and age >= 60 else ""
            rows.append(
                [
                    building.number,
                    unit,
                    room,
                    name,
                    "男" if sex == "M" else "女",
                    new_id(birth, sex),
                    fake_mobile(rng, taken_phones) if age >= 16 else "",
                    relation,
                    "常住",
                    tags,
                    "辽宁沈阳",
                ]
            )
    if not rows:
        return header, rows
    bad = _bad_sample_rows(rng, rows[0], free[0][0], new_id, taken_phones)
    # Bad rows among the good ones, as in a real register.
    for offset, line in enumerate(bad):
        rows.insert(min(len(rows), 2 + offset * 2), line)
    return header, rows


def write_sample_register(target: BinaryIO, *, user: User, community: Area) -> int:
    """The demo's sample register as .xlsx: a title row, then a header, then the rows."""
    if not is_demo_community(community):
        raise PermissionDenied
    header, rows = sample_rows(community)
    title = [f"{community.name}居民登记表（示例，{timezone.localdate():%Y年%m月}）"]
    written = write_xlsx(
        target,
        [
            SheetSpec(
                SHEET_TEMPLATE,
                title,
                [header, *rows],
                widths=(8, 8, 8, 10, 6, 22, 14, 10, 10, 10, 12),
            )
        ],
    )
    record_access(
        AccessKind.EXPORT,
        actor=user,
        area_path=community.path,
        detail={
            "model": "person",
            "what": "sample_register",
            "rows": max(written - 1, 0),
            "format": "xlsx",
        },
    )
    return written - 1


# --- Exports as jobs (core.exports) ---------------------------------------------------------


def people_for_export(user: User, filters: QueryDict) -> QuerySet[Person]:
    """The people the list shows ``user`` with ``filters``, through ``restrict()``."""
    from fangkong.registry.filtersets import PersonFilterSet

    people = Person.objects.restrict(user)
    filterset = PersonFilterSet(
        filters or None, queryset=people, request=SimpleNamespace(user=user), page=True
    )
    if not filterset.is_bound:
        return people.filter(status=PersonStatus.ACTIVE)  # as the untouched list shows
    found: QuerySet[Person] = filterset.qs  # django_filters has no types
    return found


def households_for_export(user: User, filters: QueryDict) -> QuerySet[Household]:
    """Households of ``user``'s scope, of one building or one grid when asked (404 when that
    building or grid is not the user's, now)."""
    households = Household.objects.restrict(user)
    if building_pk := filters.get("building"):
        building = get_object_or_404(Building.objects.restrict(user), pk=_number(building_pk))
        households = households.filter(building=building)
    if grid_pk := filters.get("grid"):
        grid = get_object_or_404(
            Area.objects.restrict(user), pk=_number(grid_pk), level=AreaLevel.GRID
        )
        households = households.filter(building__grid=grid)
    return households


def _number(value: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


def _check_reveal(user: User, params: Mapping[str, Any]) -> None:
    if params.get("reveal") and not user.has_action(Person, "reveal"):
        raise PermissionDenied


def _write_people(
    user: User, params: dict[str, Any], target: BinaryIO, progress: Progress | None
) -> int:
    filters = filter_data(params.get("filters") or {})
    return export_people(
        people_for_export(user, filters),
        params["format"],
        target,
        user=user,
        filters=filters,
        encoding=params.get("encoding", "gb18030"),
        reveal=bool(params.get("reveal")),
        reason=params.get("reason") or "",
        progress=progress,
    )


def _write_households(
    user: User, params: dict[str, Any], target: BinaryIO, progress: Progress | None
) -> int:
    filters = filter_data(params.get("filters") or {})
    return export_households(
        households_for_export(user, filters),
        params["format"],
        target,
        user=user,
        filters=filters,
        encoding=params.get("encoding", "gb18030"),
        progress=progress,
    )


PEOPLE_EXPORT = register(
    Exporter(
        name="registry.people",
        model=Person,
        label=gettext_lazy("People"),
        count=lambda user, p: people_for_export(user, filter_data(p.get("filters") or {})).count(),
        write=_write_people,
        filename=lambda p: _("people"),
        check=_check_reveal,
    )
)
HOUSEHOLDS_EXPORT = register(
    Exporter(
        name="registry.households",
        model=Household,
        label=gettext_lazy("Households"),
        count=lambda user, p: households_for_export(
            user, filter_data(p.get("filters") or {})
        ).count(),
        write=_write_households,
        filename=lambda p: _("households"),
    )
)
