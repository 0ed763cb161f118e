"""Errors that services raise and views and the API translate for the user."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class ConflictError(Exception):
    """Someone else changed the row since the caller read it (optimistic locking)."""

    def __init__(self, message: str, current_version: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.current_version = current_version


class PermissionDeniedError(Exception):
    """The caller may see the row but not do this to it."""


__all__ = ["ConflictError", "PermissionDeniedError", "ValidationError"]
