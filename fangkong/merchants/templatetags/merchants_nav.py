"""The shops' link of the main navigation, for the roles that see shops."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

if TYPE_CHECKING:
    from fangkong.accounts.models import User

register = template.Library()


@register.filter
def sees_merchants(user: User) -> bool:
    return bool(
        user is not None
        and getattr(user, "is_authenticated", False)
        and user.has_action("merchants.merchant", "view")
    )
