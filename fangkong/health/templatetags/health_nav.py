"""The "Health" link of the main navigation: shown to whoever may see quarantines."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def sees_health(user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.has_action("health.quarantine", "view"))
