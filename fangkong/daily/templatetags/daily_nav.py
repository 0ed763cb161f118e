"""The daily report's link of the main navigation: today's report for the offices that
submit one, the list for those who only read them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

if TYPE_CHECKING:
    from fangkong.accounts.models import User

register = template.Library()


@register.filter
def daily_link(user: User) -> str:
    """``today``, ``list`` or empty: which daily report page the user's menu offers."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    if user.has_action("daily.dailyreport", "add"):
        return "today"
    if user.has_action("daily.dailyreport", "view"):
        return "list"
    return ""
