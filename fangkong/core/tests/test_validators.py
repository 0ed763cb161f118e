"""The validators every app shares: resident ID numbers, phones, body temperature."""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from unittest import mock

import phonenumbers
import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from fangkong.core import personal_data, validators
from fangkong.core.imports.rows import RowProblem
from fangkong.core.validators import (
    id_birth_date_and_sex,
    validate_phone,
    validate_resident_id,
    validate_temperature,
)
from fangkong.registry.imports import parse_id_number, parse_phone
from fangkong.registry.tests.factories import id_check_digit, valid_id_number


def error_code(func: object, value: object) -> str | None:
    with pytest.raises(ValidationError) as caught:
        func(value)  # type: ignore[operator]
    return caught.value.code


# --- Resident ID numbers --------------------------------------------------------------------


def test_a_valid_id_number_is_accepted() -> None:
    number = valid_id_number(birth=dt.date(1990, 3, 7), sex="F", area="210112")

    assert validate_resident_id(number) == number


def test_a_lower_case_check_x_comes_back_upper_case() -> None:
    assert validate_resident_id("11010519491231002x") == "11010519491231002X"


def test_spaces_inside_an_id_number_are_ignored() -> None:
    assert validate_resident_id(" 110105 19491231 002X ") == "11010519491231002X"


def test_a_wrong_check_digit_is_refused_as_a_checksum_error() -> None:
    number = valid_id_number()
    wrong = number[:17] + ("0" if number[17] != "0" else "1")

    assert error_code(validate_resident_id, wrong) == "id_checksum"


def test_an_impossible_birth_date_is_refused() -> None:
    first17 = "210112" + "19990230" + "123"  # 30 February

    assert error_code(validate_resident_id, first17 + id_check_digit(first17)) == "id_birth_date"


def test_a_birth_date_in_the_future_is_refused() -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    assert error_code(validate_resident_id, valid_id_number(birth=tomorrow)) == "id_birth_date"


def test_a_birth_date_before_1890_is_refused() -> None:
    number = valid_id_number(birth=dt.date(1889, 12, 31))

    assert error_code(validate_resident_id, number) == "id_birth_date"


@pytest.mark.parametrize(
    "value",
    ["", "21011219900307123", "2101121990030712345", "21011219900307X234", "ABCDEFGHIJKLMNOPQR"],
    ids=["empty", "17 characters", "19 characters", "X inside", "letters"],
)
def test_an_id_number_of_the_wrong_shape_is_refused(value: str) -> None:
    assert error_code(validate_resident_id, value) == "id_format"


def test_an_id_number_typed_in_full_width_digits_is_accepted() -> None:
    assert validate_resident_id("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"


def test_an_elderly_resident_whose_county_code_is_younger_than_them_is_accepted() -> None:
    # 210102 (Heping district, Shenyang) dates from 1983; people born before then were given
    # it when their cards were issued. A registry of real residents must accept them.
    number = valid_id_number(birth=dt.date(1950, 1, 1), area="210102")

    assert validate_resident_id(number) == number


def test_the_id_number_gives_birth_date_and_sex() -> None:
    assert id_birth_date_and_sex("11010519491231002X") == (dt.date(1949, 12, 31), "F")
    man = valid_id_number(birth=dt.date(1975, 6, 1), sex="M")
    assert id_birth_date_and_sex(man) == (dt.date(1975, 6, 1), "M")


@settings(max_examples=200, deadline=None)
@given(
    birth=st.dates(min_value=dt.date(1890, 1, 1), max_value=dt.date.today() - dt.timedelta(1)),
    sex=st.sampled_from(["M", "F"]),
    area=st.sampled_from(["210112", "210102", "110101", "440305", "510107"]),
    seq=st.integers(min_value=0, max_value=999),
)
def test_any_well_made_id_number_validates_and_gives_back_its_birth_date_and_sex(
    birth: dt.date, sex: str, area: str, seq: int
) -> None:
    number = valid_id_number(birth=birth, sex=sex, area=area, seq=seq)

    assert validate_resident_id(number) == number
    assert id_birth_date_and_sex(number) == (birth, sex)


@settings(max_examples=200, deadline=None)
@given(
    birth=st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2020, 12, 31)),
    position=st.integers(min_value=0, max_value=17),
    shift=st.integers(min_value=1, max_value=9),
)
def test_any_single_mistyped_character_is_caught(birth: dt.date, position: int, shift: int) -> None:
    # given a valid number with one character changed
    number = valid_id_number(birth=birth)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    typo = alphabet[(alphabet.index(number[position]) + shift) % len(alphabet)]
    mistyped = number[:position] + typo + number[position + 1 :]

    # then the validator refuses it, whatever the digit
    with pytest.raises(ValidationError):
        validate_resident_id(mistyped)


# --- Phones ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("199 0000 1111", "19900001111"),
        ("024-23456789", "024-23456789"),
        ("02423456789", "024-23456789"),
        ("(024) 2345 6789", "024-23456789"),
        ("010-12345678", "010-12345678"),
        ("0411-12345678", "0411-12345678"),
        ("１３８１２３４５６７８", "13812345678"),
    ],
)
def test_mobiles_and_fixed_lines_are_accepted_and_normalised(raw: str, normalised: str) -> None:
    assert validate_phone(raw) == normalised


@pytest.mark.parametrize(
    "raw",
    ["138123456789", "1381234567", "10812345678", "12345", "", "024-123"],
    ids=["12 digits", "10 digits", "prefix 10x", "too short", "empty", "short line"],
)
def test_invalid_phones_are_refused(raw: str) -> None:
    assert error_code(validate_phone, raw) == "phone_invalid"


@pytest.mark.parametrize(
    "raw",
    [
        "13800138000abc",
        "abc13800138000",
        "138-0013-8000 x",
        "not a phone",
        "1380013800０号",
        "13800138000\u202e",
    ],
)
def test_a_phone_with_letters_or_signs_is_refused_not_stripped(raw: str) -> None:
    assert error_code(validate_phone, raw) == "phone_characters"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("138 0013 8000", "13800138000"),
        ("(024) 2345 6789", "024-23456789"),
        ("+86 13800138000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
    ],
)
def test_spaces_dashes_brackets_and_full_width_digits_still_make_a_phone(
    raw: str, expected: str
) -> None:
    assert validate_phone(raw) == expected


# --- Body temperature -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "celsius"),
    [
        ("34.0", Decimal("34.0")),
        ("43.0", Decimal("43.0")),
        ("36.5", Decimal("36.5")),
        (37.3, Decimal("37.3")),
        (Decimal("38"), Decimal("38.0")),
        ("36.54", Decimal("36.5")),
    ],
)
def test_temperatures_from_34_to_43_degrees_are_accepted(raw: object, celsius: Decimal) -> None:
    assert validate_temperature(raw) == celsius


@pytest.mark.parametrize("raw", ["33.9", "43.1", 0, -36.5, 98.6])
def test_temperatures_outside_34_to_43_degrees_are_refused(raw: object) -> None:
    assert error_code(validate_temperature, raw) == "temperature_range"


@pytest.mark.parametrize("raw", ["abc", "", None, "36,5", "nan", "inf", "-inf"])
def test_garbage_is_refused_as_not_a_temperature(raw: object) -> None:
    assert error_code(validate_temperature, raw) == "temperature"


# --- The fast paths agree with the full checks ----------------------------------------------
# Imports check ID numbers and phones with shortcuts for the common case (plain mobiles, plain
# 18-character numbers). The full path is the code as it was before them: python-phonenumbers
# for every phone, python-stdnum for every birth date, the full normalisation for every value.


@contextlib.contextmanager
def only_the_full_path() -> Iterator[None]:
    never = re.compile(r"(?!)")
    with (
        mock.patch.object(validators, "MOBILE_RE", never),
        mock.patch.object(validators, "_birth_date", ric.get_birth_date),
        mock.patch.object(validators, "normalise_phone", personal_data._normalise_phone_in_full),
        mock.patch.object(
            validators, "normalise_id_number", personal_data._normalise_id_number_in_full
        ),
        mock.patch.object(personal_data, "normalise_phone", personal_data._normalise_phone_in_full),
        mock.patch.object(
            personal_data, "normalise_id_number", personal_data._normalise_id_number_in_full
        ),
    ):
        yield


def test_the_full_path_really_asks_python_phonenumbers_and_python_stdnum() -> None:
    with (
        only_the_full_path(),
        mock.patch("phonenumbers.parse", wraps=phonenumbers.parse) as parse,
        mock.patch.object(validators, "_birth_date", wraps=ric.get_birth_date) as birth_date,
    ):
        validate_phone("13812345678")
        validate_resident_id(valid_id_number())

    assert parse.called
    assert birth_date.called


def outcome(func: Callable[[str], object], value: str) -> object:
    """What a check says of a value: its result, or its error's code and message."""
    try:
        return func(value)
    except ValidationError as exc:
        return exc.code, exc.messages
    except RowProblem as exc:
        return exc.code, exc.message, exc.value


def both_paths(func: Callable[[str], object], values: list[str]) -> tuple[list, list]:
    fast = [outcome(func, v) for v in values]
    with only_the_full_path():
        full = [outcome(func, v) for v in values]
    return fast, full


def _with_check_digit(first17: str) -> str:
    return first17 + id_check_digit(first17)


ID_CORPUS = [
    valid_id_number(),
    valid_id_number(birth=dt.date(1949, 12, 31), sex="F", area="110105", seq=2),  # ends in X
    "11010519491231002x",
    " 110105 19491231 002X ",
    "１１０１０５１９４９１２３１００２Ｘ",
    "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",  # Arabic-Indic digits: not an ID number
    valid_id_number(seq=13)[:17] + "0",  # its check digit is 7
    _with_check_digit("210112" + "19990230" + "123"),  # 30 February
    _with_check_digit("210112" + "19991301" + "123"),  # month 13
    _with_check_digit("210112" + "00000101" + "123"),  # year 0
    _with_check_digit("210112" + "18891231" + "123"),  # before 1890
    _with_check_digit("210112" + "20991231" + "123"),  # in the future
    _with_check_digit("990112" + "19900307" + "123"),  # no such province
    "110105491231002",  # old 15-digit number
    "1.10105E+17",
    "110101199003071000",
    "110101199003071234.0",  # what Excel leaves
    "21011219900307123",
    "2101121990030712345",
    "21011219900307X234",
    "1101051949A231002X",
    "ABCDEFGHIJKLMNOPQR",
    "",
    " ",
]


def test_the_fast_id_checks_give_the_same_numbers_and_errors_as_the_full_checks() -> None:
    fast, full = both_paths(validate_resident_id, ID_CORPUS)

    assert fast == full


def test_an_import_reads_the_same_id_numbers_and_reasons_on_both_paths() -> None:
    fast, full = both_paths(lambda v: parse_id_number(v, numeric=False), ID_CORPUS)

    assert fast == full
    assert {o[0] for o in fast if isinstance(o, tuple)} >= {
        "id_checksum",
        "id_birth_date",
        "id_format",
        "id_area",
        "id_old",
        "id_excel",
    }


def test_the_birth_date_is_read_as_python_stdnum_reads_it() -> None:
    numbers = [outcome(validate_resident_id, value) for value in ID_CORPUS]
    valid = [number for number in numbers if isinstance(number, str)]

    assert len(valid) >= 5
    for number in valid:
        assert id_birth_date_and_sex(number)[0] == ric.get_birth_date(number)


@settings(max_examples=300, deadline=None)
@given(
    year=st.integers(min_value=0, max_value=2200),
    month=st.integers(min_value=0, max_value=13),
    day=st.integers(min_value=0, max_value=32),
    area=st.sampled_from(["210112", "990112"]),
    wrong_check_digit=st.booleans(),
)
def test_any_birth_date_digits_get_the_same_verdict_on_both_paths(
    year: int, month: int, day: int, area: str, wrong_check_digit: bool
) -> None:
    number = _with_check_digit(f"{area}{year:04d}{month:02d}{day:02d}123")
    if wrong_check_digit:
        number = number[:17] + ("1" if number[17] == "0" else "0")

    fast, full = both_paths(validate_resident_id, [number])

    assert fast == full


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789Xx １２Ｘ\u3000-", min_size=0, max_size=22))
def test_any_id_like_text_gets_the_same_verdict_on_both_paths(value: str) -> None:
    fast, full = both_paths(validate_resident_id, [value])

    assert fast == full


PHONE_CORPUS = [
    "13812345678",
    "19900001111",
    "16612345678",
    "17012345678",
    "+86 138 1234 5678",
    "+8613812345678",
    "008613812345678",
    "8613812345678",
    "86 13812345678",
    "138-1234-5678",
    "138 1234 5678",
    "(138) 1234 5678",
    "１３８１２３４５６７８",
    "+86-13812345678",
    "024-23456789",
    "02423456789",
    "(024) 2345 6789",
    "010-12345678",
    "0411-12345678",
    "+86 24 2345 6789",
    "0086-24-23456789",
    "23456789",
    "4001234567",
    "8001234567",
    "０２４－２３４５６７８９",
    "1381234567",
    "138123456789",
    "12345",
    "",
    "not a phone",
    "024-123",
    "10812345678",
    "11012345678",
    "12012345678",
    "12593138123456",
    "17912345678",
    "17412345678",
    "17405123456",
    "17406123456",
    "16101234567",
    "16201234567",
    "19412345678",
    "١٣٨١٢٣٤٥٦٧٨",  # Arabic-Indic digits
    "1.38123E+10",
    "13812345678.0",
]


def test_the_fast_phone_check_gives_the_same_numbers_and_errors_as_the_full_check() -> None:
    fast, full = both_paths(validate_phone, PHONE_CORPUS)

    assert fast == full


def test_an_import_reads_the_same_phones_and_reasons_on_both_paths() -> None:
    fast, full = both_paths(parse_phone, PHONE_CORPUS)

    assert fast == full


def test_a_plain_mobile_is_accepted_by_the_fast_path() -> None:
    with mock.patch("phonenumbers.parse", side_effect=AssertionError("the full path ran")):
        assert validate_phone("13812345678") == "13812345678"


def test_a_phone_with_a_plus86_prefix_is_accepted_by_the_fast_path() -> None:
    with mock.patch("phonenumbers.parse", side_effect=AssertionError("the full path ran")):
        assert validate_phone("+86 138 1234 5678") == "13812345678"


def test_a_mobile_in_full_width_digits_is_accepted_by_the_fast_path() -> None:
    with mock.patch("phonenumbers.parse", side_effect=AssertionError("the full path ran")):
        assert validate_phone("１３８１２３４５６７８") == "13812345678"


def test_a_landline_still_goes_through_the_full_check() -> None:
    with (
        mock.patch("phonenumbers.parse", side_effect=AssertionError("the full path ran")),
        pytest.raises(AssertionError, match="the full path ran"),
    ):
        validate_phone("024-23456789")


def test_every_mobile_prefix_gets_the_same_verdict_on_both_paths() -> None:
    # python-phonenumbers tells mainland mobiles apart by their first five digits at most.
    numbers = [
        f"{prefix}{suffix}"
        for prefix in range(10_000, 20_000)
        for suffix in ("000000", "583920", "999999")
    ]

    fast, full = both_paths(validate_phone, numbers)

    assert fast == full


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="0123456789+-() １８６－\u3000", min_size=0, max_size=18))
def test_any_phone_like_text_gets_the_same_verdict_on_both_paths(value: str) -> None:
    fast, full = both_paths(validate_phone, [value])

    assert fast == full


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=22) | st.text(alphabet="0123456789Xx+-86 ", max_size=22))
def test_the_quick_normalisation_of_plain_values_changes_nothing(value: str) -> None:
    assert personal_data.normalise_phone(value) == personal_data._normalise_phone_in_full(value)
    assert personal_data.normalise_id_number(value) == (
        personal_data._normalise_id_number_in_full(value)
    )


# --- Text -----------------------------------------------------------------------------------

INVISIBLE = [
    *[chr(c) for c in range(0x202A, 0x202F)],  # bidi embeddings and overrides (U+202E: RLO)
    *[chr(c) for c in range(0x2066, 0x206A)],  # bidi isolates
    "\u200b",
    "\u200c",
    "\u200d",
    "\ufeff",
    "\u2060",  # zero-width characters, BOM
    "\x00",
    "\x07",
    "\x1b",
    "\x7f",
    "\x85",  # controls (NUL, bell, escape, delete, NEL)
    "\u2028",
    "\u2029",  # line and paragraph separators
    "\ud800",  # a lone surrogate (JSON "\\ud800"): no database can store it
]


@pytest.mark.parametrize("char", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_a_name_with_an_invisible_or_control_character_is_refused(char: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validators.clean_name(f"张{char}三")

    assert caught.value.code == "text_control"
    assert f"U+{ord(char):04X}" in caught.value.messages[0]


def test_line_breaks_and_tabs_are_allowed_in_notes_but_not_in_names() -> None:
    assert validators.clean_text("第一行\r\n第二行\t完", multiline=True) == "第一行\r\n第二行\t完"
    with pytest.raises(ValidationError):
        validators.clean_name("张\n三")


def test_emoji_joined_by_a_zero_width_joiner_are_allowed_in_notes_only() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"

    assert validators.clean_text(f"全家{family}", multiline=True) == f"全家{family}"
    with pytest.raises(ValidationError):
        validators.clean_text(f"全家{family}")


def test_bidi_controls_stay_refused_in_notes() -> None:
    with pytest.raises(ValidationError):
        validators.clean_text("备注\u202e txt.exe", multiline=True)


def test_names_are_normalised_to_nfc() -> None:
    # A decomposed é, and a CJK compatibility ideograph (U+F900) that NFC maps to U+8C48.
    assert validators.clean_name(" Rene\u0301 ") == "René"
    assert validators.clean_name("\uf900") == "\u8c48"


def test_text_longer_than_its_bound_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        validators.clean_text("字" * 2001, multiline=True, max_length=validators.TEXT_MAX_LENGTH)

    assert caught.value.code == "text_length"


def test_ordinary_chinese_text_passes_unchanged() -> None:
    text = "东园1号楼2单元502室，户主王秀英（退休），电话已核实。"

    assert validators.clean_text(text) == text
    assert validators.forbidden_character(text) is None


# --- Dates ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "day", [dt.date(1, 1, 1), dt.date(1899, 12, 31), dt.date(2101, 1, 1), dt.date(9999, 12, 31)]
)
def test_dates_outside_1900_to_2100_are_refused(day: dt.date) -> None:
    assert error_code(validators.validate_date_in_range, day) == "date_range"


def test_dates_and_times_inside_the_range_are_accepted() -> None:
    validators.validate_date_in_range(dt.date(2020, 2, 12))
    validators.validate_date_in_range(timezone.now())
    validators.validate_date_in_range(None)


def test_a_birth_date_in_the_future_or_before_1890_is_refused() -> None:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    assert error_code(validators.validate_birth_date, tomorrow) == "birth_date_future"
    assert error_code(validators.validate_birth_date, dt.date(1, 1, 1)) == "birth_date_range"
    validators.validate_birth_date(dt.date(1935, 6, 1))
