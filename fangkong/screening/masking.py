"""Names as a caller's screen and the masked register show them: the surname, then stars.

A caller greets 王先生 or 王阿姨; the given name is not needed to screen a household and is
not shown. (ID numbers and phones are masked in ``core.personal_data``; names are masked
only where a page is meant for people working down a list, which is this app's.)
"""

from __future__ import annotations

#: Two-character surnames common enough to keep whole (欧阳娜娜 → 欧阳**).
COMPOUND_SURNAMES = frozenset(
    {
        "欧阳",
        "司马",
        "上官",
        "诸葛",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "夏侯",
        "令狐",
        "端木",
        "南宫",
        "独孤",
        "轩辕",
    }
)


def mask_name(name: str) -> str:
    """``王秀英`` → ``王**``, ``张三`` → ``张*``, ``欧阳娜娜`` → ``欧阳**``, ``Li`` → ``L*``."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    keep = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    return name[:keep] + "*" * (len(name) - keep)
