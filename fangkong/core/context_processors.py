"""Navigation flags every page needs, computed once per request from the user's role."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    registry = user.has_action("registry.person", "view")
    return {
        "perms_registry_view": registry,
        "perms_audit_view": user.has_action("core.objectchange", "view"),
        # Administrators and community officers: the accounts of their area.
        "perms_accounts_view": user.has_action("accounts.user", "view"),
        "show_search": registry,
        # The dashboards (reports): stored figures of the user's area.
        "perms_dashboard": user.has_action("reports.communityfigure", "view")
        and (user.area_id is not None or user.is_superuser),
    }
