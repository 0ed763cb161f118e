"""The corrections' link of the main navigation: for whoever decides households' corrections."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

if TYPE_CHECKING:
    from fangkong.accounts.models import User

register = template.Library()


@register.filter
def decides_corrections(user: User) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.has_action("selfservice.correction", "change")


@register.filter
def sees_self_service_activity(user: User) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return user.has_action("selfservice.activity", "view")
