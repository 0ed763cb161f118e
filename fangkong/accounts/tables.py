"""Tables of the accounts pages. A token is shown by its prefix, never its hash."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from fangkong.accounts.models import ApiToken
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
