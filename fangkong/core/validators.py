"""Validators shared by every app: ID numbers, phones, body temperature, and the bounds every
input field has (text, dates, counts).

Text typed by people (names, notes, addresses) is normalised to NFC and refused when it holds
control or invisible formatting characters: a right-to-left override (U+202E) makes a name
read backwards in a list or an export, a zero-width space (U+200B) makes two spellings of a
name that look the same and never match. Forms, API serializers and importers all call
``clean_text``; the bounds (``TEXT_MAX_LENGTH``, ``DATE_MIN``…) are the ones every form and
serializer field gets when it declares none of its own (``fangkong.core.input_bounds``).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

import phonenumbers
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.cn import ric
from stdnum.exceptions import InvalidComponent

from fangkong.core.personal_data import normalise_id_number, normalise_phone

PROVINCE_CODES = frozenset(
    {
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
        "91",
    }
)
# Big cities dial 0 + two digits (010 Beijing, 024 Shenyang...); everywhere else 0 + three.
TWO_DIGIT_AREA_CODES = frozenset({"10", "20", "21", "22", "23", "24", "25", "27", "28", "29"})


#: The mainland mobile numbers python-phonenumbers accepts, from its own metadata (so an
#: update of the library moves it too). ASCII: ``\d`` must not match full-width digits.
#: No national or international prefix that ``phonenumbers.parse`` strips (11…, 12…, 179…)
#: begins a number this matches, so for these digits the full check returns them unchanged.
def _mobile_pattern() -> str:
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    pattern = (
        None
        if metadata is None or metadata.mobile is None
        else metadata.mobile.national_number_pattern
    )
    if pattern is None:
        raise ImproperlyConfigured("python-phonenumbers has no pattern for mainland mobiles")
    return pattern


MOBILE_RE = re.compile(_mobile_pattern(), re.ASCII)
TEMPERATURE_MIN = Decimal("34.0")
TEMPERATURE_MAX = Decimal("43.0")
#: Characters a phone number may be written with besides digits (NFKC first: full-width
#: forms count): spaces, dashes, a leading + and brackets round an area code.
PHONE_PUNCTUATION_RE = re.compile(r"[\s\-+()]")

# --- Bounds every input field has unless it declares tighter ones -----------------------------

#: Free text (notes, a comment, a description): a page of writing.
TEXT_MAX_LENGTH = 2000
#: A document written in the application (a prevention plan, a call script): some pages.
DOCUMENT_MAX_LENGTH = 50_000
#: A line of text with no length of its own (a reason, a place, a reference number).
LINE_MAX_LENGTH = 200
#: Items in a list field (tags, symptoms, buildings of a campaign...).
LIST_MAX_ITEMS = 500
#: Whole numbers: the database's integer column; ids are 64-bit.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
ID_MAX = 2**63 - 1
#: Dates of events the application records (a report, an exposure, a shift, a plan).
DATE_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
#: The oldest birth date a person can have (as the resident ID check accepts).
BIRTH_DATE_MIN = dt.date(1890, 1, 1)

#: Unicode categories refused in text: controls (Cc), invisible formatting (Cf: bidi
#: overrides and isolates, zero-width space/joiners, BOM, word joiner), lone surrogates (Cs,
#: which no database can store) and line/paragraph separators (Zl, Zp).
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
#: Allowed in multi-line text only: line breaks, tabs, and the zero-width joiner that joins
#: emoji such as 👨‍👩‍👧 (bidi controls stay refused there too).
_MULTILINE_ALLOWED = frozenset("\n\r\t\u200d")


def validate_resident_id(value: str) -> str:
    """Check an 18-digit resident ID number (身份证号): format, birth date, check digit.

    Returns the normalised number. Messages name what is wrong, in words a worker knows.
    """
    number = normalise_id_number(value)
    body = number[:17]
    well_formed = len(number) == 18 and body.isascii() and body.isdigit()
    if not well_formed or number[17] not in "0123456789X":
        raise ValidationError(
            _("An ID number has 18 characters: 17 digits and a digit or X."), code="id_format"
        )
    try:
        birth = _birth_date(number)
    except (InvalidComponent, ValueError):
        raise ValidationError(
            _("The birth date in this ID number is impossible."), code="id_birth_date"
        ) from None
    if birth > timezone.localdate() or birth < dt.date(1890, 1, 1):
        raise ValidationError(
            _("The birth date in this ID number is impossible."), code="id_birth_date"
        )
    if ric.calc_check_digit(number) != number[17]:
        raise ValidationError(
            _("The check digit of this ID number is wrong; please check each digit."),
            code="id_checksum",
        )
    # Only the province is checked: county codes were created, merged and renamed over the
    # decades (most Shenyang district codes date from 1983) and a number keeps the code it was
    # issued under for life. python-stdnum's validate() ties codes to birth years and would
    # refuse many elderly residents.
    if number[:2] not in PROVINCE_CODES:
        raise ValidationError(
            _("The first two digits of this ID number are not a province code."), code="id_area"
        )
    return number


def _birth_date(number: str) -> dt.date:
    """The birth date in characters 7–14, as python-stdnum's ``ric.get_birth_date`` reads it.

    An 18-character ASCII number without spaces is read directly: stdnum's Unicode clean-up
    leaves such a number as it is and cost as much as the rest of the ID check (a sixth of an
    import's row checks, twice per row). Anything else goes through stdnum. Raises ValueError
    (from ``dt.date``) or stdnum's InvalidComponent when the date does not exist.
    """
    if len(number) == 18 and number.isascii() and number.isalnum():
        return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return ric.get_birth_date(number)


def id_birth_date_and_sex(number: str) -> tuple[dt.date, str]:
    """Birth date and sex ("M"/"F") encoded in a valid resident ID number."""
    return _birth_date(number), "M" if int(number[16]) % 2 else "F"


def validate_phone(value: str) -> str:
    """A Chinese mobile (11 digits) or fixed line with area code (024-23456789).

    Returns the normalised number: ``13812345678`` or ``024-23456789``.
    """
    if not (value.isascii() and value.isdigit()):
        # Letters or other signs are a typo, not decoration: "13800138000abc" is refused,
        # not silently read as 13800138000.
        written = PHONE_PUNCTUATION_RE.sub("", unicodedata.normalize("NFKC", value or ""))
        if written and not (written.isascii() and written.isdigit()):
            raise ValidationError(
                _("A phone number has only digits (and spaces, dashes or brackets)."),
                code="phone_characters",
            )
    normalised = normalise_phone(value)
    digits = normalised.replace("-", "")
    if MOBILE_RE.fullmatch(digits):
        # Most phones in a register: what the full check below would return, at a fraction
        # of phonenumbers' cost (it was the largest item in an import's row checks).
        return digits
    candidate = digits if digits.startswith("0") or digits.startswith("1") else "0" + digits
    try:
        parsed = phonenumbers.parse(candidate, "CN")
    except phonenumbers.NumberParseException:
        parsed = None
    if parsed is None or not phonenumbers.is_valid_number(parsed):
        raise ValidationError(
            _(
                "This phone number is not valid: a mobile has 11 digits, a fixed line an area "
                "code such as 024-12345678."
            ),
            code="phone_invalid",
        )
    if phonenumbers.number_type(parsed) in (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    ) and digits.startswith("1"):
        return digits
    national = str(parsed.national_number)
    # Area codes are 2 digits for Beijing, Shanghai, Tianjin, Chongqing, Guangzhou...; else 3.
    area_len = 2 if national[:2] in TWO_DIGIT_AREA_CODES else 3
    return f"0{national[:area_len]}-{national[area_len:]}"


def validate_temperature(value: object) -> Decimal:
    """Body temperature in °C: 34.0–43.0, one decimal place."""
    try:
        temperature = Decimal(str(value)).quantize(Decimal("0.1"))
        if temperature.is_nan():  # "nan" quantizes quietly, then cannot be compared
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        raise ValidationError(_("Enter a temperature such as 36.5."), code="temperature") from None
    if not TEMPERATURE_MIN <= temperature <= TEMPERATURE_MAX:
        raise ValidationError(
            _("A body temperature must be between 34.0 and 43.0 °C."), code="temperature_range"
        )
    return temperature


# --- Text -------------------------------------------------------------------------------------


def forbidden_character(value: str, *, multiline: bool = False) -> str | None:
    """The first control or invisible formatting character in ``value``, or None."""
    if value.isascii() and value.isprintable():
        return None  # most input: nothing to look at character by character
    for char in value:
        if unicodedata.category(char) in _FORBIDDEN_CATEGORIES and not (
            multiline and char in _MULTILINE_ALLOWED
        ):
            return char
    return None


def validate_text(value: str, *, multiline: bool = False) -> None:
    """Refuse text with a control or invisible formatting character (see the module)."""
    char = forbidden_character(value, multiline=multiline)
    if char is not None:
        raise ValidationError(
            _("Remove the invisible or control character %(char)s from this text.")
            % {"char": f"U+{ord(char):04X}"},
            code="text_control",
        )


def clean_text(value: str, *, multiline: bool = False, max_length: int | None = None) -> str:
    """Text as it is stored: NFC-normalised, checked for forbidden characters and length.

    NFC makes the same name typed on two devices the same string (a decomposed é and a
    precomposed one), so searches and the unique checks find it.
    """
    value = unicodedata.normalize("NFC", value)
    validate_text(value, multiline=multiline)
    if max_length is not None and len(value) > max_length:
        raise ValidationError(
            _("Keep this to %(limit)d characters (it has %(length)d).")
            % {"limit": max_length, "length": len(value)},
            code="text_length",
        )
    return value


def clean_name(value: str, *, max_length: int | None = None) -> str:
    """A person's or a place's name: one line, trimmed, NFC, no invisible characters."""
    return clean_text((value or "").strip(), max_length=max_length)


class TextValidator:
    """``validate_text`` as a field validator (forms and serializers attach it)."""

    def __init__(self, *, multiline: bool = False) -> None:
        self.multiline = multiline

    def __call__(self, value: object) -> None:
        if isinstance(value, str):
            validate_text(value, multiline=self.multiline)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextValidator) and other.multiline == self.multiline

    def __hash__(self) -> int:
        return hash((TextValidator, self.multiline))

    def deconstruct(self) -> tuple[str, tuple[()], dict[str, bool]]:
        return "fangkong.core.validators.TextValidator", (), {"multiline": self.multiline}


# --- Dates ------------------------------------------------------------------------------------


def validate_date_in_range(value: dt.date | dt.datetime | None) -> None:
    """A date or time between 1900 and 2100: year 1 or 9999 is a typo, and date arithmetic on
    it (a quarantine's end, a report's day) would overflow."""
    if value is None:
        return
    day = value.date() if isinstance(value, dt.datetime) else value
    if not DATE_MIN <= day <= DATE_MAX:
        raise ValidationError(
            _("Enter a date between %(min)s and %(max)s.")
            % {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()},
            code="date_range",
        )


def validate_birth_date(value: dt.date | None) -> None:
    """A birth date: not in the future, not before 1890."""
    if value is None:
        return
    if value > timezone.localdate():
        raise ValidationError(_("A birth date cannot be in the future."), code="birth_date_future")
    if value < BIRTH_DATE_MIN:
        raise ValidationError(
            _("A birth date cannot be before %(min)s.") % {"min": BIRTH_DATE_MIN.isoformat()},
            code="birth_date_range",
        )
