"""Error answers: JSON in DESIGN.md's shape under ``/api/``, a Chinese page everywhere else.

REST framework answers the errors its views raise (``api_plumbing.exception_handler``); these
handlers answer the rest, which Django would otherwise send as its own English HTML: an
unknown ``/api/v1/nope/``, a body too large for Django (413), a 500 from a bug, and a
database that stays busy or away past its timeouts (503, with ``Retry-After``).

Pages extend base.html. A 500 or 503 is rendered without the request's context processors:
it may come from the database, and the error page must not need it; any other error page shows
the user's menu, so the way on is one tap. A failed CSRF check (an expired form, cookies
blocked) is ``csrf_failure`` (``settings.CSRF_FAILURE_VIEW``), not Django's English page.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

from fangkong.core.db import retry_after_if_unavailable
from fangkong.core.exceptions import refusal_reason

API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def api_error(
    status: int,
    code: str,
    message: str,
    *,
    fields: dict[str, list[str]] | None = None,
    **extra: Any,
) -> JsonResponse:
    """An error in DESIGN.md's shape: ``{"code", "message", "fields"}`` and any extras."""
    response = JsonResponse(
        {"code": code, "message": message, "fields": fields or {}, **extra},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "no-store"
    return response


def error_page(
    request: HttpRequest, status: int, title: str, message: str, **context: Any
) -> HttpResponse:
    """The Chinese error page (``core/error.html``); for a 500 or 503 without touching the
    database (no request context: no user, no menu)."""
    body = loader.get_template("core/error.html").render(
        {
            "status": status,
            "title": title,
            "message": message,
            "request_id": getattr(request, "request_id", ""),
            **context,
        },
        request if status < 500 else None,
    )
    response = HttpResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


def answer(
    request: HttpRequest, status: int, code: str, title: str, message: str, **extra: Any
) -> HttpResponse:
    """One error, as JSON for the API or as a page for people."""
    if is_api(request):
        return api_error(status, code, message, **extra)
    return error_page(request, status, title, message)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 400s: a malformed request, an unknown host, a body too large (413 here)."""
    if isinstance(exception, RequestDataTooBig):
        return answer(
            request, 413, "too_large", _("Too large"), _("The request body is too large.")
        )
    return answer(
        request, 400, "invalid", _("Bad request"), _("The request could not be understood.")
    )


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """A refusal, with the service's reason when it gave one (``PermissionDeniedError``)."""
    return answer(request, 403, "permission_denied", _("No permission"), refusal_reason(exception))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form posted without a valid CSRF token: most often one left open past the session, or
    a browser that refuses cookies. Django's reason is English and technical: not shown."""
    return answer(
        request,
        403,
        "csrf_failed",
        _("The form has expired"),
        _(
            "This form was open too long or the browser does not keep cookies. Go back, "
            "reload the page and send it again; allow cookies for this site if it happens again."
        ),
    )


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # Never echo the exception: it may name the row or the pattern that was looked for.
    return answer(request, 404, "not_found", _("Not found"), _("Not found."))


def server_error(request: HttpRequest) -> HttpResponse:
    """A 500, or a 503 when the database is only busy or away for a moment.

    Django calls this from inside its ``except`` block, so the exception is still at hand.
    """
    exc = sys.exc_info()[1]
    wait = retry_after_if_unavailable(exc) if exc is not None else None
    if wait is not None:
        response = answer(
            request,
            503,
            "unavailable",
            _("Busy"),
            _("The database is busy. Try again in a moment."),
        )
        response["Retry-After"] = str(wait)
        return response
    request_id = getattr(request, "request_id", "")
    message = _(
        "Something went wrong on the server. Try again later; if it happens again, "
        "give the administrator the request number %(id)s."
    ) % {"id": request_id}
    if is_api(request):
        return api_error(500, "server_error", message, request_id=request_id)
    return error_page(request, 500, _("Server error"), message)
