"""The parts of the API that REST framework's settings name: token auth, paging, errors.

Kept apart from ``fangkong.core.api`` (which re-exports them) for one reason: DRF reads
DEFAULT_AUTHENTICATION_CLASSES and DEFAULT_PAGINATION_CLASS while its own view classes are
being defined, so the module they live in must not import those views itself. This one
imports nothing of DRF's views; the base viewsets in ``core.api`` do.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Mapping
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions, parsers, status
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from fangkong.core.db import MAX_DB_INT, retry_after_if_unavailable
from fangkong.core.exceptions import ConflictError, refusal_reason
from fangkong.core.pagination import (
    CappedPaginator,
    CursorError,
    Keyset,
    KeysetUnsupported,
    Position,
    capped_count,
)
from fangkong.core.ratelimit import RateLimited

logger = logging.getLogger(__name__)


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


_WHOLE_NUMBER = re.compile(r"[0-9]+")


class Pagination(PageNumberPagination):
    """``{"count", "count_capped", "next", "previous", "results"}``; ``?page=`` from 1, or
    ``?cursor=`` (keyset) for walking a big list; ``?page_size=`` up to 500 (a larger size
    gives 500 rows).

    REST framework quietly ignores a page size it cannot read (``abc``, ``0``, ``null``) and
    treats any unreadable page as "not found"; here both are a 400 naming the parameter, so a
    client learns its mistake, and the schema says exactly what is accepted. A page past the
    last stays a 404.

    The count is exact up to 10,000 rows; past that it is 10,000 with ``count_capped`` true
    (counting a district's rows cost more than the page). Pages past the first 10,000 rows
    count exactly once to know where the list ends (``core.pagination.CappedPaginator``).

    ``?cursor=`` (empty for the first page) pages by position: ``next`` and ``previous`` then
    carry a signed cursor naming the row a page starts after, which an index answers however
    deep the page, and rows added meanwhile neither repeat nor skip a row. A cursor that was
    not made by this list in its order is a 400.
    """

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    last_page_strings = ()  # the schema says integer: no "last"
    django_paginator_class = CappedPaginator
    cursor_query_param = "cursor"

    keyset: Keyset | None = None

    def get_page_size(self, request: Request) -> int:
        value = request.query_params.get(self.page_size_query_param, "")
        if value == "":
            return self.page_size
        digits = value.lstrip("0") if _WHOLE_NUMBER.fullmatch(value) else ""
        if not digits:
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        _("Enter a page size: a whole number from 1 to %(max)d.")
                        % {"max": self.max_page_size}
                    ]
                }
            )
        # Anything past the maximum is the maximum, however many digits it has.
        return self.max_page_size if len(digits) > 6 else min(int(digits), self.max_page_size)

    def get_page_number(self, request: Request, paginator: Any) -> int:
        value = request.query_params.get(self.page_query_param, "")
        if value == "":
            return 1
        digits = value.lstrip("0") if _WHOLE_NUMBER.fullmatch(value) else ""
        if not digits or len(digits) > 19 or int(digits) > MAX_DB_INT:
            raise exceptions.ValidationError(
                {self.page_query_param: [_("Enter a page number: a whole number from 1.")]}
            )
        return int(digits)

    def paginate_queryset(
        self, queryset: Any, request: Request, view: Any = None
    ) -> list[Any] | None:
        self.keyset = None
        cursor = request.query_params.get(self.cursor_query_param)
        if cursor is None:
            return super().paginate_queryset(queryset, request, view)
        self.request = request
        if self.page_query_param in request.query_params:
            raise exceptions.ValidationError(
                {self.cursor_query_param: [_("Give either a page number or a cursor, not both.")]}
            )
        size = self.get_page_size(request)
        try:
            if not isinstance(queryset, QuerySet):
                raise KeysetUnsupported("not a queryset")
            self.keyset = Keyset(queryset, request.path)
            position = self.keyset.decode(cursor) if cursor else None
        except KeysetUnsupported:
            raise exceptions.ValidationError(
                {
                    self.cursor_query_param: [
                        _("This list cannot be paged by cursor: use page numbers.")
                    ]
                }
            ) from None
        except CursorError as exc:
            raise exceptions.ValidationError({self.cursor_query_param: [str(exc)]}) from None
        rows, more = self.keyset.page(position, size)
        self.count, self.count_capped = capped_count(queryset)
        reverse = position is not None and position.reverse
        # Reading forward, more rows means a next page, and a cursor means a page before;
        # reading backward (a previous link), the other way round.
        has_next = more if not reverse else True
        has_previous = (position is not None) if not reverse else more
        self.cursor_next = (
            self.keyset.encode(Position(self.keyset.row_values(rows[-1]), False))
            if rows and has_next
            else None
        )
        self.cursor_previous = (
            self.keyset.encode(Position(self.keyset.row_values(rows[0]), True))
            if rows and has_previous
            else None
        )
        if not rows and position is not None:
            # Nothing beyond the cursor (the rows it pointed past were removed): the way back
            # is the position itself, read the other way.
            back = self.keyset.encode(Position(position.values, not reverse))
            if reverse:
                self.cursor_next = back
            else:
                self.cursor_previous = back
        return rows

    def _cursor_link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        if self.request is None:
            raise RuntimeError("a cursor link before paginate_queryset()")
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, cursor)

    def get_paginated_response(self, data: Any) -> Response:
        if self.keyset is not None:
            count, capped = self.count, self.count_capped
            next_link = self._cursor_link(self.cursor_next)
            previous_link = self._cursor_link(self.cursor_previous)
        else:
            if self.page is None:
                raise RuntimeError("get_paginated_response() before paginate_queryset()")
            # django_paginator_class above: the page's paginator is a CappedPaginator.
            paginator = cast(CappedPaginator, self.page.paginator)
            count, capped = paginator.count, paginator.count_capped
            next_link, previous_link = self.get_next_link(), self.get_previous_link()
        return Response(
            {
                "count": count,
                "count_capped": capped,
                "next": next_link,
                "previous": previous_link,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        answer = super().get_paginated_response_schema(schema)
        answer["required"] = ["count", "count_capped", "next", "previous", "results"]
        answer["properties"]["count"]["description"] = str(
            gettext_lazy(
                "The number of rows, exact up to 10,000; past that 10,000, with count_capped."
            )
        )
        answer["properties"]["count"]["minimum"] = 0
        answer["properties"]["count_capped"] = {
            "type": "boolean",
            "description": str(
                gettext_lazy(
                    "True when the list has more than 10,000 rows: count then says 10,000."
                )
            ),
        }
        for link in ("next", "previous"):
            answer["properties"][link]["description"] = str(
                gettext_lazy(
                    "The page after (before) this one, with the same parameters; a cursor page's "
                    "links carry a cursor."
                )
            )
        return answer

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": str(
                    gettext_lazy("A page number from 1; a page past the last is a 404.")
                ),
                "schema": {
                    "type": "integer",
                    "format": "int64",
                    "minimum": 1,
                    "maximum": MAX_DB_INT,
                },
            },
            {
                "name": self.cursor_query_param,
                "required": False,
                "in": "query",
                "description": str(
                    gettext_lazy(
                        "Page by position instead of by number: empty for the first page, then "
                        "the cursor of a page's next or previous link, as it is. Not with page. A "
                        "cursor of another list or order is a 400."
                    )
                ),
                "schema": {"type": "string", "maxLength": Keyset.max_cursor_length},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": str(
                    gettext_lazy("Rows per page, 50 unless given; a number above 500 gives 500.")
                ),
                "schema": {"type": "integer", "minimum": 1},
            },
        ]


# --- Request bodies -------------------------------------------------------------------------

#: How deeply JSON bodies may nest. No body the API takes nests past four levels (a call's
#: answers per person and question); 5,000 levels made json.loads raise RecursionError.
MAX_JSON_DEPTH = 32


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "too_large"


def _depth_exceeds(data: Any, limit: int) -> bool:
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


class JSONParser(parsers.JSONParser):
    """REST framework's JSON parser, bounded: at most ``DATA_UPLOAD_MAX_MEMORY_SIZE`` bytes
    (413) and ``MAX_JSON_DEPTH`` levels of nesting (400).

    REST framework reads the body straight from the request's stream, past Django's own
    check of the size, and its parser lets the RecursionError of a deeply nested body
    escape as a 500.
    """

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        raw = stream.read() if limit is None else stream.read(limit + 1)
        if limit is not None and len(raw) > limit:
            raise RequestTooLarge()
        encoding = (parser_context or {}).get("encoding") or settings.DEFAULT_CHARSET
        try:
            data = json.loads(raw.decode(encoding), parse_constant=_refuse_constant)
        except RecursionError:
            raise exceptions.ParseError(_too_deep()) from None
        except json.JSONDecodeError as exc:
            raise exceptions.ParseError(
                _("The request body is not valid JSON (line %(line)d, column %(column)d).")
                % {"line": exc.lineno, "column": exc.colno}
            ) from None
        except ValueError:  # not in the declared encoding, or NaN/Infinity
            raise exceptions.ParseError(_("The request body is not valid JSON.")) from None
        if _depth_exceeds(data, MAX_JSON_DEPTH):
            raise exceptions.ParseError(_too_deep())
        return data


def _refuse_constant(name: str) -> Any:
    raise ValueError(name)  # NaN and Infinity are not JSON


def _too_deep() -> str:
    return _("The request body nests too deeply (at most %(depth)d levels).") % {
        "depth": MAX_JSON_DEPTH
    }


# --- Errors ---------------------------------------------------------------------------------

ERROR_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    429: "throttled",
    500: "server_error",
    503: "unavailable",
}


class DatabaseUnavailable(exceptions.APIException):
    """The database is busy (a lock held too long) or away for a moment: try again."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = gettext_lazy("The database is busy. Try again in a moment.")
    default_code = "unavailable"

    def __init__(self, wait: int) -> None:
        super().__init__()
        self.wait = wait


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
    elif isinstance(exc, PermissionDenied):
        # A service's refusal says why (PermissionDeniedError.reason); Django's bare one not.
        exc = exceptions.PermissionDenied(refusal_reason(exc))
    elif isinstance(exc, DjangoValidationError):
        detail = (
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, RequestDataTooBig):
        exc = RequestTooLarge()
    elif (wait := retry_after_if_unavailable(exc)) is not None:
        logger.warning("Database unavailable, answered 503: %s", type(exc).__name__)
        exc = DatabaseUnavailable(wait)
    elif isinstance(exc, RateLimited):
        exc = exceptions.Throttled(
            wait=exc.wait,
            detail=_("Too many requests from here. Please wait a moment and try again."),
        )
    elif isinstance(exc, ConflictError):
        _rollback()
        return Response(
            {
                "code": "conflict",
                "message": exc.message,
                "fields": {},
                "current_version": exc.current_version,
            },
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
    # Set by REST framework's NotAuthenticated/AuthenticationFailed and Throttled alone.
    auth_header = getattr(exc, "auth_header", None)
    if auth_header:
        response["WWW-Authenticate"] = auth_header
    wait = getattr(exc, "wait", None)
    if wait:
        response["Retry-After"] = str(int(wait))
    return response
