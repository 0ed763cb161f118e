"""Where a session stands with two-factor login, and the pieces the pages show.

A user with a confirmed authenticator app logs in in two steps: the password step stores a
*pending login* in the session (the session is not logged in), the code step logs in. Every
login also notes in the session how it was made (``STATE_KEY``):

* ``verified``: through the code step (or the user just confirmed their app);
* ``none``: the user had no app at login;
* ``unverified``: the user has an app but logged in some other way (Django admin's login
  form): ``TwoFactorMiddleware`` logs such a session out.

Noting it at login keeps requests free of an extra query. Users whose role is listed in
``settings.TWO_FACTOR_REQUIRED_ROLES`` and who have no app are held on their account page
until they enrol. API Bearer tokens do not use sessions and are not affected.
"""

from __future__ import annotations

import time
from base64 import b32encode
from typing import TYPE_CHECKING, Any

import segno
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django_otp import user_has_device

from fangkong.accounts.models import AuthenticatorDevice, User

if TYPE_CHECKING:
    from fangkong.accounts.models import User

STATE_KEY = "accounts.two_factor"
VERIFIED, NONE, UNVERIFIED = "verified", "none", "unverified"

PENDING_KEY = "accounts.pending_login"
#: How long the code step waits after a right password before the password is asked again.
PENDING_SECONDS = 300


def requires_two_factor(user: User) -> bool:
    """Whether the user's role must use an authenticator app (the setting's role codes)."""
    return bool(getattr(user, "role", "")) and user.role in settings.TWO_FACTOR_REQUIRED_ROLES


def confirmed_device(user: User) -> AuthenticatorDevice | None:
    # django-otp has no types: the device's manager answers Any.
    device: AuthenticatorDevice | None = (
        AuthenticatorDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    )
    return device


def pending_device(user: User) -> AuthenticatorDevice | None:
    """The app being enrolled: made, not yet confirmed with a code."""
    device: AuthenticatorDevice | None = (
        AuthenticatorDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    )
    return device


def note_state(request: HttpRequest, user: User) -> str:
    """Work out and remember how this session stands (sessions made before 2FA existed)."""
    state = UNVERIFIED if user_has_device(user, confirmed=True) else NONE
    request.session[STATE_KEY] = state
    return state


@receiver(user_logged_in, dispatch_uid="accounts.two_factor.note_login")
def _note_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    """Every way of logging in passes here (ours, Django admin's, the test client's), which is
    why this is a signal: it records the session's state, nothing else."""
    if request is None or not hasattr(request, "session"):
        return
    if getattr(user, "otp_device", None) is not None:  # django-otp's mark: the code step
        request.session[STATE_KEY] = VERIFIED
    else:
        note_state(request, user)


# --- The pending login (between the password and the code) -----------------------------------


def start_pending_login(request: HttpRequest, user: User, next_url: str) -> None:
    request.session.cycle_key()  # a fresh session id once the password is known to be right
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "since": int(time.time()),
        "next": next_url,
    }


def pending_login(request: HttpRequest) -> tuple[User, str, str] | None:
    """(user, backend, next URL) of a pending login still in time, else None."""
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if int(time.time()) - int(pending.get("since", 0)) > PENDING_SECONDS:
        end_pending_login(request)
        return None
    user = User.objects.filter(pk=pending.get("user"), is_active=True).first()
    if user is None or pending.get("backend") not in settings.AUTHENTICATION_BACKENDS:
        end_pending_login(request)
        return None
    return user, pending["backend"], str(pending.get("next", ""))


def end_pending_login(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)


# --- What the enrolment page shows ------------------------------------------------------------


def secret_text(device: AuthenticatorDevice) -> str:
    """The key as apps ask for it when typed in: base32, in groups of four."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_svg(device: AuthenticatorDevice) -> str:
    """The provisioning URI as an inline SVG QR code (made here: no outside service)."""
    return segno.make(device.config_url, error="m", micro=False).svg_inline(
        scale=4, border=4, title="QR", omitsize=False
    )
