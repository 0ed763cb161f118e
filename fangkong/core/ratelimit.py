"""Rate limits for the routes anyone can reach: residents' and shop owners' self-service
pages, a shop's sign-in page opened from its QR poster.

A staff page needs a login (and two-step login); these routes answer whoever holds a link or
stands at a shop door, so each caps how often one token and one address may use it. A limit
is a fixed window: ``hit("selfservice.report", token_id, limit=20, per=3600)`` counts one use
and raises ``RateLimited`` once the window's count passes ``limit``. Pages answer it with the
Chinese 429 page and the API with ``{"code": "throttled", ...}``, both with ``Retry-After``
(``RateLimitMiddleware`` and ``core.api_plumbing.exception_handler``).

Counts live in files under ``settings.RATELIMIT_DIR`` (var/ratelimit), which every worker
process of one machine shares: one file per scope, key and window, one byte appended per use,
the count being the file's length after the append. An append is one write to a file that
usually exists already: no temporary file, rename or directory listing per request (Django's
file cache did all three twice per ``hit`` and made a shop's sign-in page ~16× slower than
its bare view; docs/benchmarks.md). The key is hashed in the file's name, so an address
never lies on disk in clear. A window's directory is removed by the first use of a later
window of its scope. Without ``RATELIMIT_DIR`` (tests) the counts live in the cache alias
``ratelimit`` (memory). A limit is a brake on floods, not an account of use: a count lost
(the directory emptied) only lets a few more requests through.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
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
    directory = getattr(settings, "RATELIMIT_DIR", None)
    if directory:
        count = _count_in_files(Path(directory), scope, str(key), window, per)
    else:
        count = _count_in_cache(f"rl:{scope}:{key}:{window}", per)
    if count > limit:
        raise RateLimited(scope, (window + 1) * per - now)


def _count_in_cache(name: str, per: int) -> int:
    cache = caches[CACHE_ALIAS]
    # add() sets the count only when the window's key is new; incr() is atomic in memory.
    cache.add(name, 0, timeout=per + 1)
    try:
        return int(cache.incr(name))
    except ValueError:  # expired between add() and incr(): this is the window's first use
        cache.set(name, 1, timeout=per + 1)
        return 1


def _count_in_files(root: Path, scope: str, key: str, window: int, per: int) -> int:
    """Append one byte to the window's file of ``key``; its length after the append (the
    offset the kernel gave this write, atomic between processes) is the count."""
    scope_dir = root / scope
    window_dir = scope_dir / f"{per}-{window}"
    name = hashlib.blake2s(key.encode(), digest_size=16).hexdigest()
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(window_dir / name, flags, 0o600)
    except FileNotFoundError:  # the window's first use of this scope: its directory
        window_dir.mkdir(parents=True, exist_ok=True)
        _sweep(scope_dir, per, window)
        fd = os.open(window_dir / name, flags, 0o600)
    try:
        os.write(fd, b".")
        return os.lseek(fd, 0, os.SEEK_CUR)
    finally:
        os.close(fd)


def _sweep(scope_dir: Path, per: int, window: int) -> None:
    """Remove the scope's directories of windows that have ended."""
    for old in scope_dir.iterdir():
        size, _sep, number = old.name.partition("-")
        if size == str(per) and number.isdigit() and int(number) < window:
            shutil.rmtree(old, ignore_errors=True)


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
