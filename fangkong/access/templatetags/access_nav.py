"""The "Gate" link of the main navigation: shown to whoever may scan or see passes."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def sees_gate(user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(
        user.has_action("access.gateevent", "add") or user.has_action("access.pass", "view")
    )
