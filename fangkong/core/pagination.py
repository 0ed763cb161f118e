"""Paging big lists: counts capped past 10,000 rows, deep page numbers that never fail, and
keyset cursors.

Counting every row in scope to print "page 1 of 6,000" cost more than the page itself at a
district's scale, and a page number is an OFFSET: the database walks every row before it. So:

* ``capped_count()`` counts at most ``COUNT_CAP + 1`` rows (a sliced subquery): exact for
  lists up to 10,000 rows, "10,000+" beyond. ``CappedPaginator`` uses it for pages and the
  API; only a page that lies past the first 10,000 rows pays for an exact count (so a deep
  page, ``page=10**20`` included, still finds its place or the last page);
* ``Keyset`` pages by position instead of by number: the next page is "the rows after the
  last one shown" in the list's order, which an index on (community_id, the order's keys)
  answers by a range scan however deep the page. Cursors name that position, signed so a
  forged one, or one from another list or order, is refused rather than trusted.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.core import signing
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import models
from django.db.models import F, OrderBy, Q
from django.utils.translation import gettext as _

from fangkong.core.db import MAX_DB_INT

#: Past this many rows a list's count is shown as "10,000+" (COUNT_CAP and count_capped in
#: the API) instead of being counted.
COUNT_CAP = 10_000


def capped_count(rows: Any) -> tuple[int, bool]:
    """How many rows, and whether there are more than ``COUNT_CAP`` (then the count is
    ``COUNT_CAP``). A queryset counts at most ``COUNT_CAP + 1`` rows in the database."""
    if not isinstance(rows, models.QuerySet):
        total = len(rows)
    else:
        # A sliced count is SELECT COUNT(*) FROM (SELECT ... LIMIT n): it stops at n rows.
        total = rows.order_by()[: COUNT_CAP + 1].count()
    return (COUNT_CAP, True) if total > COUNT_CAP else (total, False)


def count_label(count: int, capped: bool) -> str:
    """A count as pages show it: ``1,234`` or ``10,000+``."""
    return f"{count:,}+" if capped else f"{count:,}"


class CappedPaginator(Paginator[Any]):
    """Django's paginator with a capped count (see the module's docstring).

    Pages within the first ``COUNT_CAP`` rows are served from the capped count: there are
    more rows than that, so each has a next page. A page past them makes the paginator count
    exactly, once, to know whether it exists or which page is the last.
    """

    @cached_property
    def _counted(self) -> tuple[int, bool]:
        return capped_count(self.object_list)

    @property
    def count(self) -> int:
        return self._counted[0]

    @property
    def count_capped(self) -> bool:
        return self._counted[1]

    @property
    def count_label(self) -> str:
        return count_label(*self._counted)

    @property
    def num_pages(self) -> int:
        if self.count_capped:
            # One page more than the capped rows fill: every page within them has a next.
            return math.ceil(COUNT_CAP / self.per_page) + 1
        return super().num_pages

    def count_exactly(self) -> None:
        if self.count_capped:
            rows = self.object_list
            self._counted = (
                rows.order_by().count() if isinstance(rows, models.QuerySet) else len(rows),
                False,
            )
            self.__dict__.pop("num_pages", None)

    def validate_number(self, number: Any) -> int:
        try:
            if isinstance(number, float) and not number.is_integer():
                raise ValueError
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(_("That page number is not an integer")) from None
        if number < 1:
            raise EmptyPage(_("That page number is less than 1"))
        if self.count_capped and number > COUNT_CAP // self.per_page:
            self.count_exactly()
        return super().validate_number(number)


def page_or_last(paginator: CappedPaginator, raw: str | None) -> tuple[Any, str]:
    """The page ``raw`` names, for a list page a person reads: the first page, with a
    message, for a page number that is not one; the last page, with a message, for one past
    the end (``page=10**20`` costs one count, never an OFFSET that far)."""
    text = (raw or "").strip()
    if text in ("", "1"):
        return paginator.page(1), ""
    if text == "last":
        paginator.count_exactly()
        return paginator.page(paginator.num_pages), ""
    digits = text.lstrip("0") if text.isascii() and text.isdigit() else ""
    if not digits:
        return paginator.page(1), _("“%(page)s” is not a page number: the first page is shown.") % {
            "page": text[:20]
        }
    number = int(digits) if len(digits) <= 19 else MAX_DB_INT
    try:
        return paginator.page(number), ""
    except EmptyPage:
        last = paginator.num_pages
        return paginator.page(last), _(
            "There is no page %(page)s: the last page (%(last)d) is shown."
        ) % {"page": digits[:20], "last": last}


# --- Keyset cursors ----------------------------------------------------------------------------


class CursorError(ValueError):
    """A cursor that cannot be used here: the message says why, for the caller."""


class KeysetUnsupported(CursorError):
    """The list's order is not one a cursor can follow (an expression, a random order)."""


@dataclass(frozen=True)
class Key:
    """One key of a list's order: an ORM path to a column, its direction, and where its
    NULLs go: first or last in the list's order, as the order says (``F("due").asc(
    nulls_last=True)``), else as the smallest value, the same in both databases."""

    path: str
    descending: bool
    field: models.Field[Any, Any]
    nulls_first: bool | None = None

    @property
    def nulls_lead(self) -> bool:
        """Whether NULLs come first in the list's order."""
        return (not self.descending) if self.nulls_first is None else self.nulls_first

    @property
    def nullable(self) -> bool:
        return bool(self.field.null)

    @property
    def spec(self) -> str:
        return f"-{self.path}" if self.descending else self.path

    def order(self, reverse: bool) -> Any:
        descending = self.descending != reverse
        if not self.nullable:
            # Plain names, so the database matches the order to an index as written.
            return f"-{self.path}" if descending else self.path
        nulls = {"nulls_first": True} if self.nulls_lead != reverse else {"nulls_last": True}
        expression = F(self.path)
        return expression.desc(**nulls) if descending else expression.asc(**nulls)


def _resolve(model: type[models.Model], path: str) -> tuple[str, models.Field[Any, Any]]:
    """The ORM path of the column ``path`` orders by, and its field: a relation at the end
    is its key column (``community`` → ``community_id``, not the other table's order)."""
    parts = path.split("__")
    names: list[str] = []
    current: Any = model
    field: Any = None
    for index, part in enumerate(parts):
        if current is None:
            raise KeysetUnsupported(path)
        try:
            field = current._meta.pk if part == "pk" else current._meta.get_field(part)
        except Exception:  # FieldDoesNotExist, or an annotation's name
            raise KeysetUnsupported(path) from None
        last = index == len(parts) - 1
        if field.is_relation:
            if not (field.many_to_one or field.one_to_one) or not field.concrete:
                raise KeysetUnsupported(path)
            if last:
                names.append(field.attname)
                break
            names.append(field.name)
            current = field.related_model
        else:
            if not last:
                raise KeysetUnsupported(path)
            names.append(field.attname if part != "pk" else "pk")
    return "__".join(names), field


def keyset_keys(queryset: models.QuerySet[Any]) -> list[Key]:
    """The keys of ``queryset``'s order, ending with the primary key (so the order is total)."""
    query = queryset.query
    ordering: Sequence[Any] = query.order_by or (
        queryset.model._meta.ordering if query.default_ordering else ()
    )
    model = queryset.model
    # Sets of columns no two rows share (a unique column, an unconditional unique constraint):
    # an order that has reached one of them is total, and needs no primary key after it.
    # (Not when a column may be NULL: a unique constraint lets NULLs repeat.)
    unique_sets = [{f.attname} for f in model._meta.concrete_fields if f.unique] + [
        {model._meta.get_field(name).attname for name in constraint.fields}
        for constraint in model._meta.constraints
        if isinstance(constraint, models.UniqueConstraint)
        and constraint.fields
        and constraint.condition is None
        and not constraint.expressions
    ]
    unique_sets = [
        columns
        for columns in unique_sets
        if not any(model._meta.get_field(c).null for c in columns)
    ]
    keys: list[Key] = []
    local: set[str] = set()
    for term in ordering:
        nulls_first = None
        if isinstance(term, OrderBy) and isinstance(term.expression, F):
            # F("due").asc(nulls_last=True): a column, with its NULLs placed.
            # F keeps the name it was given; the stubs leave the attribute out.
            descending, name = term.descending, term.expression.name  # type: ignore[attr-defined]
            if term.nulls_first or term.nulls_last:
                nulls_first = bool(term.nulls_first)
        elif isinstance(term, str) and term != "?" and "." not in term:
            descending, name = term.startswith("-"), term.lstrip("-+")
        else:
            raise KeysetUnsupported(str(term))
        path, field = _resolve(model, name)
        keys.append(Key(path, descending, field, nulls_first))
        if "__" not in path:
            local.add(model._meta.pk.attname if path == "pk" else field.attname)
        if any(columns <= local for columns in unique_sets):
            return keys
    keys.append(Key("pk", bool(keys) and keys[-1].descending, queryset.model._meta.pk))
    return keys


def _never() -> Q:
    return Q(pk__in=[])


def _beyond(key: Key, value: Any, reverse: bool) -> Q:
    """Rows that come after ``value`` on this key, in the list's order (or its reverse)."""
    descending = key.descending != reverse
    nulls_lead = key.nulls_lead != reverse
    if value is None:
        # After the NULLs come all other values if NULLs lead, else nothing.
        return Q(**{f"{key.path}__isnull": False}) if nulls_lead else _never()
    q = Q(**{f"{key.path}__{'lt' if descending else 'gt'}": value})
    if key.nullable and not nulls_lead:
        q |= Q(**{f"{key.path}__isnull": True})
    return q


def _same(key: Key, value: Any) -> Q:
    return Q(**{f"{key.path}__isnull": True}) if value is None else Q(**{key.path: value})


def rows_after(keys: Sequence[Key], values: Sequence[Any], reverse: bool = False) -> Q:
    """The rows after the position ``values`` (one per key), in the order or its reverse.

    (k1 > v1) OR (k1 = v1 AND k2 > v2) OR ...; with the first key's range (k1 >= v1) said
    once more on its own, which lets the database start an index range there instead of
    filtering every row from the top."""
    q = _never()
    same = Q()
    for key, value in zip(keys, values, strict=True):
        q |= same & _beyond(key, value, reverse)
        same &= _same(key, value)
    first, start = keys[0], values[0]
    if not first.nullable and start is not None:
        descending = first.descending != reverse
        q &= Q(**{f"{first.path}__{'lte' if descending else 'gte'}": start})
    return q


def _to_json(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    return value


@dataclass(frozen=True)
class Position:
    """Where a page starts: after (or, ``reverse``, before) the row with these key values."""

    values: tuple[Any, ...]
    reverse: bool


class Keyset:
    """Pages of one list by position. ``list_id`` names the list (the API uses the URL's
    path), so a cursor made for one list is refused by another."""

    salt = "fangkong.core.pagination.cursor"
    #: Longer than any cursor this class makes (a few keys' values, compressed).
    max_cursor_length = 1000

    def __init__(self, queryset: models.QuerySet[Any], list_id: str) -> None:
        self.keys = keyset_keys(queryset)
        self.list_id = list_id
        self.queryset = queryset.annotate(
            **{f"_cursor_{i}": F(key.path) for i, key in enumerate(self.keys) if "__" in key.path}
        )

    @property
    def order_spec(self) -> list[str]:
        return [key.spec for key in self.keys]

    def row_values(self, row: Any) -> tuple[Any, ...]:
        values = []
        for i, key in enumerate(self.keys):
            if "__" in key.path:
                values.append(getattr(row, f"_cursor_{i}"))
            else:
                values.append(row.pk if key.path == "pk" else getattr(row, key.field.attname))
        return tuple(values)

    def position_after(self, row: Any) -> Position:
        """Where the page after ``row`` starts."""
        return Position(self.row_values(row), False)

    def position_before(self, row: Any) -> Position:
        """Where the page before ``row`` ends (read backwards from it)."""
        return Position(self.row_values(row), True)

    def encode(self, position: Position) -> str:
        return signing.dumps(
            {
                "l": self.list_id,
                "o": self.order_spec,
                "v": [_to_json(v) for v in position.values],
                "r": int(position.reverse),
            },
            salt=self.salt,
            compress=True,
        )

    def decode(self, cursor: str) -> Position:
        """The position a cursor names; ``CursorError`` for one that is not this list's."""
        if len(cursor) > self.max_cursor_length:
            raise CursorError(
                _("This cursor is not valid: use the next or previous link of a page as it is.")
            )
        try:
            data = signing.loads(cursor, salt=self.salt)
        except (signing.BadSignature, ValueError, TypeError, UnicodeError):
            raise CursorError(
                _("This cursor is not valid: use the next or previous link of a page as it is.")
            ) from None
        if (
            not isinstance(data, dict)
            or data.get("l") != self.list_id
            or data.get("o") != self.order_spec
        ):
            raise CursorError(
                _(
                    "This cursor belongs to another list or another order: start "
                    "again from the first page."
                )
            )
        raw = data.get("v")
        if not isinstance(raw, list) or len(raw) != len(self.keys):
            raise CursorError(
                _("This cursor is not valid: use the next or previous link of a page as it is.")
            )
        try:
            values = tuple(
                None if v is None else key.field.to_python(v)
                for key, v in zip(self.keys, raw, strict=True)
            )
        except Exception:  # a signed cursor of ours always converts; be safe all the same
            raise CursorError(
                _("This cursor is not valid: use the next or previous link of a page as it is.")
            ) from None
        return Position(values, bool(data.get("r")))

    def page_query(self, position: Position | None, size: int) -> models.QuerySet[Any]:
        """The query of a page: ``size`` rows and one more (to know whether more follow)."""
        reverse = position is not None and position.reverse
        qs = self.queryset
        if position is not None:
            qs = qs.filter(rows_after(self.keys, position.values, reverse))
        rows: models.QuerySet[Any] = qs.order_by(*(key.order(reverse) for key in self.keys))[
            : size + 1
        ]
        return rows

    def page(self, position: Position | None, size: int) -> tuple[list[Any], bool]:
        """Up to ``size`` rows from ``position`` in the list's order, and whether more rows
        lie beyond them in the direction read (after them, or before them for ``reverse``)."""
        reverse = position is not None and position.reverse
        rows = list(self.page_query(position, size))
        more = len(rows) > size
        rows = rows[:size]
        if reverse:
            rows.reverse()
        return rows, more
