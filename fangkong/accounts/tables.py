"""Tables of the accounts pages. A token is shown by its prefix, never its hash; a user by
name, role, area and state, never a password hash or an authenticator key."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from fangkong.accounts.models import ApiToken, User
from fangkong.core.tables import Column, Table


def _local(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _state(token: ApiToken) -> str:
    if token.revoked is not None:
        return str(_("Revoked %(when)s") % {"when": _local(token.revoked)})
    if not token.is_usable():
        return str(_("Expired"))
    return str(_("In use"))


class ApiTokenTable(Table):
    columns = [
        Column(
            "prefix",
            capfirst(_("prefix")),
            accessor=lambda t: format_html("<code>{}…</code>", t.prefix),
        ),
        Column("user", capfirst(_("owner")), accessor=lambda t: f"{t.user} ({t.user.username})"),
        Column("description", capfirst(_("description"))),
        Column("created", capfirst(_("created")), accessor=lambda t: _local(t.created)),
        Column("expires", capfirst(_("expires")), accessor=lambda t: _local(t.expires)),
        Column(
            "last_used",
            capfirst(_("last used")),
            accessor=lambda t: _local(t.last_used) or _("never"),
        ),
        Column("state", capfirst(_("state")), accessor=_state),
    ]


def _user_link(user: User) -> str:
    return format_html('<a href="{}">{}</a>', reverse("accounts:user_detail", args=[user.pk]), user)


def _on_off(value: bool) -> str:
    return str(_("On") if value else _("Off"))


def _active(user: User) -> str:
    return str(_("Active") if user.is_active else _("Deactivated"))


class UserTable(Table):
    """The accounts list; ``two_factor`` is annotated by the list's queryset."""

    columns = [
        Column("full_name", capfirst(_("full name")), accessor=_user_link),
        Column("username", capfirst(_("username"))),
        Column("role", capfirst(_("role"))),
        Column("area", capfirst(_("area")), accessor=lambda u: u.area or ""),
        Column("is_active", capfirst(_("state")), accessor=_active),
        Column(
            "two_factor",
            capfirst(_("two-step login")),
            accessor=lambda u: _on_off(getattr(u, "two_factor", False)),
        ),
        Column(
            "last_login",
            capfirst(_("last login")),
            accessor=lambda u: _local(u.last_login) or _("never logged in"),
        ),
    ]
