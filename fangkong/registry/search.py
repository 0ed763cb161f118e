"""Search of the people list through indexes: what a worker types, found without a scan.

A search is a union of branches. Each branch is a condition that an index serves, applied to
the queryset the caller passes (already restricted to the user's scope), and the answer is
``queryset.filter(pk__in=<branch 1> UNION <branch 2> ...)``: the database reads the few rows
the indexes point at, never every person in scope. The branches:

* **name** — PostgreSQL: ``pg_trgm`` GIN index on ``UPPER(name)`` (the expression Django's
  ``icontains`` compares). Trigrams serve an infix of three characters or more, and a prefix
  or suffix of any length, but not a two-character infix (no trigram lies inside it), so two
  characters are searched as a prefix or a suffix of the name: 王秀 (surname and first
  character) or 秀英 (given name) — the middle of a four-character name is not found by two
  characters. SQLite: the table ``registry_person_name_gram`` holds each name's bigrams and its
  first character (``^王``), kept by triggers on every insert, rename and delete whatever
  writes the row (services, imports, the demo, the retention purge); the name's bigrams are
  looked up and the candidates checked with ``LIKE``.
* **pinyin and initials** — prefix on ``name_pinyin``/``name_initials``: ``LIKE 'zs%'`` on
  PostgreSQL (Django's ``varchar_pattern_ops`` index of each column), and on SQLite a range
  (``>= 'zs' AND < 'zt'``), because SQLite's case-insensitive ``LIKE`` cannot use an index.
* **phones** — the last four digits and a whole number by blind-index equality; ID numbers
  likewise (``core.personal_data``); whole numbers go through the logged service functions.
* **addresses** — as the pages print them and their short forms (东园1号楼2单元301室,
  1号楼2单元301, 1-2-301, 东园1号楼): parsed into building (section and number), unit and
  room, matched by equality (building number index, the household's unique building/unit/
  room index); a household number or a room number by equality.

Results are ranked exact-first: an exact name, pinyin, initials, address, household number,
room or phone before a name or pinyin that only begins or contains the text.

Bad input: more than ``MAX_LENGTH`` characters is refused, and so is a single character that
is not a 汉字 (one digit or letter would match half the registry by prefix). One 汉字 is a
surname: people whose name begins with it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Case, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from fangkong.core.personal_data import phone_last4_indexes
from fangkong.registry import name_grams as name_gram_table
from fangkong.registry.models import Building, Household

#: Longer than any address, name or number a worker types; a 10,000-character "search" is
#: refused before it reaches the database.
MAX_LENGTH = 50

#: Grams looked up per name search on SQLite; the LIKE recheck makes the answer exact anyway.
MAX_GRAMS = 4

CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
LAST4_RE = re.compile(r"\d{4}")
ROOM_RE = re.compile(r"[A-Za-z]?\d{2,6}[A-Za-z]?")
_SECTION = r"(?P<section>[^\d\s\-]{0,20}?)"
_BUILDING = r"(?P<building>\d{1,9})"
_ROOM = r"(?P<room>[A-Za-z]?\d{1,6}[A-Za-z]?)"
#: 东园1号楼2单元301室, 1号楼2单元301, 东园1号楼, 3栋1单元: as printed and as said.
ADDRESS_RE = re.compile(
    rf"(?P<head>{_SECTION}{_BUILDING}(?:号楼|号|栋|幢|座))"
    rf"(?:(?P<unit>\d{{1,2}})单元(?:{_ROOM}室?)?)?"
)
#: 1-2-301 (building-unit-room, the household number's form), 东园1-2-301.
DASHED_RE = re.compile(rf"{_SECTION}{_BUILDING}-(?P<unit>\d{{1,2}})-{_ROOM}")


def normalise(value: str) -> str:
    """Full-width digits, letters and dashes as ASCII (NFKC); no spaces (numbers and
    addresses are typed with spaces anywhere)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or ""))


def normalise_name(value: str) -> str:
    """NFKC, with runs of spaces as one (a Latin name keeps the space between its words)."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value or "")).strip()


def validate_search_text(value: str) -> None:
    """Refuse what no index can answer: too long, or one character that is not a 汉字."""
    if len(value or "") > MAX_LENGTH:
        raise ValidationError(
            _("Search for at most %(max)s characters.") % {"max": MAX_LENGTH}, code="max_length"
        )
    text = normalise(value)
    if len(text) == 1 and not CJK_RE.fullmatch(text):
        raise ValidationError(
            _("Type at least two characters (one Chinese character finds a surname)."),
            code="min_length",
        )


@dataclass(frozen=True)
class Address:
    """An address typed into the search box: building, and perhaps unit and room."""

    section: str
    building: str
    head: str = ""  # the building as typed (东园1号楼), compared with buildings' names
    unit: int | None = None
    room: str | None = None

    @property
    def complete(self) -> bool:
        return self.unit is not None and self.room is not None

    def buildings(self) -> models.QuerySet[Building]:
        digits = self.building.lstrip("0") or "0"
        # Building numbers are typed as 1, 01 or 001 and stored as their community wrote them.
        match = Q(number__in={self.building, digits, digits.zfill(2), digits.zfill(3)})
        if self.section:
            match &= Q(section=self.section) | Q(name=self.head)
        return Building.objects.filter(match)

    def households(self) -> models.QuerySet[Household]:
        households = Household.objects.filter(building__in=self.buildings())
        if self.unit is not None:
            households = households.filter(unit=self.unit)
        if self.room is not None:
            households = households.filter(room=self.room)
        return households


def parse_address(text: str) -> Address | None:
    """The address in a normalised search text, or None if it is not one."""
    if found := ADDRESS_RE.fullmatch(text):
        unit = found["unit"]
        return Address(
            section=found["section"],
            building=found["building"],
            head=found["head"],
            unit=int(unit) if unit else None,
            room=found["room"],
        )
    if found := DASHED_RE.fullmatch(text):
        return Address(
            section=found["section"],
            building=found["building"],
            head=f"{found['section']}{found['building']}号楼",
            unit=int(found["unit"]),
            room=found["room"],
        )
    return None


def _ascii_lower(text: str) -> str:
    # SQLite's lower() folds ASCII letters only; the grams are written with it.
    return "".join(c.lower() if c.isascii() else c for c in text)


def name_grams(text: str) -> list[str]:
    """The grams of the gram table that a name containing ``text`` must have (SQLite)."""
    text = _ascii_lower(text)
    if len(text) == 1:
        return [f"^{text}"]  # one character: a surname, the name's first character
    grams = list(dict.fromkeys(text[i : i + 2] for i in range(len(text) - 1)))
    if len(grams) > MAX_GRAMS:  # the first, the last and some between are enough
        step = (len(grams) - 1) / (MAX_GRAMS - 1)
        grams = [grams[round(i * step)] for i in range(MAX_GRAMS)]
    return grams


def _vendor(queryset: models.QuerySet[Any]) -> str:
    return connections[queryset.db].vendor


def _name_branch(queryset: models.QuerySet[Any], text: str) -> models.QuerySet[Any]:
    vendor = _vendor(queryset)
    if vendor == "sqlite":
        for gram in name_grams(text):
            # The table name is a constant; the gram is a parameter.
            queryset = queryset.filter(
                pk__in=RawSQL(  # noqa: S611
                    f"SELECT person_id FROM {name_gram_table.TABLE} WHERE gram = %s",  # noqa: S608
                    (gram,),
                )
            )
        if len(text) == 1:
            return queryset  # ``^王`` is exactly "the name begins with 王"
        # The grams may lie apart in the name: the candidates are checked.
        return queryset.filter(name__icontains=text)
    if vendor == "postgresql" and len(text) < 3:
        # No trigram lies inside a two-character infix; a prefix or suffix has one.
        match = Q(name__istartswith=text)
        if len(text) == 2:
            match |= Q(name__iendswith=text)
        return queryset.filter(match)
    if len(text) == 1:
        return queryset.filter(name__istartswith=text)
    return queryset.filter(name__icontains=text)


def _prefix(queryset: models.QuerySet[Any], field: str, prefix: str) -> Q:
    if _vendor(queryset) == "sqlite":
        # A range the column's (binary) index serves; LIKE would scan it (case-insensitive).
        after = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        return Q(**{f"{field}__gte": prefix, f"{field}__lt": after})
    return Q(**{f"{field}__startswith": prefix})


def search_people(queryset: models.QuerySet[Any], value: str) -> models.QuerySet[Any]:
    """People of ``queryset`` matching a (validated, non-sensitive) search text, exact first.

    ``queryset`` is the restricted list; every branch is taken from it, so the search never
    reaches beyond the user's scope or the list's filters.
    """
    text, name = normalise(value), normalise_name(value)
    if not text:
        return queryset
    lowered = text.lower()
    branches: list[models.QuerySet[Any]] = []
    exact = Q(name=name)

    if any(c.isalpha() for c in text):
        # Names have letters; punctuation alone gives pg_trgm no trigram to look up.
        branches.append(_name_branch(queryset, name))
    if lowered.isascii() and lowered.isalpha() and len(lowered) >= 2:
        branches.append(
            queryset.filter(
                _prefix(queryset, "name_pinyin", lowered)
                | _prefix(queryset, "name_initials", lowered)
            )
        )
        exact |= Q(name_pinyin=lowered) | Q(name_initials=lowered)
    if LAST4_RE.fullmatch(text):
        # Four digits are a phone's last four or a room number such as 1201.
        last4 = Q(phone_last4_index__in=phone_last4_indexes(text))
        branches.append(queryset.filter(last4))
        exact |= last4
    if ROOM_RE.fullmatch(text):
        room = Q(household__in=Household.objects.filter(room=text))
        branches.append(queryset.filter(room))
        exact |= room
    if len(text) >= 2:
        number = Q(household__in=Household.objects.filter(number=text))
        branches.append(queryset.filter(number))
        exact |= number
    if (address := parse_address(text)) is not None:
        at = Q(household__in=address.households())
        branches.append(queryset.filter(at))
        if address.complete:
            exact |= at

    if not branches:
        return queryset.none()
    ids = [branch.order_by().values("pk") for branch in branches]
    found = ids[0].union(*ids[1:]) if len(ids) > 1 else ids[0]
    rank = Case(When(exact, then=Value(0)), default=Value(1), output_field=IntegerField())
    ordering = queryset.query.order_by or queryset.model._meta.ordering
    # The plugin types an annotated queryset of an unknown model as Any.
    ranked: models.QuerySet[Any] = (
        queryset.filter(pk__in=found).annotate(search_rank=rank).order_by("search_rank", *ordering)
    )
    return ranked
