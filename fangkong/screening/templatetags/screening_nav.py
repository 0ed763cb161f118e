"""``{% load screening_nav %}{% if user|sees_screening %}``: the main menu's Screening link."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

if TYPE_CHECKING:
    from fangkong.accounts.models import User

register = template.Library()


@register.filter
def sees_screening(user: User) -> bool:
    """Whether the user's role sees phone screening (campaigns, calls, alerts)."""
    return bool(
        getattr(user, "is_authenticated", False) and user.has_action("screening.campaign", "view")
    )
