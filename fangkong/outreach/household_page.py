"""What outreach shows on a household's own page (``core.household_page``): the
announcements in force that reach the household (its area, its building, its quarantine),
and the health guidance of its area. Nothing about any person."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from fangkong.core.household_page import HouseholdSection
from fangkong.outreach.services import (
    announcements_for_household,
    guidance_for_area,
    standard_advice_lines,
)

if TYPE_CHECKING:
    from fangkong.registry.models import Household


def announcements_context(household: Household) -> dict[str, Any] | None:
    community = household.building.community
    announcements = announcements_for_household(household, community.local_today())
    return {"announcements": announcements} if announcements else None


def guidance_context(household: Household) -> dict[str, Any]:
    """The standard advice always, and the guidance of the household's area."""
    building = household.building
    area = building.grid or building.community
    return {"standard": standard_advice_lines(), "guidance": guidance_for_area(area)}


HOUSEHOLD_SECTIONS = [
    HouseholdSection(
        key="outreach.announcements",
        title=_("Announcements"),
        template="outreach/_household_announcements.html",
        context=announcements_context,
        order=60,
    ),
    HouseholdSection(
        key="outreach.guidance",
        title=_("Health guidance"),
        template="outreach/_household_guidance.html",
        context=guidance_context,
        order=90,
    ),
]
