"""The main navigation's links to residents' questions and to counselling."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def sees_inquiries(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_action(
        "inquiries.inquiry", "view"
    )


@register.filter
def sees_counselling(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_action(
        "counselling.counsellingcase", "view"
    )
