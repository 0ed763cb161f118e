"""A household link's token: what the slip's QR code and link hold.

``secrets.token_urlsafe(32)``: 32 random bytes from the operating system's CSPRNG, 256 bits,
written as 43 URL-safe characters. Nothing else is in it: not the household's id, number or
room. Only its SHA-256 is stored (a fast hash suffices for 256 random bits: no dictionary to
try), so the database gives no link back.

How hard to guess. The gate's pass token (``access.pass_tokens``) is a 96-bit random nonce
with a 96-bit HMAC signature: a forger without the server's key must find both, about 2^96
tries for the nonce of one pass alone. A household token has 2^256 values; against N links
in force, one guess succeeds with probability N / 2^256 (N = 10^6 households: about
2^-236), and the routes that take a token are rate-limited per address besides. The sign-in
code sent by SMS is 6 digits (10^6) but lives 10 minutes, is tried at most
``MAX_WRONG_CODES`` times before the link is locked, and exists only for a link in force.
"""

from __future__ import annotations

import hashlib
import re
import secrets

TOKEN_BYTES = 32
#: Bits of entropy of a token (tests assert it is at least the gate token's nonce: 96).
TOKEN_BITS = TOKEN_BYTES * 8
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{43}$")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def well_formed(token: str) -> bool:
    """Whether a string could be a token at all (checked before any database lookup)."""
    return bool(_TOKEN_RE.match(token or ""))


def new_code() -> str:
    """A six-digit one-time sign-in code."""
    return f"{secrets.randbelow(10**6):06d}"


def code_hash(link_id: int, code: str) -> str:
    return hashlib.sha256(f"{link_id}:{code}".encode()).hexdigest()
