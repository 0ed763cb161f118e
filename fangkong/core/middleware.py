"""Request-scoped context and checks every request passes through.

* ``RequestIdMiddleware``: a request id that ties audit rows and log lines to the request that
  wrote them (and that a 500 shows the user, to quote to the administrator).
* ``SensitiveQueryMiddleware``: no whole ID number or phone in a query string.
* ``OversizedIdMiddleware``: an id in the path too big for any database column is a 404.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from fangkong.core.db import MAX_DB_INT
from fangkong.core.error_views import api_error, error_page, is_api
from fangkong.core.sensitive_text import holds_id_number_or_phone

current_request_id: ContextVar[str] = ContextVar("current_request_id", default="")

#: Where a client searches by a whole ID number or phone instead (the body is not logged).
PEOPLE_SEARCH_ROUTE = "POST /api/v1/people/search/"


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response["X-Request-Id"] = request_id
        return response


class RequestIdLogFilter(logging.Filter):
    """Puts the current request's id on every log record (``%(request_id)s``, ``-`` outside
    a request), so the line of a 500 is found from the number its page showed."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get() or "-"
        return True


class SensitiveQueryMiddleware:
    """Refuses a whole ID number or phone anywhere in a query string: 400, before any view.

    A URL lands in browser history and in the access log of every server it passes, where no
    one can scrub it. Pages post their searches (the search box); the API has
    ``POST /api/v1/people/search/``. The answer never repeats the number.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.META.get("QUERY_STRING"):
            for name, values in request.GET.lists():
                if holds_id_number_or_phone(name) or any(map(holds_id_number_or_phone, values)):
                    return self.refuse(request, name)
        return self.get_response(request)

    def refuse(self, request: HttpRequest, name: str) -> HttpResponse:
        if is_api(request):
            message = _(
                "A whole ID number or phone may not be sent in a URL, where server "
                "logs keep it. Search with %(route)s and the number in the body."
            ) % {"route": PEOPLE_SEARCH_ROUTE}
            field = name if not holds_id_number_or_phone(name) else "non_field_errors"
            return api_error(400, "invalid", message, fields={field: [message]})
        message = _(
            "A whole ID number or phone may not be put in a web address, where the "
            "browser's history and the server's logs keep it. Type it into the search "
            "box at the top of the page instead."
        )
        return error_page(
            request, 400, _("Search with the search box"), message, back_url=request.path
        )


class OversizedIdMiddleware:
    """An id in the path beyond what a database integer holds names no row: 404.

    Django's ``<int:pk>`` takes any number of digits and the API's router any text; a value
    past 64 bits reached queries that SQLite cannot bind (OverflowError, a 500).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: dict[str, Any]
    ) -> None:
        for value in (*view_args, *view_kwargs.values()):
            if isinstance(value, str) and value.isascii() and value.isdigit():
                value = int(value) if len(value) < 4000 else MAX_DB_INT + 1
            if isinstance(value, int) and not isinstance(value, bool) and value > MAX_DB_INT:
                raise Http404
