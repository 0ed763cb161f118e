"""What a shop's register poster and its owner's link carry: opaque random tokens.

The poster's QR code is a link to ``/merchants/r/<token>/``; the token is
``<nonce>.<signature>``, as hard to guess as a gate pass's: a 96-bit random nonce stored on
the shop and a 96-bit HMAC-SHA256 signature under a key of its own derived from
``settings.SECRET_KEY``. A made-up token fails the signature before any database lookup;
the link says nothing about the shop. The nonce is kept (not only a hash) because the
poster must be reprinted; the database alone cannot make a valid token without the key.

The owner's link (``/merchants/owner/<token>/``) is 192 random bits, shown once when the
officer issues it and kept only as its SHA-256 digest: a copy of the database opens no
owner's page. Issuing a new one or revoking it stops the old one at once.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

from django.utils.crypto import constant_time_compare, salted_hmac

_SALT = "fangkong.merchants.register_tokens"
_NONCE_BYTES = 12
_SIGNATURE_BYTES = 12
_OWNER_BYTES = 24
_REGISTER_RE = re.compile(r"^([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{16})$")
_OWNER_RE = re.compile(r"^[A-Za-z0-9_-]{32}$")

#: Bits an outsider must guess: the register token's nonce and signature, the owner's link.
REGISTER_TOKEN_BITS = 8 * (_NONCE_BYTES + _SIGNATURE_BYTES)
OWNER_TOKEN_BITS = 8 * _OWNER_BYTES


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def new_nonce() -> str:
    return _b64(secrets.token_bytes(_NONCE_BYTES))


def _signature(nonce: str) -> str:
    digest = salted_hmac(_SALT, nonce, algorithm="sha256").digest()
    return _b64(digest[:_SIGNATURE_BYTES])


def register_token(nonce: str) -> str:
    return f"{nonce}.{_signature(nonce)}"


def nonce_of(token: str) -> str | None:
    """The nonce of a well-formed register token with a valid signature; None otherwise."""
    match = _REGISTER_RE.match(token or "")
    if match is None:
        return None
    nonce, signature = match.groups()
    if not constant_time_compare(signature, _signature(nonce)):
        return None
    return nonce


def new_owner_token() -> str:
    return _b64(secrets.token_bytes(_OWNER_BYTES))


def owner_digest(token: str) -> str | None:
    """The digest an owner's token is stored as; None for anything not shaped like one."""
    if not _OWNER_RE.match(token or ""):
        return None
    return hashlib.sha256(token.encode()).hexdigest()
