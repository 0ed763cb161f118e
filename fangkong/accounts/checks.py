"""System checks of the accounts settings (run by ``manage.py check`` and at server start)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from fangkong.accounts.choices import Role


@register()
def two_factor_roles_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """A misspelt role in FANGKONG_2FA_REQUIRED_ROLES would silently require nothing."""
    unknown = sorted(set(settings.TWO_FACTOR_REQUIRED_ROLES) - set(Role.values))
    if not unknown:
        return []
    return [
        Error(
            f"FANGKONG_2FA_REQUIRED_ROLES names unknown roles: {', '.join(unknown)}",
            hint=f"Use role codes from accounts/choices.py: {', '.join(Role.values)}.",
            id="accounts.E001",
        )
    ]


@register()
def api_token_days_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """A default lifetime no token may have would make every issue fail."""
    from fangkong.accounts.models import API_TOKEN_MAX_DAYS

    if 1 <= settings.API_TOKEN_DAYS <= API_TOKEN_MAX_DAYS:
        return []
    return [
        Error(
            f"FANGKONG_API_TOKEN_DAYS is {settings.API_TOKEN_DAYS}; it must be from 1 to "
            f"{API_TOKEN_MAX_DAYS}.",
            id="accounts.E002",
        )
    ]
