"""Resident registers as a community office fills them in: rows, and the file written
(.xlsx or GB18030 .csv) that the import, audit and key-rotation tests read."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl

from fangkong.registry.imports import TEMPLATE_HEADERS
from fangkong.registry.tests.factories import valid_id_number

HEADER = list(TEMPLATE_HEADERS)
ID_1 = valid_id_number(birth=dt.date(1956, 4, 12), sex="F", area="210102", seq=24)
ID_2 = valid_id_number(birth=dt.date(1982, 11, 3), sex="M", area="210102", seq=31)
PHONE_1 = "13912345678"


def row(**cells: Any) -> list[Any]:
    """A template row; keyword names are the template's fields."""
    values = {
        "building": "1",
        "unit": "1",
        "room": "502",
        "name": "王秀英",
        "sex": "",
        "id_number": ID_1,
        "phone": PHONE_1,
        "relation": "户主",
        "residency": "常住",
        "tags": "",
    }
    values.update(cells)
    return [
        values[f]
        for f in (
            "building",
            "unit",
            "room",
            "name",
            "sex",
            "id_number",
            "phone",
            "relation",
            "residency",
            "tags",
        )
    ]


def write_register(
    directory: Path,
    rows: Sequence[Sequence[Any]],
    fmt: str = "xlsx",
    header: Sequence[str] = HEADER,
    above: Sequence[Sequence[Any]] = (),
    name: str = "register",
) -> Path:
    """A register file as a worker would bring it: openpyxl for .xlsx, GB18030 for .csv."""
    path = directory / f"{name}.{fmt}"
    lines = [*above, list(header), *rows]
    if fmt == "xlsx":
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        for line in lines:
            sheet.append(list(line))
        workbook.save(path)
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        for line in lines:
            # A CSV has only text: a float is what Excel would have written for it.
            writer.writerow([f"{v:.5E}" if isinstance(v, float) else v for v in line])
        path.write_bytes(buffer.getvalue().encode("gb18030"))
    return path
