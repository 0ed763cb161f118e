"""Rate limits for the routes anyone can reach: residents' and shop owners' self-service
pages, a shop's sign-in page opened from its QR poster.

A staff page needs a login (and two-step login); these routes answer whoever holds a link or
stands at a shop door, so each caps how often one token and one address may use it. A limit
is a fixed window: ``hit("selfservice.report", token_id, limit=20, per=3600)`` counts one use
and raises ``RateLimited`` once the window's count passes ``limit``. Pages answer it with the
Chinese 429 page and the API with ``{"code": "throttled", ...}``, both with ``Retry-After``
(``RateLimitMiddleware`` and ``core.api_plumbing.exception_handler``).

Counts live in the cache alias ``ratelimit`` (settings: a file cache under var/ that every
worker process of one machine shares; tests use memory). A limit is a brake on floods, not
an account of use: a count lost with the cache only lets a few more requests through.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.cache import caches
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

CACHE_ALIAS = "ratelimit"


class RateLimited(Exception):
    """Too many requests for one limit; ``wait`` seconds until its window ends."""

    def __init__(self, scope: str, wait: int) -> None:
        super().__init__(scope)
        self.scope = scope
        self.wait = max(1, wait)


def hit(scope: str, key: str | int, *, limit: int, per: int) -> None:
    """Count one use of ``scope`` by ``key`` (a token's id, an address); over ``limit`` uses
    in the current window of ``per`` seconds raise ``RateLimited``."""
    now = int(time.time())
    window = now // per
    name = f"rl:{scope}:{key}:{window}"
    cache = caches[CACHE_ALIAS]
    # add() sets the count only when the window's key is new; incr() is atomic in memory,
    # Redis and memcached, and near enough in the file cache (see the docstring).
    cache.add(name, 0, timeout=per + 1)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add() and incr(): this is the window's first use
        cache.set(name, 1, timeout=per + 1)
        count = 1
    if count > limit:
        raise RateLimited(scope, (window + 1) * per - now)


def address_of(request: HttpRequest) -> str:
    """The client's address as the login throttle sees it (a trusted proxy's
    X-Forwarded-For, else REMOTE_ADDR)."""
    from fangkong.accounts.client_ip import client_ip  # late: core sits below accounts

    return client_ip(request) or "unknown"


def hit_address(request: HttpRequest, scope: str, *, limit: int, per: int) -> None:
    """``hit`` keyed by the client's address."""
    hit(scope, address_of(request), limit=limit, per=per)


class RateLimitMiddleware:
    """A page that raised ``RateLimited`` answers 429 with a Chinese message (JSON under
    /api/), never a 500."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, RateLimited):
            return None
        from fangkong.core.error_views import answer  # late: error_views reads templates

        response = answer(
            request,
            429,
            "throttled",
            _("Too many requests"),
            _("Too many requests from here. Please wait a moment and try again."),
        )
        response["Retry-After"] = str(exception.wait)
        return response
