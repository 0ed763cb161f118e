"""A pass's QR token: signed, unguessable, naming the pass and nothing else; serials with a
check digit."""

from __future__ import annotations

from django.test import override_settings

from fangkong.access.pass_tokens import (
    PREFIX,
    luhn_digit,
    new_nonce,
    nonce_of,
    normalise_serial,
    serial_for,
    token_for,
)


def test_a_token_round_trips_to_its_nonce() -> None:
    nonce = new_nonce()
    token = token_for(nonce)
    assert token.startswith(PREFIX + ".")
    assert nonce_of(token) == nonce


def test_an_altered_token_is_refused() -> None:
    token = token_for(new_nonce())
    prefix, nonce, signature = token.split(".")
    flipped = nonce[:-1] + ("A" if nonce[-1] != "A" else "B")
    assert nonce_of(f"{prefix}.{flipped}.{signature}") is None
    assert nonce_of(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert nonce_of("FKP1.aaaaaaaaaaaaaaaa.aaaaaaaaaaaaaaaa") is None
    assert nonce_of("https://example.com/?pass=1") is None
    assert nonce_of("") is None


def test_a_token_signed_with_another_key_is_refused() -> None:
    nonce = new_nonce()
    with override_settings(SECRET_KEY="another installation's key"):
        foreign = token_for(nonce)
    assert nonce_of(foreign) is None


def test_the_token_holds_no_serial_room_or_id() -> None:
    token = token_for(new_nonce())
    assert len(token) == len("FKP1.") + 16 + 1 + 16
    assert not any(ch.isspace() for ch in token)


def test_serials_carry_a_check_digit_that_catches_typos() -> None:
    serial = serial_for(127)
    assert serial == "00127" + luhn_digit("00127")
    assert normalise_serial(serial) == serial
    assert normalise_serial(f" {serial[:-1]}-{serial[-1]} ") == serial
    typo = serial[:2] + str((int(serial[2]) + 1) % 10) + serial[3:]
    assert normalise_serial(typo) is None
    assert normalise_serial("abc") is None
