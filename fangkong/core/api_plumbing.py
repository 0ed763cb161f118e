"""The parts of the API that REST framework's settings name: token auth, paging, errors.

Kept apart from ``fangkong.core.api`` (which re-exports them) for one reason: DRF reads
DEFAULT_AUTHENTICATION_CLASSES and DEFAULT_PAGINATION_CLASS while its own view classes are
being defined, so the module they live in must not import those views itself. This one
imports nothing of DRF's views; the base viewsets in ``core.api`` do.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response

from fangkong.core.exceptions import ConflictError, PermissionDeniedError


def hash_token(key: str) -> str:
    """What is stored of an API token: its SHA-256 (the token itself is shown once)."""
    return hashlib.sha256(key.encode()).hexdigest()


class BearerTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>`` (``Token <token>`` accepted too)."""

    keywords = (b"bearer", b"token")

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in self.keywords:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Malformed Authorization header."))
        from fangkong.accounts.models import ApiToken

        try:
            token = ApiToken.objects.select_related("user", "user__area").get(
                key_hash=hash_token(parts[1].decode(errors="replace"))
            )
        except ApiToken.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        now = timezone.now()
        if token.revoked is not None:
            raise exceptions.AuthenticationFailed(_("This token has been revoked."))
        if token.expires <= now:
            raise exceptions.AuthenticationFailed(_("This token has expired."))
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("This account is disabled."))
        if token.last_used is None or (now - token.last_used).total_seconds() > 60:
            type(token).objects.filter(pk=token.pk).update(last_used=now)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return "Bearer"


class Pagination(PageNumberPagination):
    """``{"count", "next", "previous", "results"}``; ``?page_size=`` up to 500."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


# --- Errors ---------------------------------------------------------------------------------

ERROR_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    415: "unsupported_media_type",
    429: "throttled",
}


def _fields(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            key: [str(m) for m in (value if isinstance(value, list) else [value])]
            for key, value in detail.items()
        }
    return {}


def _rollback() -> None:
    from rest_framework.views import set_rollback  # late: see the module's docstring

    set_rollback()


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Every error as ``{"code", "message", "fields"}``, with a Chinese message."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound(_("Not found."))
    elif isinstance(exc, PermissionDenied | PermissionDeniedError):
        exc = exceptions.PermissionDenied(_("You do not have permission to do this."))
    elif isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, ConflictError):
        _rollback()
        return Response(
            {"code": "conflict", "message": exc.message, "fields": {},
             "current_version": exc.current_version},
            status=status.HTTP_409_CONFLICT,
        )
    if not isinstance(exc, exceptions.APIException):
        return None
    code = ERROR_CODES.get(exc.status_code, "error")
    if isinstance(exc, exceptions.ValidationError):
        fields = _fields(exc.detail)
        if isinstance(exc.detail, list):
            fields = {"non_field_errors": [str(m) for m in exc.detail]}
        first = next((msgs[0] for msgs in fields.values() if msgs), _("Invalid input."))
        body = {"code": code, "message": first, "fields": fields}
    else:
        body = {"code": code, "message": str(exc.detail), "fields": {}}
    # Under ATOMIC_REQUESTS an answered error must not commit half a request either.
    _rollback()
    response = Response(body, status=exc.status_code)
    if getattr(exc, "auth_header", None):
        response["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        response["Retry-After"] = str(int(exc.wait))
    return response
