"""Declarative tables for list pages and exports.

A table lists its columns once; the list page renders them (as rows on a wide screen and as
cards on a phone), and exports reuse the same declaration so a page and its spreadsheet
never disagree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.utils.functional import Promise


@dataclass(frozen=True)
class Column:
    name: str
    label: str | Promise
    accessor: str | Callable[[Any], Any] | None = None
    link: bool = False  # link the cell to the row's get_absolute_url()

    def value(self, row: Any) -> Any:
        accessor = self.accessor or self.name
        if callable(accessor):
            return accessor(row)
        value: Any = row
        for part in accessor.split("."):
            value = getattr(value, part, None) if value is not None else None
            if callable(value) and not hasattr(value, "_meta"):
                value = value()
        display = getattr(row, f"get_{self.name}_display", None) if "." not in accessor else None
        if callable(display):
            return display()
        return "" if value is None else value


class Table:
    columns: ClassVar[list[Column]] = []

    def __init__(self, rows: Iterable[Any]) -> None:
        self.rows = rows

    @property
    def headers(self) -> list[str | Promise]:
        return [c.label for c in self.columns]

    def __iter__(self):  # type: ignore[no-untyped-def]
        for row in self.rows:
            yield row, [(c, c.value(row)) for c in self.columns]
