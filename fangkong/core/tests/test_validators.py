"""The validators every app shares: resident ID numbers, phones, body temperature."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from fangkong.core.validators import (
    id_birth_date_and_sex,
    validate_phone,
    validate_resident_id,
    validate_temperature,
)
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
def test_any_single_mistyped_character_is_caught(
    birth: dt.date, position: int, shift: int
) -> None:
    # given a valid number with one character changed
    number = valid_id_number(birth=birth)
    alphabet = "0123456789X" if position == 17 else "0123456789"
    typo = alphabet[(alphabet.index(number[position]) + shift) % len(alphabet)]
    mistyped = number[:position] + typo + number[position + 1:]

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
    ["138123456789", "1381234567", "10812345678", "12345", "", "not a phone", "024-123"],
    ids=["12 digits", "10 digits", "prefix 10x", "too short", "empty", "words", "short line"],
)
def test_invalid_phones_are_refused(raw: str) -> None:
    assert error_code(validate_phone, raw) == "phone_invalid"


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
