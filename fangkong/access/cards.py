"""Printable pass cards: A6, four to an A4 sheet, as a PDF made by WeasyPrint.

Each card has Chinese text, the serial in large type, the QR code (the signed token only),
building/unit/room, the holders' names, the household's size, and a grid for ticking outings
by hand when the scanner is down. The text needs a CJK font: without one WeasyPrint would
print empty boxes, so ``cjk_font_family`` fails loudly instead (Debian: fonts-noto-cjk).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import segno
from django.template.loader import render_to_string
from django.utils import translation

from fangkong.access.models import Pass
from fangkong.core.pdf import (  # noqa: F401 - where the cards' font check was born
    PREFERRED_FAMILIES,
    CJKFontMissing,
    cjk_font_family,
)
from fangkong.registry.choices import PersonStatus
from fangkong.registry.models import Person

#: Most cards fit the same PDF; more are printed building by building.
MAX_CARDS = 400
#: Rows of the grid for ticking outings by hand.
TICK_ROWS = 8


def qr_svg_data_uri(token: str) -> str:
    """The QR code of a token as an SVG data URI (error correction M, a quiet zone of 4)."""
    return segno.make(token, error="m", micro=False).svg_data_uri(scale=4, border=4)


def _holders(passes: list[Pass]) -> dict[int, list[Person]]:
    members = Person.objects.filter(
        household_id__in={p.household_id for p in passes}, status=PersonStatus.ACTIVE
    ).order_by("household_id", "pk")
    by_household: dict[int, list[Person]] = {}
    for person in members:
        by_household.setdefault(person.household_id, []).append(person)
    return by_household


def card_context(passes: Iterable[Pass], *, font_family: str) -> dict[str, Any]:
    passes = list(passes)
    members = _holders(passes)
    cards = []
    for item in passes:
        household = item.household
        people = members.get(item.household_id, [])
        holders = [item.person] if item.person is not None else people
        cards.append(
            {
                "pass": item,
                "serial": item.serial,
                "qr": qr_svg_data_uri(item.token),
                "community": item.community.name,
                # The office's line (community settings), for a lost card or a question.
                "contact_phone": item.community.contact_phone,
                "building": household.building,
                "unit": household.unit,
                "room": household.room,
                "holders": "、".join(p.name for p in holders[:6])
                + ("…" if len(holders) > 6 else ""),
                "size": len(people),
            }
        )
    sheets = [cards[i : i + 4] for i in range(0, len(cards), 4)]
    return {"sheets": sheets, "font_family": font_family, "tick_rows": range(TICK_ROWS)}


def render_cards_pdf(passes: Iterable[Pass]) -> bytes:
    """The PDF of the passes' cards, four to a page, in Chinese whatever the user's language."""
    from weasyprint import HTML  # imported late: loading Pango costs ~0.3 s

    family = cjk_font_family()
    with translation.override("zh-hans"):
        html = render_to_string("access/cards.html", card_context(passes, font_family=family))
    pdf: bytes = HTML(string=html).write_pdf()  # weasyprint has no types
    return pdf
