"""A rejected row and a cell that cannot be used: what every import reports."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(slots=True)
class RowError:
    """Why one row was rejected: its row number as Excel shows it, the column as the file
    names it, a reason a worker understands, and the offending value (masked when it is an
    ID number or a phone)."""

    row: int
    column: str
    message: str
    code: str
    value: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "code": self.code,
            "value": self.value,
        }

    def __reduce__(self) -> tuple[type, tuple[Any, ...]]:
        # Rows are checked in worker processes; slots dataclasses need help to pickle.
        return RowError, (self.row, self.column, self.message, self.code, self.value)


class RowProblem(Exception):
    """A cell that cannot be used; becomes a RowError with the row and column.

    ``column`` is set by parsers that know it; shared parsers (room, unit) leave it empty
    for the caller to fill in.
    """

    def __init__(self, code: str, message: str, value: str = "", column: str = "") -> None:
        super().__init__(message)
        self.code, self.message, self.value, self.column = code, message, value, column
