"""Django's admin site, held to the same two-step login as every page.

The admin is mounted at ``/admin/`` only with ``FANGKONG_ADMIN=1`` (``fangkong/urls.py``). Even
then it has no password form of its own: its login sends people to fangkong's login (password,
then a code), and it opens only for staff whose session passed the code step. A superuser
without an authenticator app sets one up on their account page first.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _


class TwoStepAdminSite(admin.AdminSite):
    """The default admin site (see ``admin_apps.TwoStepAdminConfig``)."""

    def has_permission(self, request: HttpRequest) -> bool:
        from fangkong.accounts import two_factor  # late: models are not loaded at import

        return (
            super().has_permission(request)
            and request.session.get(two_factor.STATE_KEY) == two_factor.VERIFIED
        )

    def login(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        """Never a password form here (Django's would log in with the password alone)."""
        user = request.user
        if not user.is_authenticated:
            next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
            return redirect_to_login(next_url, reverse("accounts:login"))
        if user.is_active and user.is_staff:
            messages.error(
                request,
                _(
                    "The admin site opens only after logging in with a code from an "
                    "authenticator app. Set up two-step login here, then log out and log in again."
                ),
            )
            return redirect("accounts:account")
        raise PermissionDenied
