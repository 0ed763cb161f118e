"""Protection of sensitive personal information (PIPL art. 28): ID numbers and phones.

A protected value is stored as three things, never as plaintext:

* a ciphertext (Fernet: AES-CBC + HMAC) under a key held outside the database
  (``FANGKONG_DATA_KEY``); retired keys in ``FANGKONG_DATA_KEYS_OLD`` still decrypt;
* keyed HMAC blind indexes, so that an exact search never decrypts rows (the full value,
  and for phones also the last four digits);
* the mask shown on every page and in every export.

Models keep the three as ordinary columns (``<name>_cipher``, ``<name>_index``,
``<name>_mask``, phones also ``<name>_last4_index``) and set them through ``protect_*``.

Key rotation (docs/deploy.md): new values are always written under the current key, while
rows written before still carry the retired key's ciphertext and indexes until
``manage.py rotate_data_key`` (``core.key_rotation``) rewrites them. So every *lookup* goes
through ``*_indexes()``, which give the value's index under the current key and under each
retired key still listed: searches and duplicate checks find everyone before, during and
after a rotation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver


def derive_key(master: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"fangkong", info=purpose).derive(
        master.encode()
    )


def _data_keys() -> list[str]:
    """The current data key first, then each retired one still listed (duplicates dropped)."""
    return list(dict.fromkeys([settings.DATA_KEY, *settings.DATA_KEYS_OLD]))


def _fernet_of(key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(derive_key(key, b"encryption")))


@cache
def _fernet() -> MultiFernet:
    # Encrypts under the first (current) key; decrypts under any of them.
    return MultiFernet([_fernet_of(k) for k in _data_keys()])


@cache
def _current_fernet() -> Fernet:
    return _fernet_of(settings.DATA_KEY)


@cache
def _index_keys() -> tuple[bytes, ...]:
    # New indexes are written under the current key only (the first); the retired keys'
    # are computed for lookups, so rows not yet rotated are still found.
    return tuple(derive_key(k, b"blind-index") for k in _data_keys())


def reset_keys() -> None:
    """Forget derived keys (done on every change of the settings, e.g. override_settings)."""
    _fernet.cache_clear()
    _current_fernet.cache_clear()
    _index_keys.cache_clear()


@receiver(setting_changed)
def _keys_changed(*, setting: str, **kwargs: object) -> None:
    if setting in {"DATA_KEY", "DATA_KEYS_OLD"}:
        reset_keys()


def retired_keys_in_use() -> bool:
    """Whether a rotation may be under way: retired keys are listed beside the current one."""
    return len(_index_keys()) > 1


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode() if token else ""


def decrypt_current(token: str) -> str | None:
    """The plaintext if ``token`` is under the current key, else None (retired key, damaged).

    What ``rotate_data_key`` asks of every row to know whether it is rotated already."""
    if not token:
        return ""
    try:
        return _current_fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return None


def _hmac(key: bytes, kind: str, value: str) -> str:
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()[:40]


def blind_index(kind: str, value: str) -> str:
    """Keyed HMAC of a normalised value under the current key; what rows store.

    Equal values of one kind give equal indexes. To *look a value up*, use
    ``blind_indexes`` (or ``id_number_indexes``…): rows not yet rotated hold a retired
    key's index."""
    if not value:
        return ""
    return _hmac(_index_keys()[0], kind, value)


def blind_indexes(kind: str, value: str) -> list[str]:
    """The value's index under the current key, then under each retired key still listed."""
    if not value:
        return []
    return [_hmac(key, kind, value) for key in _index_keys()]


# --- ID numbers -----------------------------------------------------------------------------


def normalise_id_number(value: str) -> str:
    if value and value.isascii() and value.isalnum():
        # Already plain (most numbers, and every stored one): NFKC and the space removal
        # would leave it as it is. A row of an import normalises its ID number three times.
        return value.upper()
    return _normalise_id_number_in_full(value)


def _normalise_id_number_in_full(value: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or "")).upper()


def mask_id_number(value: str) -> str:
    """``110101199003071234`` → ``110101********1234``: hides the birth date, keeps the area."""
    value = normalise_id_number(value)
    if not value:
        return ""
    if len(value) < 15:  # passports and permits: value[:6] + value[-4:] would show it all
        return value[0] + "*" * (len(value) - 1)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


# --- Phones ---------------------------------------------------------------------------------


def normalise_phone(value: str) -> str:
    """Digits with the area code's dash kept: ``13812345678``, ``024-23456789``."""
    if value and value.isascii() and value.isdigit() and not value.startswith(("00", "86")):
        # Only digits, no country code: every step of the full normalisation would leave it
        # as it is (a row of an import normalises its phone four times).
        return value
    return _normalise_phone_in_full(value)


def _normalise_phone_in_full(value: str) -> str:
    # NFKC: full-width digits, dash and plus (Chinese input methods) become ASCII.
    value = unicodedata.normalize("NFKC", value or "").strip().replace(" ", "")
    value = re.sub(r"^(\+|00)?86(?=1\d{10}$)", "", value)  # +86 / 0086 before a mobile
    value = re.sub(r"^(\+|00)86-?(?=[1-9]\d)", "0", value)  # +86 24… is the landline 024…
    if "-" in value:
        area, _, rest = value.partition("-")
        return f"{re.sub(r'\D', '', area)}-{re.sub(r'\D', '', rest)}"
    return re.sub(r"\D", "", value)


def mask_phone(value: str) -> str:
    """``13812345678`` → ``138****5678``; ``024-23456789`` → ``024-****6789``."""
    value = normalise_phone(value)
    if not value:
        return ""
    if "-" in value:
        area, _, rest = value.partition("-")
        return f"{area}-{'*' * max(len(rest) - 4, 0)}{rest[-4:]}"
    if len(value) == 11:
        return value[:3] + "****" + value[-4:]
    return "*" * max(len(value) - 4, 0) + value[-4:]


def phone_digits(value: str) -> str:
    return re.sub(r"\D", "", value or "")


@dataclass(frozen=True)
class Protected:
    """What a model stores for one protected value."""

    cipher: str = ""
    index: str = ""
    mask: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def protect_id_number(value: str) -> Protected:
    value = normalise_id_number(value)
    if not value:
        return Protected()
    return Protected(encrypt(value), blind_index("id", value), mask_id_number(value))


def protect_phone(value: str) -> Protected:
    value = normalise_phone(value)
    if not value:
        return Protected()
    digits = phone_digits(value)
    return Protected(
        encrypt(value),
        blind_index("phone", digits),
        mask_phone(value),
        {"last4_index": blind_index("phone4", digits[-4:])},
    )


def id_number_index(value: str) -> str:
    """The index a row stores for this ID number (current key). Look up with the plural."""
    return blind_index("id", normalise_id_number(value))


def phone_index(value: str) -> str:
    return blind_index("phone", phone_digits(normalise_phone(value)))


def phone_last4_index(value: str) -> str:
    return blind_index("phone4", phone_digits(normalise_phone(value))[-4:])


# Lookups: ``filter(id_number_index__in=id_number_indexes(value))`` finds the person whether
# their row is under the current key or a retired one still listed (rotation under way).


def id_number_indexes(value: str) -> list[str]:
    return blind_indexes("id", normalise_id_number(value))


def phone_indexes(value: str) -> list[str]:
    return blind_indexes("phone", phone_digits(normalise_phone(value)))


def phone_last4_indexes(value: str) -> list[str]:
    return blind_indexes("phone4", phone_digits(normalise_phone(value))[-4:])
