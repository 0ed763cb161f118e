from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from fangkong.accounts.choices import Role
from fangkong.accounts.roles import ROLE_LEVELS, grantable_roles
from fangkong.areas.models import Area
from fangkong.core.forms import DATE_INPUT, ServiceForm, field_of

if TYPE_CHECKING:
    from fangkong.accounts.models import User


class LoginForm(AuthenticationForm):
    """Django's login form with our wording; django-axes throttles failures behind it."""

    username = forms.CharField(
        label=_("Username"),
        widget=forms.TextInput(attrs={"autofocus": True, "autocapitalize": "none"}),
    )
    error_messages = {
        "invalid_login": _("The username or password is wrong. Both are case-sensitive."),
        "inactive": _("This account is disabled."),
    }


class CodeForm(forms.Form):
    """The 6 digits an authenticator app shows. Spaces and dashes typed between them are fine."""

    code = forms.CharField(
        label=_("Code from the authenticator app"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 -]*",
                "size": 8,
            }
        ),
    )

    def clean_code(self) -> str:
        code = "".join(ch for ch in self.cleaned_data["code"] if ch not in " -")
        if len(code) != 6 or not code.isascii() or not code.isdigit():
            raise forms.ValidationError(
                _("Enter the 6 digits your authenticator app shows."), code="format"
            )
        return code


class PasswordChangeForm(ServiceForm):
    """A user's own new password: the current one, and the new one twice. Django's
    validators (``AUTH_PASSWORD_VALIDATORS``) are the service's to apply."""

    old_password = forms.CharField(
        label=_("Current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password", "autofocus": True}),
    )
    new_password1 = forms.CharField(
        label=_("New password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not like your username."),
    )
    new_password2 = forms.CharField(
        label=_("New password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, second = cleaned.get("new_password1"), cleaned.get("new_password2")
        if first and second and first != second:
            self.add_error("new_password2", _("The two new passwords differ."))
        return cleaned


class AssignmentForm(ServiceForm):
    """One more assignment for a user: a role the granter may give, on an area they cover,
    with optional dates. The service checks all of it again (``do_add_assignment``)."""

    role = forms.ChoiceField(label=_("role"))
    area = forms.ModelChoiceField(label=_("area"), queryset=Area.objects.none())
    starts_on = forms.DateField(label=_("starts on"), required=False, widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("ends on"), required=False, widget=DATE_INPUT)
    note = forms.CharField(
        label=_("note"),
        required=False,
        max_length=200,
        help_text=_("What for, e.g. a screening helper lent by the district bureau."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = self.user
        grantable = grantable_roles(user) if user is not None else frozenset()
        areas = Area.objects.order_by("path")
        area = field_of(self, "area", forms.ModelChoiceField)
        area.queryset = areas.restrict(user, "view") if user is not None else areas.none()
        # No role chosen for the user: the first on the list would be given by a slip.
        field_of(self, "role", forms.ChoiceField).choices = [
            ("", area.empty_label or ""),
            *((value, label) for value, label in Role.choices if value in grantable),
        ]


class EndAssignmentForm(ServiceForm):
    """The end button's one optional field: the last day (empty: now)."""

    ends_on = forms.DateField(label=_("last day"), required=False, widget=DATE_INPUT)


# --- Accounts managed by administrators and community officers ---------------------------------


def _role_choices(user: User | None) -> list[tuple[str, Any]]:
    """The roles ``user`` may give, in the order of the role list."""
    grantable = grantable_roles(user) if user is not None else frozenset()
    return [
        ("", _("- Select an option -")),
        *((v, lbl) for v, lbl in Role.choices if v in grantable),
    ]


def _area_choices(user: User | None) -> QuerySet[Area]:
    """Areas the user covers, of a level some role they give is placed on."""
    if user is None:
        return Area.objects.none()
    levels = {level for role in grantable_roles(user) for level in ROLE_LEVELS[role]}
    return Area.objects.restrict(user, "view").filter(level__in=levels)


class UserAccountForm(ServiceForm):
    """A person's name, role and area: the service checks the role is the user's to give
    on that area (``check_new_account``)."""

    instance_fields = ("full_name", "role", "area")

    full_name = forms.CharField(label=_("full name"), max_length=100)
    role = forms.ChoiceField(label=_("role"))
    area = forms.ModelChoiceField(label=_("area"), queryset=Area.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "role", forms.ChoiceField).choices = _role_choices(self.user)
        field_of(self, "area", forms.ModelChoiceField).queryset = _area_choices(self.user)


class UserCreateForm(UserAccountForm):
    """A new account: the name, an optional username (else the name's pinyin), role, area.
    No password is typed: the account gets a one-time password, shown once."""

    username = forms.CharField(
        label=_("username"),
        max_length=150,
        required=False,
        help_text=_("Leave empty to make one from the name's pinyin."),
        widget=forms.TextInput(attrs={"autocapitalize": "none", "autocomplete": "off"}),
    )

    field_order = ["full_name", "username", "role", "area"]


class ReasonForm(ServiceForm):
    """Why an account is deactivated or reactivated (kept in the audit log)."""

    reason = forms.CharField(label=_("reason"), max_length=200)
