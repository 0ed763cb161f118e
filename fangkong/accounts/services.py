"""Every change to a user's authenticator app (two-factor login), each one audited.

The secret key never reaches the audit log: ``AuthenticatorDevice.audit_snapshot`` records
whether the app is confirmed and how many wrong codes came in a row, and what happened.
"""

from __future__ import annotations

import enum
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from fangkong.accounts.models import AuthenticatorDevice, User
from fangkong.core.audit import record_change
from fangkong.core.choices import ChangeAction

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
    CodeCheck.WRONG: _("The code is wrong or has expired. Enter the 6 digits your "
                       "authenticator app shows now."),
    CodeCheck.THROTTLED: _("Too many wrong codes. Wait a few seconds, then enter the newest "
                           "code."),
    CodeCheck.NO_DEVICE: _("There is no authenticator app to check this code against."),
}


def _check_code(device: AuthenticatorDevice, code: str, *, by: Any) -> CodeCheck:
    """Check ``code`` against ``device`` (locked for the check: a code works once). A refused
    code is logged as a change of the device's wrong-code count."""
    device = AuthenticatorDevice.objects.select_for_update(of=("self",)).select_related(
        "user__area__parent"
    ).get(pk=device.pk)
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
    confirmed = AuthenticatorDevice.objects.filter(user=user, confirmed=True).first()
    if confirmed is not None:
        return confirmed
    AuthenticatorDevice.objects.filter(user=user, confirmed=False).delete()
    return AuthenticatorDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


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


@transaction.atomic
def do_reset_two_factor(user_id: int, *, by: User) -> User:
    """An officer removes the app of a user in their area (a lost phone); the user logs in
    with the password alone and enrols again. ``Http404`` for anyone outside the officer's
    scope or right, and for the officer themself (their own app: the account page)."""
    target = (
        User.objects.restrict(by, "reset_two_factor")
        .exclude(pk=by.pk)
        .select_related("area__parent")
        .filter(pk=user_id)
        .first()
    )
    if target is None:
        raise Http404
    _delete_devices(target, event="reset", by=by)
    return target


def _delete_devices(user: User, *, event: str, by: Any) -> None:
    devices = list(
        AuthenticatorDevice.objects.select_for_update(of=("self",)).select_related("user__area__parent")
        .filter(user=user)
    )
    for device in devices:
        if device.confirmed:  # an abandoned enrolment was never an app that counted
            device.audit_event = event
            record_change(ChangeAction.DELETE, device, before=device.audit_snapshot(), actor=by)
    AuthenticatorDevice.objects.filter(pk__in=[d.pk for d in devices]).delete()
