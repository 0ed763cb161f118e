"""Holding sessions to two-factor login (see accounts/two_factor.py for the states)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from fangkong.accounts import two_factor

#: The pages a user who must enrol may still open: enrolment itself, logging out, language.
ENROLMENT_VIEWS = {
    "accounts:account",
    "accounts:two_factor_start",
    "accounts:two_factor_confirm",
    "accounts:logout",
    "set_language",
}


class TwoFactorMiddleware:
    """Logs out sessions that skipped the code step, and holds users of the roles that must
    use an authenticator app on their account page until they have enrolled one.

    Requests with an API Bearer token pass untouched: tokens are a second factor of their own
    kind (issued by an administrator, revocable) and carry no session.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if request.headers.get("Authorization", "").startswith("Bearer "):
            return None
        user = request.user
        if not user.is_authenticated:
            return None
        state = request.session.get(two_factor.STATE_KEY) or two_factor.note_state(request, user)
        if state == two_factor.UNVERIFIED:
            logout(request)
            messages.info(request, _("Log in with your password and a code from your "
                                     "authenticator app."))
            return redirect_to_login(request.get_full_path())
        if state == two_factor.NONE and two_factor.requires_two_factor(user):
            match = request.resolver_match
            if match is not None and match.view_name in ENROLMENT_VIEWS:
                return None
            if request.path.startswith("/api/"):
                return JsonResponse({
                    "code": "two_factor_required",
                    "message": _("Your role must use two-step login. Set it up to continue."),
                    "fields": {},
                }, status=403)
            return redirect("accounts:account")
        return None
