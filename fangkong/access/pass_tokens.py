"""What a pass's QR code holds: an unguessable, signed token that identifies the pass only.

``FKP1.<nonce>.<signature>``: the nonce is 96 random bits stored on the pass (not its id,
serial or anything about the household), the signature an HMAC-SHA256 of it under a key of
its own derived from ``settings.SECRET_KEY`` (``salted_hmac`` with this module's salt), cut
to 96 bits. Scanning the code with any other app shows this string and nothing else. An
altered or made-up token fails the signature before any database lookup; a replaced pass
gets a new nonce, so its old card stops at once.

Rotating ``SECRET_KEY`` invalidates every printed card: reprint after a rotation.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets

from django.utils.crypto import constant_time_compare, salted_hmac

PREFIX = "FKP1"
_SALT = "fangkong.access.pass_tokens"
_NONCE_BYTES = 12
_SIGNATURE_BYTES = 12
_TOKEN_RE = re.compile(r"^FKP1\.([A-Za-z0-9_-]{16})\.([A-Za-z0-9_-]{16})$")
SERIAL_DIGITS = 5


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def new_nonce() -> str:
    return _b64(secrets.token_bytes(_NONCE_BYTES))


def _signature(nonce: str) -> str:
    digest = salted_hmac(_SALT, nonce, algorithm="sha256").digest()
    return _b64(digest[:_SIGNATURE_BYTES])


def token_for(nonce: str) -> str:
    return f"{PREFIX}.{nonce}.{_signature(nonce)}"


def nonce_of(token: str) -> str | None:
    """The nonce of a well-formed token with a valid signature; None for anything else."""
    match = _TOKEN_RE.match((token or "").strip())
    if match is None:
        return None
    nonce, signature = match.groups()
    if not constant_time_compare(signature, _signature(nonce)):
        return None
    return nonce


def token_digest(token: str) -> str:
    """What the offline scanner caches to recognise a token: a SHA-256, never the token."""
    return hashlib.sha256(token.strip().encode()).hexdigest()[:32]


def looks_like_token(code: str) -> bool:
    return (code or "").strip().startswith(PREFIX + ".")


# --- Serial numbers -------------------------------------------------------------------------


def luhn_digit(digits: str) -> str:
    """The Luhn check digit: catches any single wrong digit and most swapped neighbours."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch)
        if i % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return str((10 - total % 10) % 10)


def serial_for(sequence: int) -> str:
    """``127`` → ``001275``: a five-digit sequence within the community and a check digit."""
    body = f"{sequence:0{SERIAL_DIGITS}d}"
    return body + luhn_digit(body)


def normalise_serial(code: str) -> str | None:
    """A typed serial with spaces and dashes removed, if its check digit is right."""
    digits = re.sub(r"[\s\-]", "", code or "")
    if not digits.isascii() or not digits.isdigit() or len(digits) < 2:
        return None
    if luhn_digit(digits[:-1]) != digits[-1]:
        return None
    return digits
