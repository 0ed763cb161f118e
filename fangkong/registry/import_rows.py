"""The resident import's rows: one register row parsed and checked on its own
(``ResidentRow``), what the writing half did (``ImportOutcome``), and how a row changes a
person already registered (``apply_changes``). No database here; ``registry.bulk`` writes."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from fangkong.core.imports.rows import RowError
from fangkong.core.personal_data import (
    Protected,
    phone_indexes,
    protect_id_number,
    protect_phone,
    retired_keys_in_use,
)
from fangkong.core.pinyin import name_pinyin
from fangkong.registry.choices import IdType
from fangkong.registry.models import Person


@dataclass(frozen=True)
class SystemActor:
    """Who the audit log names for work without a user (``manage.py import_residents``)."""

    username: str
    is_authenticated: bool = False


@dataclass(slots=True)
class ResidentRow:
    """One register row, parsed and validated on its own (no database yet).

    ``None`` means the file says nothing (no such column, or an empty cell): the stored
    value is kept. ``id_number`` and ``phone`` are normalised and valid, or "".
    """

    row: int
    name: str
    building_ref: str
    room: str
    unit: int | None = None
    floor: int | None = None
    sex: str | None = None
    id_number: str = ""
    id_index: str = ""
    birth_date: dt.date | None = None
    id_sex: str | None = None
    phone: str = ""
    phone_index: str = ""
    relation: str | None = None
    residency: str | None = None
    tags: str | None = None
    notes: str | None = None
    #: Filled by ``prepare()`` (where worker processes can do it): what creating costs most.
    name_pinyin: str = ""
    name_initials: str = ""
    id_cipher: str = ""
    id_mask: str = ""
    phone_cipher: str = ""
    phone_mask: str = ""
    phone_last4: str = ""

    def prepare(self) -> None:
        """Pinyin and protected values, computed as do_create_person computes them."""
        self.name_pinyin, self.name_initials = pinyin(self.name)
        if self.id_number:
            protected = protect_id_number(self.id_number)
            self.id_cipher, self.id_index, self.id_mask = (
                protected.cipher,
                protected.index,
                protected.mask,
            )
        if self.phone:
            protected = protect_phone(self.phone)
            self.phone_cipher, self.phone_index, self.phone_mask = (
                protected.cipher,
                protected.index,
                protected.mask,
            )
            self.phone_last4 = protected.extra.get("last4_index", "")

    def protected_id(self) -> Protected:
        """``protect_id_number(self.id_number)``: prepared, or computed now."""
        if not self.id_cipher:
            return protect_id_number(self.id_number)
        return Protected(self.id_cipher, self.id_index, self.id_mask)

    def protected_phone(self) -> Protected:
        """``protect_phone(self.phone)``: prepared, or computed now."""
        if not self.phone_cipher:
            return protect_phone(self.phone)
        return Protected(
            self.phone_cipher, self.phone_index, self.phone_mask, {"last4_index": self.phone_last4}
        )

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        # Rows travel back from worker processes: positional values pickle far faster than
        # a slots dataclass's generated state (a profile's second line at 100,000 rows).
        return ResidentRow, tuple(getattr(self, name) for name in _ROW_FIELDS)


_ROW_FIELDS = tuple(f.name for f in dataclasses.fields(ResidentRow))


@dataclass
class ImportOutcome:
    """What the writing half did (or, in a dry run, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    households_created: int = 0
    errors: list[RowError] = field(default_factory=list)
    written: bool = False


_PINYIN_CACHE: dict[str, tuple[str, str]] = {}


def pinyin(name: str) -> tuple[str, str]:
    # Registers repeat names and surnames a lot; name_pinyin is pure, so remember it.
    result = _PINYIN_CACHE.get(name)
    if result is None:
        if len(_PINYIN_CACHE) > 20_000:  # bounded: a register of strangers rarely repeats
            _PINYIN_CACHE.clear()
        result = _PINYIN_CACHE[name] = name_pinyin(name)
    return result


def apply_changes(person: Person, row: ResidentRow, by_id: bool) -> bool:
    """Bring a registered person in line with the row; whether anything changed."""
    changed = False
    if by_id and row.name != person.name:
        person.name = row.name
        person.name_pinyin, person.name_initials = pinyin(row.name)
        changed = True
    for name in ("relation", "residency", "tags", "notes"):
        value = getattr(row, name)
        if value is not None and value != getattr(person, name):
            setattr(person, name, value)
            changed = True
    if row.id_number and not person.id_number_index:
        person.id_type = IdType.RESIDENT_ID
        person.birth_date = row.birth_date
        person.sex = row.id_sex or person.sex  # an ID number always gives its sex
        person.set_id_number(row.protected_id())
        changed = True
    elif not row.id_number and not person.id_number_index and row.sex and row.sex != person.sex:
        person.sex = row.sex
        changed = True
    if (
        row.phone
        and row.phone_index != person.phone_index
        and (not retired_keys_in_use() or person.phone_index not in phone_indexes(row.phone))
    ):  # the same phone under a retired key (rotation under way) is no change
        person.set_phone(row.protected_phone())
        changed = True
    return changed
