"""The "Health" link of the main navigation: shown to whoever may see quarantines."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

if TYPE_CHECKING:
    from fangkong.accounts.models import User

register = template.Library()


@register.filter
def sees_health(user: User) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.has_action("health.quarantine", "view"))
