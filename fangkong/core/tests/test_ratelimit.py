"""core.ratelimit: a fixed window per scope and key, answered 429 on pages and the API."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.http import HttpRequest
from django.test import RequestFactory

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
