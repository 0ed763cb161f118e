"""Pieces every screening page uses: finding a campaign and whether the user runs it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.querysets import covers
from fangkong.core.views import get_restricted_object
from fangkong.screening.models import Campaign
from fangkong.screening.services import is_office

if TYPE_CHECKING:
    from fangkong.accounts.models import User

CAMPAIGN_RELATED = ("area", "questionnaire__current")


def can_manage(user: User, campaign: Campaign) -> bool:
    """Changing a campaign, its callers and helpers: the right, the whole area in sight, and
    an office's account (a grid worker makes calls; the office plans them)."""
    return user.has_action(Campaign, "change") and covers(user, campaign.area) and is_office(user)


def office_only() -> str:
    """Why a grid worker (or an office of another area) is refused planning work: the
    services' words (``services.checks.require_office``)."""
    return _("Campaigns and questionnaires are run by the community office.")


def require_manage(user: User, campaign: Campaign) -> None:
    if not can_manage(user, campaign):
        raise PermissionDeniedError("change", office_only())


def get_managed_campaign(user: User, pk: int) -> Campaign:
    """A campaign to change: inside the user's own scope (else 404) and theirs to run."""
    campaign: Campaign = get_restricted_object(
        Campaign.objects.select_related(*CAMPAIGN_RELATED), user, "view", pk=pk
    )
    require_manage(user, campaign)
    return campaign
