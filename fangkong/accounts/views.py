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
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from fangkong.accounts import services, two_factor
from fangkong.accounts.filtersets import UserFilterSet
from fangkong.accounts.forms import (
    AssignmentForm,
    CodeForm,
    EndAssignmentForm,
    LoginForm,
    PasswordChangeForm,
    ReasonForm,
    UserAccountForm,
    UserCreateForm,
)
from fangkong.accounts.models import ApiToken, Assignment, AuthenticatorDevice, User
from fangkong.accounts.roles import may_manage_account, may_reset_two_factor
from fangkong.accounts.services import CODE_MESSAGES, CodeCheck
from fangkong.accounts.tables import ApiTokenTable, UserTable
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.models import ObjectChange
from fangkong.core.querysets import may
from fangkong.core.requests import AuthenticatedRequest
from fangkong.core.views import (
    LoggedInView,
    ObjectDetailView,
    ObjectEditView,
    ObjectListView,
    ServiceActionView,
    ServiceFormView,
    get_restricted_object,
    posted_version,
)


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


# --- Assignments ----------------------------------------------------------------------------

#: What each state of an assignment is called on the page.
ASSIGNMENT_STATES = {
    "active": pgettext_lazy("assignment state", "In force"),
    "future": pgettext_lazy("assignment state", "Not started"),
    "ended": pgettext_lazy("assignment state", "Ended"),
}


class UserAssignmentsView(ServiceFormView):
    """A user's assignments: their own role and area, and the dated ones, each with its state
    (in force, not started, ended); a form to add one and a button to end one. The user is
    found among those the viewer may see (404 for any other)."""

    form_class = AssignmentForm
    template_name = "accounts/user_assignments.html"
    model = User
    action = "view"
    submit_label = gettext_lazy("Add assignment")
    success_message = gettext_lazy("The assignment is added.")
    target: User

    def prepare(self) -> None:
        self.target = get_restricted_object(
            User.objects.select_related("area"), self.request.user, "view", pk=self.kwargs["pk"]
        )

    def get_title(self) -> Any:
        return _("Assignments of %(user)s") % {"user": self.target}

    def get_cancel_url(self) -> str:
        return reverse("accounts:user_assignments", args=[self.target.pk])

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        rows = Assignment.objects.filter(user=self.target).select_related("area")
        assignments = [(a, ASSIGNMENT_STATES[a.state()]) for a in rows]
        context.update(
            target=self.target,
            assignments=assignments,
            can_add=may(self.request.user, Assignment, "add", self.target.area or self.target)
            if self.target.area_id
            else False,
            end_form=EndAssignmentForm(),
        )
        return context

    def perform(self, form: AssignmentForm) -> str:
        if not self.request.user.has_action(Assignment, "add"):
            raise PermissionDeniedError("add", str(services.ROLE_REFUSED))
        services.do_add_assignment(self.target, by=self.request.user, **form.service_data())
        return self.get_cancel_url()


class AssignmentEndView(ServiceActionView):
    """POST: end an assignment now, or on the last day given (the service checks that the
    user may give that role there)."""

    model = Assignment
    queryset = Assignment.objects.select_related("user", "area")
    form_class = EndAssignmentForm
    success_message = gettext_lazy("The assignment is ended.")

    def act(self, obj: Assignment, data: dict[str, Any]) -> Assignment:
        return services.do_end_assignment(
            obj,
            by=self.request.user,
            ends_on=data.get("ends_on"),
            expected_version=posted_version(self.request),
        )

    def redirect_to(self, obj: Assignment, result: Any) -> str:
        return reverse("accounts:user_assignments", args=[obj.user_id])


# --- Accounts: administrators and community officers ------------------------------------------


def _with_two_factor(users: QuerySet[User]) -> QuerySet[User]:
    """Users with ``two_factor``: whether they log in with a confirmed authenticator app
    (one subquery, not one query per row)."""
    enrolled = AuthenticatorDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)
    return users.select_related("area").annotate(two_factor=Exists(enrolled))


def _user_url(user: User) -> str:
    return reverse("accounts:user_detail", args=[user.pk])


def _one_time_password_page(
    request: AuthenticatedRequest, user: User, password: str, *, new: bool
) -> HttpResponse:
    """The one page that shows a one-time password: answered to the POST that made it, never
    cached, never in a URL or a message (which the session would keep). Reloading it asks to
    post again, which makes a new password; the old one is never shown again."""
    response = render(
        request,
        "accounts/user_password.html",
        {
            "title": _("Account created") if new else _("Password reset"),
            "person": user,
            "password": password,
            "new": new,
        },
    )
    add_never_cache_headers(response)
    return response


class UserListView(ObjectListView):
    """The accounts of the user's area, by name or username, role, area, state, two-step
    login and last login."""

    model = User
    filterset_class = UserFilterSet
    table_class = UserTable
    template_name = "accounts/user_list.html"
    title = gettext_lazy("Accounts")

    def get_base_queryset(self) -> QuerySet[User]:
        return _with_two_factor(super().get_base_queryset())

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["add_url"] = reverse("accounts:user_create")
        return context


#: How many of the account's own audit rows its page shows (the audit log has them all).
RECENT_CHANGES = 10


class UserDetailView(ObjectDetailView):
    """One account: role, area, state, two-step login, last login, its recent changes, and
    the buttons the viewer may use on it. Never the password hash nor the app's key."""

    model = User
    queryset = User.objects.select_related("area")
    template_name = "accounts/user_detail.html"
    context_object_name = "person"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        person: User = self.object
        viewer = self.request.user
        own = person.pk == viewer.pk
        changes = ObjectChange.objects.filter(
            content_type=ContentType.objects.get_for_model(User), object_id=str(person.pk)
        ).order_by("-time", "-pk")[:RECENT_CHANGES]
        context.update(
            title=str(person),
            two_factor=two_factor.confirmed_device(person) is not None,
            may_manage=not own
            and viewer.has_action(User, "change")
            and may_manage_account(viewer, person),
            may_reset=not own
            and viewer.has_action(User, "reset_password")
            and may_reset_two_factor(viewer, person),
            refused_reason=services.ACCOUNT_REFUSED,
            own=own,
            changes=[_change_row(change) for change in changes],
            reason_form=ReasonForm(),
            breadcrumbs=[{"url": reverse("accounts:user_list"), "label": _("Accounts")}],
        )
        return context


#: What each audited event of an account reads as on its page.
EVENTS = {
    "account_created": gettext_lazy("Account created"),
    "account_changed": gettext_lazy("Name, role or area changed"),
    "deactivated": gettext_lazy("Deactivated"),
    "reactivated": gettext_lazy("Reactivated"),
    "password_reset": gettext_lazy("Password reset"),
    "password_changed": gettext_lazy("Password changed by the user"),
}


def _change_row(change: ObjectChange) -> dict[str, Any]:
    after = change.after or {}
    event = after.get("event", "")
    return {
        "time": change.time,
        "actor": change.actor_name or _("operator's command"),
        "what": EVENTS.get(event, event or change.get_action_display()),
        "reason": after.get("reason", ""),
    }


@method_decorator(never_cache, name="dispatch")
class UserCreateView(ServiceFormView):
    """A new account of a role the user may give, on an area of theirs. The answer is the
    one page that shows its one-time password."""

    form_class = UserCreateForm
    model = User
    action = "add"
    template_name = "accounts/user_form.html"
    title = gettext_lazy("New account")
    submit_label = gettext_lazy("Create account")
    success_message = ""
    invalid_status = 200

    def refusal(self) -> str:
        return str(services.ROLE_REFUSED)

    def get_cancel_url(self) -> str:
        return reverse("accounts:user_list")

    def perform(self, form: UserCreateForm) -> HttpResponse:
        data = form.cleaned_data
        user, password = services.do_create_user(
            by=self.request.user,
            full_name=data["full_name"],
            role=data["role"],
            area=data["area"],
            username=data.get("username") or "",
        )
        return _one_time_password_page(self.request, user, password, new=True)


class UserEditView(ObjectEditView):
    """A person's name, role and area. Only accounts the user may manage
    (``may_manage_account``): others are refused with the reason, not shown a form."""

    model = User
    queryset = User.objects.select_related("area")
    form_class = UserAccountForm
    template_name = "accounts/user_form.html"

    def check_permission(self) -> None:
        user = self.request.user
        if self.object.pk == user.pk:
            raise PermissionDeniedError(
                "change", _("Your own name, role and area are changed by your administrator.")
            )
        if not may_manage_account(user, self.object):
            raise PermissionDeniedError("change", str(services.ACCOUNT_REFUSED))

    def get_title(self) -> Any:
        return _("Edit %(user)s") % {"user": self.object}

    def get_cancel_url(self) -> str:
        return _user_url(self.object)

    def perform(self, form: UserAccountForm) -> str:
        data = form.cleaned_data
        try:
            user = services.do_update_user(
                self.object,
                by=self.request.user,
                full_name=data["full_name"],
                role=data["role"],
                area=data["area"],
            )
        except Http404:  # an area out of reach, as ObjectEditView words it
            raise ValidationError(
                {"area": _("You can only choose records of your own area.")}
            ) from None
        return _user_url(user)


class _UserButton(ServiceActionView):
    """A button on a user's page; back to that page."""

    model = User
    queryset = User.objects.select_related("area")

    def redirect_to(self, obj: Any, result: Any) -> str:
        return _user_url(obj)


class UserDeactivateView(_UserButton):
    """The account stops working at once (sessions and API tokens), with a reason."""

    form_class = ReasonForm
    success_message = gettext_lazy("The account is deactivated: it can no longer log in.")

    def act(self, obj: User, data: dict[str, Any]) -> User:
        return services.do_deactivate_user(obj, by=self.request.user, reason=data["reason"])


class UserReactivateView(_UserButton):
    """The account may log in again, with a reason."""

    form_class = ReasonForm
    success_message = gettext_lazy("The account is active again.")

    def act(self, obj: User, data: dict[str, Any]) -> User:
        return services.do_reactivate_user(obj, by=self.request.user, reason=data["reason"])


class UserResetPasswordView(_UserButton):
    """A one-time password, shown once on the page this POST answers; the user's sessions
    end and they must choose their own password at the next login."""

    def perform(self) -> HttpResponse:
        password = services.do_reset_password(self.object, by=self.request.user)
        return _one_time_password_page(self.request, self.object, password, new=False)


class UserResetTwoFactorView(_UserButton):
    """The user's authenticator app is removed (a lost phone)."""

    success_message = gettext_lazy(
        "The authenticator app is removed. The user logs in with the password and may set "
        "up a new app."
    )

    def act(self, obj: User, data: dict[str, Any]) -> User:
        return services.do_reset_two_factor(obj.pk, by=self.request.user)
