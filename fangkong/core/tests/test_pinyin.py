"""Pinyin of names for search: surnames read as surnames, other words as pypinyin reads them."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypinyin import Style, lazy_pinyin

from fangkong.core.pinyin import name_pinyin, reading

#: Names and words whose reading depends on the word around a character (行长, 重庆), or
#: which mix in letters, digits, spaces and punctuation.
TEXTS = [
    "张三",
    "王秀英",
    "王国华",
    "中国人民",
    "重庆",
    "银行行长",
    "长孙无忌",
    "欧阳修",
    "曾国藩",
    "单于",
    "乐乐",
    "阿依古丽·买买提",
    "张A三",
    "李 四",
    "Ｔｏｍ张",
    "x",
    "",
    "123",
    "〇一",
]


@pytest.mark.parametrize("text", TEXTS)
def test_a_text_reads_as_pypinyin_reads_it_the_first_time_and_the_next(text: str) -> None:
    expected = lazy_pinyin(text, style=Style.NORMAL, errors="default")

    assert reading(text) == expected
    assert reading(text) == expected  # from the remembered words


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
        | st.sampled_from("行长重庆银中国人民 aZ1·-"),
        max_size=8,
    )
)
def test_any_chinese_text_reads_as_pypinyin_reads_it(text: str) -> None:
    assert reading(text) == lazy_pinyin(text, style=Style.NORMAL, errors="default")


def test_a_name_gives_its_pinyin_and_initials() -> None:
    assert name_pinyin("王秀英") == ("wangxiuying", "wxy")
    assert name_pinyin("曾国藩") == ("zengguofan", "zgf")
    assert name_pinyin("长孙无忌") == ("zhangsunwuji", "zswj")
