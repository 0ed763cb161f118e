"""Pieces every screening page uses: finding a campaign and whether the user runs it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404

from fangkong.core.querysets import covers
from fangkong.core.views import get_restricted_object
from fangkong.screening.models import Campaign
from fangkong.screening.services import is_office

CAMPAIGN_RELATED = ("area", "questionnaire__current")


def get_campaign(user: Any, pk: int) -> Campaign:
    """A campaign to look at: the user's area's, or one covering their grid; else 404."""
    if not user.has_action(Campaign, "view"):
        raise PermissionDenied
    return get_object_or_404(
        Campaign.objects.restrict(user).select_related(*CAMPAIGN_RELATED), pk=pk)


def can_manage(user: Any, campaign: Campaign) -> bool:
    """Changing a campaign, its callers and helpers: the right, the whole area in sight, and
    an office's account (a grid worker makes calls; the office plans them)."""
    return (user.has_action(Campaign, "change") and covers(user, campaign.area)
            and is_office(user))


def require_manage(user: Any, campaign: Campaign) -> None:
    if not can_manage(user, campaign):
        raise PermissionDenied


def get_managed_campaign(user: Any, pk: int) -> Campaign:
    """A campaign to change: inside the user's own scope (else 404) and theirs to run."""
    campaign = get_restricted_object(Campaign.objects.select_related(*CAMPAIGN_RELATED), user,
                                     "view", pk=pk)
    require_manage(user, campaign)
    return campaign
