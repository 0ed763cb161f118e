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
    "accounts:password_change",
    "set_language",
}

#: The pages a user who must change their password may still open.
PASSWORD_CHANGE_VIEWS = {"accounts:password_change", "accounts:logout", "set_language"}


class TwoFactorMiddleware:
    """Logs out sessions that skipped the code step, and holds users of the roles that must
    use an authenticator app on their account page until they have enrolled one.

    Only the session decides, never a header: an ``Authorization: Bearer`` header proves
    nothing here (REST framework checks tokens later, inside the view), so a session is
    held to two-step login whatever headers come with it, on pages and on the API alike. A
    request that a token authenticates carries no session (``request.user`` is anonymous
    here), so it passes untouched: a token is a credential of its own kind (issued by an
    operator, expiring, revocable).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated:
            return None
        api = request.path.startswith("/api/")
        state = request.session.get(two_factor.STATE_KEY) or two_factor.note_state(request, user)
        if state == two_factor.UNVERIFIED:
            logout(request)
            if api:
                return _api_refusal(
                    _("Log in with your password and a code from your authenticator app."),
                    status=401,
                )
            messages.info(
                request, _("Log in with your password and a code from your authenticator app.")
            )
            return redirect_to_login(request.get_full_path())
        if state == two_factor.NONE and two_factor.requires_two_factor(user):
            match = request.resolver_match
            if match is not None and match.view_name in ENROLMENT_VIEWS:
                return None
            if api:
                return _api_refusal(
                    _("Your role must use two-step login. Set it up to continue."), status=403
                )
            return redirect("accounts:account")
        return None


def _api_refusal(message: str, *, status: int) -> JsonResponse:
    response = JsonResponse(
        {"code": "two_factor_required", "message": message, "fields": {}}, status=status
    )
    if status == 401:
        response["WWW-Authenticate"] = "Bearer"  # what a 401 must name (RFC 9110)
    return response


class PasswordChangeMiddleware:
    """Holds a user whose password someone else set (the first administrator's, a reset:
    ``User.must_change_password``) on the change-password page until they choose their own.

    After ``TwoFactorMiddleware``: a user with an authenticator app gets here only after the
    code step, so the change comes after the second step, never instead of it. API tokens
    carry no session and pass (``request.user`` is anonymous here).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        user = request.user
        if not user.is_authenticated or not getattr(user, "must_change_password", False):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in PASSWORD_CHANGE_VIEWS:
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "code": "password_change_required",
                    "message": _("Change your password in the pages before using the API."),
                    "fields": {},
                },
                status=403,
            )
        return redirect("accounts:password_change")
