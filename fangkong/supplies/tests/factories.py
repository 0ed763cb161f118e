"""Supplies made as the office makes them: through the services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fangkong.areas.models import Area
from fangkong.supplies import services
from fangkong.supplies.choices import Category, DonorKind, Unit, Veteran
from fangkong.supplies.models import Donation, Item, Place
from fangkong.supplies.services import Line

#: The story's day: a veteran's driving school brought disinfectant and protective suits.
STORY_DAY = dt.date(2020, 2, 18)


def disinfectant(community: Area) -> Item:
    """消毒液 in bottles, boxes of 30."""
    return services.do_save_item(
        community=community,
        by=None,
        name="消毒液",
        category=Category.DISINFECTANT,
        base_unit=Unit.BOTTLE,
        packs=[(Unit.BOX, 30)],
    )


def suits(community: Area) -> Item:
    return services.do_save_item(
        community=community,
        by=None,
        name="防护服",
        category=Category.PROTECTIVE,
        base_unit=Unit.PIECE,
    )


def donation(
    place: Place, lines: list[tuple[Item, int, str]], *, day: dt.date = STORY_DAY, **kwargs: Any
) -> Donation:
    expiry = kwargs.pop("expiry", None)
    data: dict[str, Any] = {
        "donor_kind": DonorKind.COMPANY,
        "donor_name": "某驾校",
        "veteran": Veteran.VETERAN_RUN,
        **kwargs,
    }
    return services.do_record_donation(
        place=place,
        by=None,
        donated_on=day,
        lines=[Line(item=i, quantity=q, unit=u, expiry=expiry) for i, q, u in lines],
        **data,
    )
