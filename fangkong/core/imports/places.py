"""Places as workers write them: buildings (``1``, ``01``, ``1号楼``, ``东园1号楼``), units
(``2``, ``2单元``, ``二``) and rooms (``502``, ``502室``, ``1-502``, ``1单元502``).

Every import that names a household by building, unit and room resolves it here, so that a
register, a health sheet and a screening sheet accept the same spellings.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from typing import Protocol

from django.utils.translation import gettext as _

from fangkong.core.imports.rows import RowProblem

#: A building's highest unit and floor: the registry's models validate with these too.
UNITS_MAX = 99
FLOORS_MAX = 200

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_BUILDING_SUFFIXES = ("号楼", "#楼", "号院", "栋", "幢", "座", "楼", "号", "#")
ROOM_RE = re.compile(r"^(?:(\d+)(?:单元|-))?([0-9A-Za-z]+)$")


def chinese_number(text: str) -> int | None:
    """``十二`` → 12, ``二十三`` → 23, ``三`` → 3 (enough for units and building numbers)."""
    if not text or any(c not in _CN_DIGITS and c != "十" for c in text):
        return None
    if "十" not in text:
        return int("".join(str(_CN_DIGITS[c]) for c in text)) if len(text) <= 3 else None
    tens, _sep, ones = text.partition("十")
    if "十" in ones or len(tens) > 1 or len(ones) > 1:
        return None
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)


@functools.lru_cache(maxsize=65536)
def compact(text: str) -> str:
    """Full-width forms folded, spaces removed, letters in lower case.

    Cached: a register says 户主, 常住 and 1号楼 thousands of times.
    """
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).casefold()


def _number_key(text: str) -> str:
    """``01`` and ``1`` are one building; ``A1`` stays ``a1``."""
    if text.isdigit():
        return str(int(text))
    number = chinese_number(text)
    return str(number) if number is not None else text


class BuildingLike(Protocol):
    """What resolving needs of a building (the registry's ``Building``)."""

    name: str
    number: str
    section: str


class BuildingIndex[B: BuildingLike]:
    """Resolves ``1``, ``01``, ``1号楼``, ``1栋``, ``1#``, ``东园1号楼`` to a community's building.

    A reference matches a building's exact name first, then its number once a section (or
    the community's name) in front and a suffix (号楼, 栋, 号…) behind are taken off. A
    section that is given must be the building's own.
    """

    def __init__(self, buildings: Iterable[B], community_name: str = "") -> None:
        self.by_name: dict[str, B] = {}
        self.by_number: dict[str, B] = {}
        for building in buildings:
            if building.name:
                self.by_name.setdefault(compact(building.name), building)
            self.by_number.setdefault(_number_key(compact(building.number)), building)
        sections = {compact(b.section) for b in self.by_number.values() if b.section}
        self.prefixes = sorted(sections | ({compact(community_name)} - {""}), key=len, reverse=True)
        self.community_name = compact(community_name)
        self._cache: dict[str, B | None] = {}

    def resolve(self, reference: str) -> B | None:
        key = compact(reference)
        if key not in self._cache:
            self._cache[key] = self._resolve(key) if key else None
        return self._cache[key]

    def _resolve(self, key: str) -> B | None:
        if key in self.by_name:
            return self.by_name[key]
        section = ""
        rest = key
        if self.community_name and rest.startswith(self.community_name):
            rest = rest[len(self.community_name) :]
        for prefix in self.prefixes:
            if prefix != self.community_name and rest.startswith(prefix):
                section, rest = prefix, rest[len(prefix) :]
                break
        for suffix in _BUILDING_SUFFIXES:
            if rest.endswith(suffix) and len(rest) > len(suffix):
                rest = rest[: -len(suffix)]
                break
        building = self.by_number.get(_number_key(rest))
        if building is None:
            return None
        if section and compact(building.section) != section:
            return None  # 西园1号楼 is not 东园's building 1
        return building


def parse_unit(text: str) -> int | None:
    key = compact(text).removesuffix("单元")
    if not key:
        return None
    if key.isdigit() and 0 < int(key) <= UNITS_MAX:
        return int(key)
    number = chinese_number(key)
    if number and number <= UNITS_MAX:
        return number
    raise RowProblem(
        "unit_invalid",
        _("%(value)s is not a unit: write a number such as 2.") % {"value": text.strip()},
        text.strip(),
    )


def parse_room(text: str) -> tuple[int | None, str]:
    """``502``, ``502室``, ``1-502``, ``1单元502`` → (unit or None, room)."""
    key = compact(text).upper()
    for suffix in ("室", "号", "房"):
        key = key.removesuffix(suffix)
    if not key:
        raise RowProblem("room_missing", _("The room is missing."))
    match = ROOM_RE.match(key)
    if match is None or len(match.group(2)) > 20:
        raise RowProblem(
            "room_invalid",
            _("%(value)s is not a room: write it as 502, 1-502 or 1单元502.")
            % {"value": text.strip()},
            text.strip(),
        )
    unit = int(match.group(1)) if match.group(1) else None
    if unit == 0:
        unit = None
    return unit, match.group(2)


def floor_of(room: str) -> int | None:
    """The floor a room number says: 502 → 5, 1201 → 12; None when it does not say."""
    if room.isdigit() and len(room) >= 3 and 0 < int(room[:-2]) <= FLOORS_MAX:
        return int(room[:-2])
    return None
