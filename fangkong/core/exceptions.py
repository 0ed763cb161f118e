"""Errors that services raise and views and the API translate for the user."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _


class ConflictError(Exception):
    """Someone else changed the row since the caller read it (optimistic locking)."""

    def __init__(self, message: str, current_version: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.current_version = current_version


class PermissionDeniedError(PermissionDenied):
    """The caller may see the row but not do this to it.

    ``action`` is the right that was missing (``"change"``, ``"reveal"``…), for logs and
    tests; ``reason`` is the sentence the user reads (a 403 page, the top of a form, the
    API's ``message``). Without a reason the user reads the generic refusal, never the bare
    action word. A subclass of Django's ``PermissionDenied``, so one raised past a view still
    answers 403 (through ``core.error_views.permission_denied``, which shows the reason).
    """

    def __init__(self, action: str = "", reason: str = "") -> None:
        super().__init__(reason or action)
        self.action = action
        self.reason = reason

    @property
    def message(self) -> str:
        """What the user is told."""
        return str(self.reason) if self.reason else _("You do not have permission to do this.")


def refusal_reason(exc: BaseException | None) -> str:
    """The sentence a refusal shows: its reason, or the generic one (Django's bare
    ``PermissionDenied`` carries none)."""
    if isinstance(exc, PermissionDeniedError):
        return exc.message
    return _("You do not have permission to do this.")


__all__ = ["ConflictError", "PermissionDeniedError", "ValidationError", "refusal_reason"]
