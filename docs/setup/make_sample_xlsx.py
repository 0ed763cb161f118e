"""Writes docs/setup/tree.xlsx from docs/setup/tree.json (the two samples say the same):
``.venv/bin/python docs/setup/make_sample_xlsx.py``."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl

HERE = Path(__file__).parent
HEADER = ("级别", "代码", "名称", "上级代码", "时区")


def main() -> None:
    data = json.loads((HERE / "tree.json").read_text(encoding="utf-8"))
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "区域"
    sheet.append(["区域树与首位管理员（manage.py setup --from tree.xlsx）"])
    sheet.append(HEADER)
    for area in data["areas"]:
        sheet.append(
            [
                area["level"],
                area["code"],
                area["name"],
                area.get("parent", ""),
                area.get("time_zone", ""),
            ]
        )
    admin = data["administrator"]
    sheet.append(["管理员", admin["username"], admin["full_name"], admin["area"], ""])
    for column, width in zip("ABCDE", (8, 20, 24, 16, 16), strict=True):
        sheet.column_dimensions[column].width = width
    book.save(HERE / "tree.xlsx")


if __name__ == "__main__":
    main()
