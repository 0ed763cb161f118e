"""Telling whole ID numbers and phones in typed text: what must never go into a URL.

A URL is written to the browser's history and to every access log on its way (the reverse
proxy's, the WSGI server's). So a search by ID number or phone is posted, and a URL whose
query string holds one is refused (``core.middleware.SensitiveQueryMiddleware``). What
counts is what people type: full-width digits, spaces or dashes between groups
(``139 8765 0321``, ``139-8765-0321``), a ``+86`` in front, a number inside other text.
"""

from __future__ import annotations

import re
import unicodedata

#: A resident ID number (18 characters, the last may be X).
_ID_NUMBER = r"[0-9]{17}[0-9Xx]"
#: A mobile (11 digits from 1), with or without the country code.
_MOBILE = r"(?:(?:\+|00)?86)?1[0-9]{10}"
#: A fixed line with its area code (024-23456789 once the dash is gone).
_LANDLINE = r"0[1-9][0-9]{1,2}[0-9]{7,8}"
#: Spaces and dashes between two digits, as people group long numbers.
_GROUPING = re.compile(r"(?<=[0-9])[\s\-]+(?=[0-9])")

_WHOLE_ID_NUMBER = re.compile(_ID_NUMBER)
_WHOLE_PHONE = re.compile(f"{_MOBILE}|{_LANDLINE}")
# Anywhere in a text, as long as no other letter or digit runs on from either end (a longer
# number or a token is not a phone).
_ANYWHERE = re.compile(f"(?<![0-9A-Za-z])(?:{_ID_NUMBER}|{_MOBILE}|{_LANDLINE})(?![0-9A-Za-z])")


def _compact(text: str) -> str:
    return _GROUPING.sub("", unicodedata.normalize("NFKC", text or "")).strip()


def id_number_or_phone(text: str) -> tuple[str, str] | None:
    """``("id_number", number)`` or ``("phone", number)`` if the whole text is one (as a
    search box gets it), the number without its grouping spaces or dashes; else None."""
    compact = _compact(text)
    if _WHOLE_ID_NUMBER.fullmatch(compact):
        return "id_number", compact
    if _WHOLE_PHONE.fullmatch(compact):
        return "phone", compact
    return None


def holds_id_number_or_phone(text: str) -> bool:
    """Whether a whole ID number or phone appears anywhere in the text."""
    return bool(text) and bool(_ANYWHERE.search(_compact(text)))


#: Full-width digits and letters X/x as plain ones (the rest of a text keeps its width).
_PLAIN_DIGITS = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")


def redact_id_numbers_and_phones(text: str, mask: str = "***") -> str:
    """The text with every whole ID number or phone in it replaced by ``mask``. Digits are
    made plain and the spaces or dashes grouping them dropped; other characters (a full-width
    comma) stay as typed."""
    if not text:
        return text
    plain = _GROUPING.sub("", text.translate(_PLAIN_DIGITS))
    return _ANYWHERE.sub(mask, plain)
