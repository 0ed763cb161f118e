"""The supplies link of the main navigation: the balances for those who see the stock, the
requests for a gate that only asks for supplies."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

if TYPE_CHECKING:
    from fangkong.accounts.models import User

register = template.Library()


@register.filter
def supplies_link(user: User) -> str:
    """``balances``, ``requests`` or empty: which supplies page the user's menu offers."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    if user.has_action("supplies.stock", "view"):
        return "balances"
    if user.has_action("supplies.supplyrequest", "view"):
        return "requests"
    return ""
