"""Pinyin of Chinese names, for search: ``张三`` → ``zhangsan`` and initials ``zs``.

pypinyin reads characters as common words; a surname often has its own reading (曾 is zeng
as a surname, not ceng), so the first character goes through a surname table first.
"""

from __future__ import annotations

from functools import lru_cache

from pypinyin import Style
from pypinyin.converter import UltimateConverter
from pypinyin.core import Pinyin

#: Surname readings that differ from the character's common reading.
SURNAME_READINGS: dict[str, str] = {
    "曾": "zeng",
    "单": "shan",
    "解": "xie",
    "仇": "qiu",
    "朴": "piao",
    "区": "ou",
    "查": "zha",
    "缪": "miao",
    "翟": "zhai",
    "尉": "yu",
    "乐": "yue",
    "盖": "ge",
    "褚": "chu",
    "覃": "qin",
    "折": "she",
    "员": "yun",
    "纪": "ji",
    "种": "chong",
    "长孙": "zhang sun",
    "尉迟": "yu chi",
    "万俟": "mo qi",
    "单于": "chan yu",
    "召": "shao",
    "繁": "po",
    "秘": "bi",
    "冼": "xian",
    "阚": "kan",
    "沈": "shen",
    "柏": "bai",
    "宿": "su",
    "隗": "wei",
    "祭": "zhai",
    "句": "gou",
    "重": "chong",
    "那": "na",
}
_COMPOUND = sorted((s for s in SURNAME_READINGS if len(s) > 1), key=len, reverse=True)


def name_syllables(name: str) -> list[str]:
    name = (name or "").strip()
    if not name:
        return []
    for surname in _COMPOUND:
        if name.startswith(surname):
            head, rest = SURNAME_READINGS[surname].split(), name[len(surname) :]
            break
    else:
        first = name[0]
        head = [SURNAME_READINGS[first]] if first in SURNAME_READINGS else []
        rest = name[1:] if head else name
    return head + [s.lower() for s in reading(rest)]


#: What ``pypinyin.lazy_pinyin`` uses with its default options (it builds them per call).
_CONVERTER = UltimateConverter()
_PINYIN = Pinyin(_CONVERTER)


@lru_cache(maxsize=50_000)  # words and characters: a bounded set, unlike names
def _segment_reading(segment: str) -> tuple[str, ...]:
    readings = _CONVERTER.convert(segment, Style.NORMAL, False, "default", strict=True)
    return tuple(syllable for item in readings for syllable in item)


def reading(text: str) -> list[str]:
    """``lazy_pinyin(text, style=Style.NORMAL, errors="default")``, with each word remembered.

    pypinyin cuts the text into words and reads each word on its own, so a word's reading
    can be kept: names are new, their characters and words are not, and reading them was a
    fifth of an import's row checks.
    """
    return [syllable for segment in _PINYIN.seg(text) for syllable in _segment_reading(segment)]


def name_pinyin(name: str) -> tuple[str, str]:
    """(full pinyin without spaces, initials) of a name, lower case ASCII."""
    syllables = [s.strip() for s in name_syllables(name) if s.strip()]
    return "".join(syllables), "".join(s[0] for s in syllables)
