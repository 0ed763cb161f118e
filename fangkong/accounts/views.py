"""Logging in (password, then a code for users with an authenticator app), the account page
with enrolment and removal of the app, officers' reset of another user's app, and API tokens.

django-axes throttles failed logins; wrong codes count as failed logins too, so a stolen
password cannot be followed by unlimited guesses at the code.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from fangkong.accounts import services, two_factor
from fangkong.accounts.forms import CodeForm, LoginForm, PasswordChangeForm
from fangkong.accounts.models import ApiToken, AuthenticatorDevice, User
from fangkong.accounts.roles import may_reset_two_factor
from fangkong.accounts.services import CODE_MESSAGES, CodeCheck
from fangkong.accounts.tables import ApiTokenTable
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.requests import AuthenticatedRequest
from fangkong.core.views import LoggedInView, ObjectListView, ServiceFormView


class LoginView(auth_views.LoginView):
    """The password step. A user with a confirmed authenticator app is not logged in yet:
    the session remembers them for a few minutes and the code step follows."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        user = form.get_user()
        if two_factor.confirmed_device(user) is None:
            return super().form_valid(form)
        two_factor.start_pending_login(self.request, user, self.get_success_url())
        return redirect("accounts:login_code")


def _lockout(request: HttpRequest, credentials: dict[str, Any]) -> HttpResponse:
    """axes' answer to a locked-out login (axes has no types)."""
    response: HttpResponse = get_lockout_response(request, None, credentials)
    return response


@login_not_required
@never_cache
@sensitive_post_parameters("code")
def login_code(request: HttpRequest) -> HttpResponse:
    """The code step of logging in."""
    pending = two_factor.pending_login(request)
    if pending is None:
        messages.info(request, _("Log in again: the time for entering the code ran out."))
        return redirect("accounts:login")
    user, backend, next_url = pending
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        two_factor.end_pending_login(request)
        return _lockout(request, credentials)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result, device = services.check_login_code(user, form.cleaned_data["code"])
        if result == CodeCheck.OK:
            two_factor.end_pending_login(request)
            user.otp_device = device  # django-otp's mark: stored in the session at login
            auth_login(request, user, backend=backend)
            return redirect(next_url or "reports:home")
        form.add_error(None, CODE_MESSAGES[result])
        # Counted by axes with the wrong passwords: the pause after too many applies to both.
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            two_factor.end_pending_login(request)
            return _lockout(request, credentials)
    return render(request, "accounts/login_code.html", {"form": form, "pending_user": user})


def account(request: AuthenticatedRequest) -> HttpResponse:
    """The user's own account page: who they are, and their authenticator app (with the QR
    code and secret while one is being enrolled: never cached)."""
    return _render_account(request)


def _account_context(request: AuthenticatedRequest, **extra: Any) -> dict[str, Any]:
    user = request.user
    confirmed = two_factor.confirmed_device(user)
    pending = None if confirmed else two_factor.pending_device(user)
    context: dict[str, Any] = {
        "title": _("My account"),
        "device": confirmed,
        "pending": pending,
        "required": two_factor.requires_two_factor(user),
        "form": CodeForm(),
        "may_reset_others": user.has_action("accounts.user", "reset_two_factor"),
        # Until the users' list page links to it: the staff-accounts import.
        "may_import_accounts": user.has_action("accounts.user", "add"),
    }
    if pending is not None:
        context.update(qr_svg=two_factor.qr_svg(pending), secret=two_factor.secret_text(pending))
    context.update(extra)
    return context


def _render_account(request: AuthenticatedRequest, **extra: Any) -> HttpResponse:
    response = render(request, "accounts/account.html", _account_context(request, **extra))
    add_never_cache_headers(response)
    return response


@require_POST
def two_factor_start(request: AuthenticatedRequest) -> HttpResponse:
    """Make a new app to enrol (a fresh secret); the account page shows its QR code."""
    services.do_start_enrolment(request.user)
    return redirect("accounts:account")


@require_POST
@sensitive_post_parameters("code")
def two_factor_confirm(request: AuthenticatedRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _render_account(request, form=form, form_for="confirm")
    result, device = services.do_confirm_enrolment(request.user, form.cleaned_data["code"])
    if result == CodeCheck.NO_DEVICE:
        return redirect("accounts:account")
    if result != CodeCheck.OK:
        form.add_error(None, CODE_MESSAGES[result])
        return _render_account(request, form=form, form_for="confirm")
    # This session has just proven the app: it counts as logged in with a code.
    otp_login(request, device)
    request.session[two_factor.STATE_KEY] = two_factor.VERIFIED
    return redirect("accounts:account")  # which now says two-step login is on


@require_POST
@sensitive_post_parameters("code")
def two_factor_remove(request: AuthenticatedRequest) -> HttpResponse:
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _render_account(request, form=form, form_for="remove")
    result = services.do_remove_device(request.user, form.cleaned_data["code"])
    if result == CodeCheck.NO_DEVICE:
        return redirect("accounts:account")
    if result != CodeCheck.OK:
        form.add_error(None, CODE_MESSAGES[result])
        return _render_account(request, form=form, form_for="remove")
    request.session[two_factor.STATE_KEY] = two_factor.NONE
    return redirect("accounts:account")  # which now says two-step login is off


def two_factor_users(request: AuthenticatedRequest) -> HttpResponse:
    """Users of the officer's area who log in with an authenticator app (to reset one)."""
    return _render_two_factor_users(request)


def _render_two_factor_users(request: AuthenticatedRequest, status: int = 200) -> HttpResponse:
    if not request.user.has_action("accounts.user", "reset_two_factor"):
        raise PermissionDenied
    enrolled = AuthenticatorDevice.objects.filter(confirmed=True).values("user_id")
    users = (
        User.objects.restrict(request.user, "reset_two_factor")
        .filter(pk__in=enrolled)
        .exclude(pk=request.user.pk)
        .select_related("area")
    )
    # Officers and officials are listed too, without the button: only an administrator
    # resets theirs (roles.may_reset_two_factor), and the page says so.
    rows = [(person, may_reset_two_factor(request.user, person)) for person in users]
    return render(
        request,
        "accounts/two_factor_users.html",
        {
            "title": _("Two-step login of my area's users"),
            "rows": rows,
            "refused_reason": services.RESET_REFUSED,
        },
        status=status,
    )


@require_POST
def two_factor_reset(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    try:
        target = services.do_reset_two_factor(pk, by=request.user)
    except PermissionDeniedError as exc:
        messages.error(request, str(exc))
        return _render_two_factor_users(request, status=403)
    messages.success(
        request,
        _(
            "The authenticator app of %(user)s is removed. They log in "
            "with their password and may set up a new app."
        )
        % {"user": target},
    )
    return redirect("accounts:two_factor_users")


@method_decorator(sensitive_post_parameters(), name="dispatch")
@method_decorator(never_cache, name="dispatch")
class PasswordChangeView(ServiceFormView):
    """Any user changes their own password (the current one, the new one twice). A user
    whose password someone else set is held here first (``PasswordChangeMiddleware``);
    this session stays logged in, the user's other sessions end."""

    form_class = PasswordChangeForm
    template_name = "accounts/password_change.html"
    title = gettext_lazy("Change my password")
    submit_label = gettext_lazy("Change password")
    success_message = gettext_lazy("Your password is changed.")

    def get_cancel_url(self) -> str:
        return reverse("accounts:account")

    def perform(self, form: PasswordChangeForm) -> str:
        user = services.do_change_own_password(
            self.request.user,
            old_password=form.cleaned_data["old_password"],
            new_password=form.cleaned_data["new_password1"],
        )
        update_session_auth_hash(self.request, user)
        return reverse("reports:home")


# --- API tokens -------------------------------------------------------------------------------


class ApiTokenListView(ObjectListView):
    """A user's own API tokens; with the right (community officers), also those of the users
    of their area. ``?all=1`` includes revoked ones."""

    model = ApiToken
    table_class = ApiTokenTable
    template_name = "accounts/api_token_list.html"
    title = gettext_lazy("API tokens")

    def get_queryset(self) -> QuerySet[ApiToken]:
        # Not ObjectListView's check of the "view" right: everyone may list their own.
        self.filterset = None
        tokens = services.visible_api_tokens(self.request.user)
        if self.request.GET.get("all") != "1":
            tokens = tokens.filter(revoked__isnull=True)
        return tokens

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context.update(
            showing_all=self.request.GET.get("all") == "1", default_days=settings.API_TOKEN_DAYS
        )
        return context


class ApiTokenRevokeView(LoggedInView):
    """POST: the token stops working now (the service finds it among those the user may
    revoke: 404 for any other)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        token = services.do_revoke_api_token(pk, by=self.request.user)
        messages.success(
            request,
            _("Token %(prefix)s… is revoked: it no longer works.") % {"prefix": token.prefix},
        )
        return redirect("accounts:api_tokens")
