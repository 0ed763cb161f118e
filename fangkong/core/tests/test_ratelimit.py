"""core.ratelimit: a fixed window per scope and key, answered 429 on pages and the API."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import caches
from django.http import HttpRequest
from django.test import RequestFactory

from fangkong.core import ratelimit
from fangkong.core.api_plumbing import exception_handler
from fangkong.core.ratelimit import RateLimited, RateLimitMiddleware, hit


@pytest.fixture(autouse=True)
def _empty_counts() -> None:
    caches["ratelimit"].clear()


def test_uses_up_to_the_limit_pass_and_the_next_is_refused_with_the_wait() -> None:
    for _ in range(3):
        hit("test.scope", "k1", limit=3, per=60)
    with pytest.raises(RateLimited) as refused:
        hit("test.scope", "k1", limit=3, per=60)
    assert 1 <= refused.value.wait <= 60


def test_each_key_and_scope_counts_on_its_own() -> None:
    hit("test.scope", "k1", limit=1, per=60)
    hit("test.scope", "k2", limit=1, per=60)
    hit("test.other", "k1", limit=1, per=60)
    with pytest.raises(RateLimited):
        hit("test.scope", "k1", limit=1, per=60)


def test_a_page_that_hits_a_limit_answers_a_chinese_429_with_retry_after() -> None:
    request: HttpRequest = RequestFactory().get("/s/x/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    middleware = RateLimitMiddleware(lambda r: None)  # type: ignore[arg-type,return-value]
    from django.utils import translation

    with translation.override("zh-hans"):
        response = middleware.process_exception(request, RateLimited("s", 42))
    assert response is not None
    assert response.status_code == 429
    assert response["Retry-After"] == "42"
    assert "请求" in response.content.decode()


def test_the_api_answers_a_limit_as_throttled_json() -> None:
    response = exception_handler(RateLimited("s", 7), {})
    assert response is not None
    assert response.status_code == 429
    assert response.data["code"] == "throttled"
    assert response["Retry-After"] == "7"


# --- The store of every non-test run: files under RATELIMIT_DIR -----------------------------


def test_in_files_the_uses_count_up_to_the_limit_and_the_next_is_refused(
    settings: Any, tmp_path: Path
) -> None:
    settings.RATELIMIT_DIR = tmp_path
    for _ in range(3):
        hit("test.scope", "k1", limit=3, per=60)
    hit("test.scope", "k2", limit=3, per=60)
    with pytest.raises(RateLimited):
        hit("test.scope", "k1", limit=3, per=60)
    hit("test.scope", "k2", limit=3, per=60)  # another key counts on its own


def test_in_files_an_address_never_lies_on_disk_in_clear(settings: Any, tmp_path: Path) -> None:
    settings.RATELIMIT_DIR = tmp_path
    hit("test.scope", "203.0.113.7", limit=3, per=60)
    names = [str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")]
    assert names
    assert not any("203.0.113" in name for name in names)


def test_in_files_a_new_window_removes_the_ended_windows_and_starts_from_one(
    settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.RATELIMIT_DIR = tmp_path
    monkeypatch.setattr(ratelimit.time, "time", lambda: 6000.0)
    hit("test.scope", "k1", limit=1, per=60)
    with pytest.raises(RateLimited):
        hit("test.scope", "k1", limit=1, per=60)
    monkeypatch.setattr(ratelimit.time, "time", lambda: 6060.0)
    hit("test.scope", "k1", limit=1, per=60)
    assert sorted(p.name for p in (tmp_path / "test.scope").iterdir()) == ["60-101"]


def test_in_files_processes_appending_at_once_lose_no_use(settings: Any, tmp_path: Path) -> None:
    settings.RATELIMIT_DIR = tmp_path

    def count(n: int) -> None:
        for _ in range(n):
            hit("test.scope", "k1", limit=10_000, per=3600)

    threads = [threading.Thread(target=count, args=(50,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    (counted,) = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert counted.stat().st_size == 200
