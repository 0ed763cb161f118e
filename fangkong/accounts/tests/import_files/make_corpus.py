"""Writes the staff-import corpus beside this file: ``python make_corpus.py``.

Each bad file holds one good row besides the bad one, so each also shows that nothing is
made when one row is refused. Areas are conftest's (文化社区, 文化第一网格, 长白社区); the
ambiguous 第一网格 is made by the test.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

HEADER = ["姓名", "手机号", "用户名", "角色", "辖区/网格", "开始日期", "结束日期"]
GOOD = ["孙丽", "", "", "志愿者", "文化社区", "", ""]

CORPUS: dict[str, list[list[str]]] = {
    "good_five": [
        ["赵敏", "", "", "网格员", "文化第一网格", "", ""],
        ["钱进", "", "qianjin", "grid_worker", "文化第二网格", "", ""],
        ["孙丽", "", "", "志愿者", "文化社区", "", ""],
        ["李娜", "", "", "门岗", "文化社区", "", ""],
        ["周杰", "", "", "卫生专员", "文化社区", "", ""],
    ],
    "unknown_role": [GOOD, ["吴刚", "", "", "队长", "文化社区", "", ""]],
    "area_outside_scope": [GOOD, ["郑洁", "", "", "网格员", "长白社区", "", ""]],
    "ambiguous_area": [GOOD, ["王芳", "", "", "网格员", "第一网格", "", ""]],
    "duplicate_username_in_file": [
        GOOD,
        ["冯伟", "", "fengwei", "网格员", "文化第一网格", "", ""],
        ["冯玮", "", "fengwei", "志愿者", "文化社区", "", ""],
    ],
    "duplicate_username_in_database": [
        GOOD,
        ["陈刚", "", "officer_a", "志愿者", "文化社区", "", ""],
    ],
    "end_before_start": [GOOD, ["褚明", "", "", "志愿者", "文化社区", "2020-03-15", "2020-03-01"]],
    "empty_name": [GOOD, ["", "", "", "志愿者", "文化社区", "", ""]],
    "role_not_grantable": [GOOD, ["卫东", "", "", "社区干部", "文化社区", "", ""]],
}


def main() -> None:
    here = Path(__file__).parent
    for name, rows in CORPUS.items():
        book = Workbook()
        sheet = book.active
        sheet.append(["文化社区工作人员名单"])  # a title row above the header, as lists have
        sheet.append(HEADER)
        for row in rows:
            sheet.append(row)
        book.save(here / f"{name}.xlsx")


if __name__ == "__main__":
    main()
