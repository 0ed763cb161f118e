"""Every change to a user's authenticator app (two-factor login) and API tokens, each audited.

The secret key never reaches the audit log: ``AuthenticatorDevice.audit_snapshot`` records
whether the app is confirmed and how many wrong codes came in a row, and what happened. Of a
token the log keeps its owner, prefix, purpose and dates, never the token or its hash.
"""

from __future__ import annotations

import datetime as dt
import enum
import secrets
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.accounts.choices import Role
from fangkong.accounts.models import API_TOKEN_MAX_DAYS, ApiToken, AuthenticatorDevice, User
from fangkong.accounts.roles import ROLE_LEVELS, may_grant, may_reset_two_factor
from fangkong.core.api_plumbing import hash_token
from fangkong.core.audit import record_change
from fangkong.core.choices import ChangeAction
from fangkong.core.exceptions import PermissionDeniedError
from fangkong.core.pinyin import name_pinyin
from fangkong.core.querysets import require

if TYPE_CHECKING:
    from fangkong.accounts.models import User
    from fangkong.areas.models import Area

#: What the app is called in the user's authenticator list and in the audit log.
DEVICE_NAME = "fangkong"


class CodeCheck(enum.StrEnum):
    """The outcome of checking a code an authenticator app showed."""

    OK = "ok"
    WRONG = "wrong"
    THROTTLED = "throttled"  # wrong codes came too fast; django-otp's back-off refused to check
    NO_DEVICE = "no_device"


#: What the user reads for each refusal.
CODE_MESSAGES = {
    CodeCheck.WRONG: _(
        "The code is wrong or has expired. Enter the 6 digits your authenticator app shows now."
    ),
    CodeCheck.THROTTLED: _("Too many wrong codes. Wait a few seconds, then enter the newest code."),
    CodeCheck.NO_DEVICE: _("There is no authenticator app to check this code against."),
}


def _check_code(device: AuthenticatorDevice, code: str, *, by: User) -> CodeCheck:
    """Check ``code`` against ``device`` (locked for the check: a code works once). A refused
    code is logged as a change of the device's wrong-code count."""
    device = (
        AuthenticatorDevice.objects.select_for_update(of=("self",))
        .select_related("user__area__parent")
        .get(pk=device.pk)
    )
    allowed, _detail = device.verify_is_allowed()
    before = device.audit_snapshot()
    if allowed and device.verify_token(code):
        return CodeCheck.OK
    result = CodeCheck.WRONG if allowed else CodeCheck.THROTTLED
    device.refresh_from_db(fields=["throttling_failure_count", "throttling_failure_timestamp"])
    device.audit_event = f"{result.value}_code"
    record_change(ChangeAction.UPDATE, device, before=before, actor=by)
    return result


@transaction.atomic
def check_login_code(user: User, code: str) -> tuple[CodeCheck, AuthenticatorDevice | None]:
    """The second step of logging in: the code of the user's confirmed app."""
    device = AuthenticatorDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        return CodeCheck.NO_DEVICE, None
    result = _check_code(device, code, by=user)
    return result, (device if result == CodeCheck.OK else None)


@transaction.atomic
def do_start_enrolment(user: User) -> AuthenticatorDevice:
    """A new, unconfirmed app with a fresh secret, replacing any earlier unconfirmed one. It
    does not count (login does not ask for it) until confirmed with a code."""
    # django-otp has no types: the device's manager answers Any.
    confirmed: AuthenticatorDevice | None = AuthenticatorDevice.objects.filter(
        user=user, confirmed=True
    ).first()
    if confirmed is not None:
        return confirmed
    AuthenticatorDevice.objects.filter(user=user, confirmed=False).delete()
    device: AuthenticatorDevice = AuthenticatorDevice.objects.create(
        user=user, name=DEVICE_NAME, confirmed=False
    )
    return device


@transaction.atomic
def do_confirm_enrolment(user: User, code: str) -> tuple[CodeCheck, AuthenticatorDevice | None]:
    """Confirm the unconfirmed app with a code it shows: from now on login asks for codes."""
    device = AuthenticatorDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        return CodeCheck.NO_DEVICE, None
    result = _check_code(device, code, by=user)
    if result != CodeCheck.OK:
        return result, None
    device = AuthenticatorDevice.objects.select_related("user__area__parent").get(pk=device.pk)
    before = device.audit_snapshot()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    device.audit_event = "enrolled"
    record_change(ChangeAction.UPDATE, device, before=before, actor=user)
    return result, device


@transaction.atomic
def do_remove_device(user: User, code: str) -> CodeCheck:
    """The user removes their own app, proving with a current code that they still hold it."""
    device = AuthenticatorDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    if device is None:
        return CodeCheck.NO_DEVICE
    result = _check_code(device, code, by=user)
    if result == CodeCheck.OK:
        _delete_devices(user, event="removed", by=user)
    return result


#: Why a reset of an officer's or official's app is refused (the page shows it too).
RESET_REFUSED = _(
    "Only an administrator can reset the two-step login of an officer, an official or a user "
    "of your own role or above: otherwise one officer's password could take over another "
    "officer's account. Ask your administrator."
)


def do_reset_two_factor(user_id: int, *, by: User) -> User:
    """An officer removes the app of a user in their area (a lost phone); the user logs in
    with the password alone and enrols again. ``Http404`` for anyone outside the officer's
    scope or right, and for the officer themself (their own app: the account page).

    Only an administrator resets an officer's, an official's or a peer's app
    (``roles.may_reset_two_factor``): ``PermissionDeniedError`` with the reason, and the
    refused attempt is in the audit log (committed although the reset is not done).
    """
    with transaction.atomic():
        target: User | None = (
            User.objects.restrict(by, "reset_two_factor")
            .exclude(pk=by.pk)
            .select_related("area__parent")
            .filter(pk=user_id)
            .first()
        )
        if target is None:
            raise Http404
        if may_reset_two_factor(by, target):
            _delete_devices(target, event="reset", by=by)
            return target
        _record_refused_reset(target, by=by)
    raise PermissionDeniedError("reset", str(RESET_REFUSED))


def _record_refused_reset(target: User, *, by: User) -> None:
    """A refused reset changes nothing; its row says who tried, on whose app."""
    device = (
        AuthenticatorDevice.objects.select_related("user__area__parent")
        .filter(user=target, confirmed=True)
        .order_by("pk")
        .first()
    )
    if device is None:
        return
    before = device.audit_snapshot()
    device.audit_event = "reset_refused"
    record_change(ChangeAction.UPDATE, device, before=before, actor=by)


def _delete_devices(user: User, *, event: str, by: User) -> None:
    devices = list(
        AuthenticatorDevice.objects.select_for_update(of=("self",))
        .select_related("user__area__parent")
        .filter(user=user)
    )
    for device in devices:
        if device.confirmed:  # an abandoned enrolment was never an app that counted
            device.audit_event = event
            record_change(ChangeAction.DELETE, device, before=device.audit_snapshot(), actor=by)
    AuthenticatorDevice.objects.filter(pk__in=[d.pk for d in devices]).delete()


# --- API tokens -----------------------------------------------------------------------------

#: Characters of a token kept in clear, to recognise it in a list (never to find it by).
TOKEN_PREFIX_LENGTH = 8


def visible_api_tokens(user: User | None, action: str = "view") -> models.QuerySet[ApiToken]:
    """Everyone's own tokens, and with the right those of the users of their area.
    ``user=None`` (an operator's command) sees every token."""
    tokens = ApiToken.objects.select_related("user__area__parent")
    if user is None:
        return tokens.all()
    return tokens.restrict(user, action) | tokens.filter(user=user)


@transaction.atomic
def do_issue_api_token(
    user: User, *, by: User | None, description: str = "", days: int | None = None
) -> tuple[ApiToken, str]:
    """A new API token for ``user``: the row, and the token itself, to be shown once (only
    its SHA-256 and first characters are stored). It expires after ``days`` (default
    ``FANGKONG_API_TOKEN_DAYS``, at most ``API_TOKEN_MAX_DAYS``).

    ``by=None`` is an operator's ``manage.py api_tokens issue``; a user issuing one needs the
    ``add`` right on tokens in the owner's area (no role has it: administrators only).
    """
    require(by, ApiToken, "add", user.area if user.area_id else user)
    if not user.is_active:
        raise ValidationError(_("This account is disabled."), code="inactive")
    days = settings.API_TOKEN_DAYS if days is None else days
    if not 1 <= days <= API_TOKEN_MAX_DAYS:
        raise ValidationError(
            {"days": _("A token lasts from 1 to %(max)d days.") % {"max": API_TOKEN_MAX_DAYS}},
        )
    description = description.strip()
    if len(description) > 200:
        raise ValidationError({"description": _("At most 200 characters.")})
    key = secrets.token_urlsafe(32)
    while key.startswith("-"):
        # The prefix is typed on the command line (`api_tokens revoke <prefix>`), where a
        # leading dash reads as an option: one token in 64 could not be revoked by it.
        key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        key_hash=hash_token(key),
        prefix=key[:TOKEN_PREFIX_LENGTH],
        description=description,
        expires=timezone.now() + dt.timedelta(days=days),
    )
    record_change(ChangeAction.CREATE, token, actor=by)
    return token, key


@transaction.atomic
def do_revoke_api_token(token_id: int, *, by: User | None) -> ApiToken:
    """Stop a token from working now. A user revokes their own; an officer with the right,
    those of their area's users. ``Http404`` for any other. Revoking twice changes nothing."""
    token = (
        visible_api_tokens(by, "revoke").select_for_update(of=("self",)).filter(pk=token_id).first()
    )
    if token is None:
        raise Http404
    if token.revoked is None:
        before = token.audit_snapshot()
        token.revoked = timezone.now()
        token.save(update_fields=["revoked"])
        record_change(ChangeAction.UPDATE, token, before=before, actor=by)
    return token


# --- Passwords and deactivation ---------------------------------------------------------------

#: Letters and digits of one-time passwords: none that read alike (0/O, 1/l/I).
ONE_TIME_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def one_time_password() -> str:
    """A password to hand over once (printed, read out): 3 groups of 4 unambiguous
    characters, about 59 bits, and easy to type on a phone."""
    groups = ("".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


def set_one_time_password(user: User) -> str:
    """Give ``user`` a fresh one-time password that they must change at their next login
    (not saved: the caller saves and audits). Changing the hash ends every session the
    user has: Django checks each session's copy of it on every request."""
    while True:
        password = one_time_password()
        try:
            password_validation.validate_password(password, user)
        except ValidationError:  # a generated one resembling the username: draw again
            continue
        break
    user.set_password(password)
    user.must_change_password = True
    return password


#: Why an account of the actor's own rank or above is refused (the pages show it too).
ACCOUNT_REFUSED = _(
    "Only an administrator can change the account of an officer, an official or a user of "
    "your own role or above. Ask your administrator."
)


def _target(user: User, action: str, *, by: User | None) -> User:
    """``user`` locked for the change, after the actor's scope, right and rank are checked."""
    target = User.objects.select_for_update(of=("self",)).select_related("area__parent")
    locked: User = target.get(pk=user.pk)
    if by is None:
        return locked
    if locked.pk == by.pk:
        raise PermissionDeniedError(action, str(_("You cannot do this to your own account.")))
    require(
        by, User, action, locked.area if locked.area_id else locked, reason=str(ACCOUNT_REFUSED)
    )
    if not may_reset_two_factor(by, locked):
        raise PermissionDeniedError(action, str(ACCOUNT_REFUSED))
    return locked


@transaction.atomic
def do_reset_password(user: User, *, by: User | None) -> str:
    """An administrator gives ``user`` a one-time password (returned, to be shown once):
    the user must change it at their next login, and every session they have ends now.
    ``by=None`` is an operator's command."""
    target = _target(user, "reset_password", by=by)
    before = target.audit_snapshot()
    password = set_one_time_password(target)
    target.save(update_fields=["password", "must_change_password"])
    target.audit_event = "password_reset"
    record_change(ChangeAction.UPDATE, target, before=before, actor=by)
    return password


def last_administrator_of(user: User) -> bool:
    """Whether ``user`` is the only active administrator at or above their area: without
    them no one could manage the area's accounts in the pages."""
    if user.role != Role.ADMINISTRATOR or not user.is_active or user.area is None:
        return False
    others = User.objects.filter(
        role=Role.ADMINISTRATOR, is_active=True, area_id__in=user.area.ancestor_ids()
    ).exclude(pk=user.pk)
    return not others.exists()


@transaction.atomic
def do_deactivate_user(user: User, *, by: User | None, reason: str) -> User:
    """``user`` can no longer log in, and every session and API token they have stops
    working at their next request (Django's session check and the token check both ask
    ``is_active``). The reason goes to the audit log."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the account is deactivated.")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("At most 200 characters.")})
    target = _target(user, "deactivate", by=by)
    if not target.is_active:
        return target
    if last_administrator_of(target):
        raise ValidationError(
            _("%(user)s is the last administrator of %(area)s: appoint another one first.")
            % {"user": target, "area": target.area}
        )
    before = target.audit_snapshot()
    target.is_active = False
    target.save(update_fields=["is_active"])
    target.audit_event = "deactivated"
    target.audit_reason = reason
    record_change(ChangeAction.UPDATE, target, before=before, actor=by)
    return target


@transaction.atomic
def do_change_own_password(user: User, *, old_password: str, new_password: str) -> User:
    """The user sets their own password, proving the old one. The new one must pass
    Django's validators (``AUTH_PASSWORD_VALIDATORS``) and differ from the old one; the
    must-change mark goes. The caller keeps the current session
    (``update_session_auth_hash``); every other session of the user ends."""
    target = User.objects.select_for_update(of=("self",)).select_related("area__parent")
    locked: User = target.get(pk=user.pk)
    if not locked.check_password(old_password):
        raise ValidationError({"old_password": _("The current password is wrong.")})
    if new_password == old_password:
        raise ValidationError(
            {"new_password1": _("The new password must differ from the current one.")}
        )
    try:
        password_validation.validate_password(new_password, locked)
    except ValidationError as exc:
        raise ValidationError({"new_password1": exc.messages}) from None
    before = locked.audit_snapshot()
    locked.set_password(new_password)
    locked.must_change_password = False
    locked.save(update_fields=["password", "must_change_password"])
    locked.audit_event = "password_changed"
    record_change(ChangeAction.UPDATE, locked, before=before, actor=locked)
    return locked


# --- New accounts ---------------------------------------------------------------------------

#: Why a role is refused to the one granting it (pages and the import show it).
ROLE_REFUSED = _(
    "You cannot give this role: an administrator gives roles below its area, a community "
    "officer those of grid workers, gate staff, volunteers and the health officer."
)


def username_from_name(full_name: str) -> str:
    """A free username for a new account: the name's pinyin (王秀英 → wangxiuying), then
    wangxiuying2, 3… (ASCII, so any phone's keyboard types it at the login)."""
    full, _initials = name_pinyin(full_name)
    base = "".join(ch for ch in full.lower() if ch.isascii() and ch.isalnum())[:30] or "user"
    taken = set(User.objects.filter(username__istartswith=base).values_list("username", flat=True))
    taken = {name.lower() for name in taken}
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}{n}"
    return candidate


def check_new_account(*, by: User | None, role: str, area: Area) -> None:
    """Refuse a role the actor may not give, or on an area out of its reach or of the wrong
    level for the role (a street official on a grid): one check for the pages, the API and
    the import."""
    if role not in ROLE_LEVELS:
        raise ValidationError({"role": _("Choose a role from the list.")})
    if area.level not in ROLE_LEVELS[role]:
        raise ValidationError({"area": _("This role is not given on an area of this level.")})
    if by is None:
        return
    require(by, User, "add", area, reason=str(ROLE_REFUSED))
    if not may_grant(by, role, area):
        raise PermissionDeniedError("add", str(ROLE_REFUSED))


@transaction.atomic
def do_create_user(
    *,
    by: User | None,
    full_name: str,
    role: str,
    area: Area,
    username: str = "",
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
) -> tuple[User, str]:
    """A new account of ``role`` on ``area`` with a one-time password, returned to be shown
    once (the user must choose their own at first login). ``username`` empty: made from the
    name's pinyin. ``by=None`` is an operator's command.

    ``starts_on``/``ends_on`` date the assignment; assignments with dates are not built yet
    (issue 15's "assign" part brings them), so a date is refused rather than dropped."""
    full_name = full_name.strip()
    if not full_name:
        raise ValidationError({"full_name": _("Give the person's name.")})
    if starts_on is not None or ends_on is not None:
        raise ValidationError(
            {"ends_on": _("Assignments with start and end dates are not available yet.")}
        )
    check_new_account(by=by, role=role, area=area)
    username = username.strip() or username_from_name(full_name)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("This username is taken: choose another.")})
    user = User(username=username, full_name=full_name, role=role, area=area)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from None
    password = set_one_time_password(user)
    user.save()
    user.audit_event = "account_created"
    record_change(ChangeAction.CREATE, user, actor=by)
    return user, password
