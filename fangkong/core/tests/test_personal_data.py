"""ID numbers and phones: masked for display, encrypted at rest, found through blind indexes."""

from __future__ import annotations

import pytest
from cryptography.fernet import InvalidToken
from django.test import override_settings

from fangkong.core.personal_data import (
    blind_index,
    decrypt,
    decrypt_current,
    encrypt,
    id_number_index,
    id_number_indexes,
    mask_id_number,
    mask_phone,
    normalise_id_number,
    normalise_phone,
    phone_index,
    phone_indexes,
    phone_last4_index,
    phone_last4_indexes,
    protect_id_number,
    protect_phone,
    reset_keys,
)

ID_NUMBER = "110101199003071234"
MOBILE = "13812345678"
LANDLINE = "024-12345678"

# --- Masks ----------------------------------------------------------------------------------


def test_an_id_number_is_masked_keeping_its_area_code_and_last_four() -> None:
    assert mask_id_number(ID_NUMBER) == "110101********1234"


def test_the_id_mask_hides_the_birth_date() -> None:
    assert "19900307" not in mask_id_number(ID_NUMBER)


def test_a_mobile_is_masked_keeping_its_prefix_and_last_four() -> None:
    assert mask_phone(MOBILE) == "138****5678"


def test_a_fixed_line_is_masked_keeping_its_area_code_and_last_four() -> None:
    assert mask_phone(LANDLINE) == "024-****5678"


def test_empty_values_mask_to_empty() -> None:
    assert mask_id_number("") == ""
    assert mask_phone("") == ""


def test_a_lower_case_x_is_masked_and_normalised_to_upper_case() -> None:
    assert normalise_id_number(" 11010519491231002x ") == "11010519491231002X"
    assert mask_id_number("11010519491231002x") == "110105********002X"


# --- Encryption -----------------------------------------------------------------------------


def test_encryption_round_trips_and_never_shows_the_plaintext() -> None:
    token = encrypt(ID_NUMBER)

    assert ID_NUMBER not in token
    assert decrypt(token) == ID_NUMBER


def test_encrypting_twice_gives_different_ciphertexts() -> None:
    # Fernet uses a fresh IV each time: equal ciphertexts would leak equal values.
    assert encrypt(MOBILE) != encrypt(MOBILE)


def test_empty_values_encrypt_to_empty() -> None:
    assert encrypt("") == ""
    assert decrypt("") == ""


def test_a_retired_key_listed_in_data_keys_old_still_decrypts() -> None:
    # given a value encrypted under the old key
    with override_settings(DATA_KEY="old-key", DATA_KEYS_OLD=[]):
        reset_keys()
        token = encrypt(ID_NUMBER)

    # when the key is rotated and the old one kept for decryption
    with override_settings(DATA_KEY="new-key", DATA_KEYS_OLD=["old-key"]):
        reset_keys()
        # then the old ciphertext still decrypts, and new values use the new key
        assert decrypt(token) == ID_NUMBER
        fresh = encrypt(MOBILE)

    with override_settings(DATA_KEY="new-key", DATA_KEYS_OLD=[]):
        reset_keys()
        assert decrypt(fresh) == MOBILE


def test_a_ciphertext_under_a_forgotten_key_does_not_decrypt() -> None:
    with override_settings(DATA_KEY="old-key", DATA_KEYS_OLD=[]):
        reset_keys()
        token = encrypt(ID_NUMBER)

    with override_settings(DATA_KEY="new-key", DATA_KEYS_OLD=[]):
        reset_keys()
        with pytest.raises(InvalidToken):
            decrypt(token)


# --- Blind indexes --------------------------------------------------------------------------


def test_equal_values_have_equal_blind_indexes() -> None:
    assert blind_index("id", ID_NUMBER) == blind_index("id", ID_NUMBER)
    assert blind_index("id", ID_NUMBER) != blind_index("id", "110101199003071235")


def test_the_blind_index_depends_on_the_kind_of_value() -> None:
    assert blind_index("id", "12345678") != blind_index("phone", "12345678")


def test_the_blind_index_depends_on_the_data_key() -> None:
    with override_settings(DATA_KEY="key-one"):
        reset_keys()
        under_key_one = id_number_index(ID_NUMBER)
    with override_settings(DATA_KEY="key-two"):
        reset_keys()
        under_key_two = id_number_index(ID_NUMBER)

    assert under_key_one != under_key_two


def test_the_blind_index_is_not_a_plain_hash_of_the_value() -> None:
    import hashlib

    assert id_number_index(ID_NUMBER) not in hashlib.sha256(ID_NUMBER.encode()).hexdigest()
    assert ID_NUMBER not in id_number_index(ID_NUMBER)


def test_an_id_number_is_found_whatever_its_spacing_and_case() -> None:
    assert id_number_index("11010519491231002x") == id_number_index("110105 19491231 002X")


def test_a_phone_is_found_whether_written_with_a_dash_or_without() -> None:
    assert phone_index("024-23456789") == phone_index("02423456789")
    assert phone_index("+86 138 1234 5678") == phone_index(MOBILE)


def test_a_protected_phone_carries_the_index_of_its_last_four_digits() -> None:
    protected = protect_phone("138 1234 5678")

    assert protected.extra["last4_index"] == phone_last4_index("5678")
    assert protected.index == phone_index(MOBILE)
    assert protected.mask == "138****5678"
    assert decrypt(protected.cipher) == MOBILE


def test_a_protected_id_number_holds_no_plaintext() -> None:
    protected = protect_id_number(ID_NUMBER)

    assert ID_NUMBER not in f"{protected.cipher}{protected.index}{protected.mask}"
    assert protected.mask == "110101********1234"
    assert protected.index == id_number_index(ID_NUMBER)


def test_protecting_nothing_stores_nothing() -> None:
    assert protect_phone("") == protect_phone("   ")
    assert protect_phone("").cipher == protect_id_number("").cipher == ""


# --- Phone normalisation --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("13812345678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        (" 138 1234 5678 ", "13812345678"),
        ("024-23456789", "024-23456789"),
        ("024 - 2345 6789", "024-23456789"),
        ("024－23456789", "024-23456789"),
        ("02423456789", "02423456789"),
        # typed with a Chinese input method in full-width mode
        ("１３８１２３４５６７８", "13812345678"),
        ("０２４－２３４５６７８９", "024-23456789"),
    ],
)
def test_phones_are_normalised_to_ascii_digits_with_the_area_code_dash_kept(
    raw: str, normalised: str
) -> None:
    assert normalise_phone(raw) == normalised


def test_a_last_four_search_typed_in_full_width_digits_finds_the_phone() -> None:
    assert phone_last4_index("５６７８") == phone_last4_index("5678")


@pytest.mark.parametrize("number", ["E12345678", "G123456789", "H1234567890", "12345678"])
def test_a_passport_or_permit_number_is_masked_to_its_first_character(number: str) -> None:
    assert mask_id_number(number) == number[0] + "*" * (len(number) - 1)


def test_a_lookup_tries_the_current_key_then_each_retired_one() -> None:
    with override_settings(DATA_KEY="old-key", DATA_KEYS_OLD=[]):
        stored_under_old = id_number_index(ID_NUMBER)
    with override_settings(DATA_KEY="new-key", DATA_KEYS_OLD=["old-key"]):
        current = id_number_index(ID_NUMBER)
        # Rows are written under the new key; a lookup finds rows under either
        assert id_number_indexes(ID_NUMBER) == [current, stored_under_old]
        assert len(phone_indexes(MOBILE)) == len(phone_last4_indexes(MOBILE)) == 2
    with override_settings(DATA_KEY="new-key", DATA_KEYS_OLD=[]):
        assert id_number_indexes(ID_NUMBER) == [current]


def test_a_value_knows_whether_it_is_under_the_current_key() -> None:
    with override_settings(DATA_KEY="old-key", DATA_KEYS_OLD=[]):
        token = encrypt(ID_NUMBER)
    with override_settings(DATA_KEY="new-key", DATA_KEYS_OLD=["old-key"]):
        assert decrypt_current(token) is None  # readable, but rotation has not reached it
        assert decrypt_current(encrypt(ID_NUMBER)) == ID_NUMBER
