"""What the household's own self-service page shows of this module: its recent questions
with their answers, and the published FAQ of its community and its street."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from fangkong.core.household_page import HouseholdSection
from fangkong.inquiries.models import FaqEntry, Inquiry

if TYPE_CHECKING:
    from fangkong.registry.models import Household

#: How many of its own questions a household sees (the newest).
OWN_MAX = 10
FAQ_MAX = 50


def own_inquiries(household: Household) -> dict[str, Any] | None:
    """The household's newest questions, each with its answer once given; never the
    handler's name (the page is read by whoever holds the household's link)."""
    rows = list(
        Inquiry.objects.filter(community_id=household.community_id, household=household)
        .only("pk", "question", "answer", "status", "received_at", "category")
        .order_by("-received_at", "-id")[:OWN_MAX]
    )
    return {"inquiries": rows} if rows else None


def published_faq(household: Household) -> dict[str, Any] | None:
    """The published entries of the household's community, then those of its street (the
    community's parent)."""
    community = household.community
    areas = [community.pk]
    if community.parent_id is not None:
        areas.append(community.parent_id)
    rows = list(
        FaqEntry.objects.filter(area_id__in=areas, published=True)
        .only("pk", "question", "answer", "category", "area_id")
        .order_by("category", "id")[:FAQ_MAX]
    )
    rows.sort(key=lambda e: (e.area_id != community.pk, e.category, e.pk))
    return {"entries": rows} if rows else None


HOUSEHOLD_SECTIONS = [
    HouseholdSection(
        key="inquiries.own",
        title=_("Your questions"),
        template="inquiries/household_inquiries.html",
        context=own_inquiries,
        order=110,
    ),
    HouseholdSection(
        key="inquiries.faq",
        title=_("Frequently asked questions"),
        template="inquiries/household_faq.html",
        context=published_faq,
        order=120,
    ),
]
