"""The API's error handler answers every error as {"code", "message", "fields"} (DESIGN.md)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import exceptions

from fangkong.core.api import exception_handler
from fangkong.core.exceptions import ConflictError, PermissionDeniedError

CONTEXT: dict[str, Any] = {"view": None, "args": (), "kwargs": {}, "request": None}


def handle(exc: Exception) -> tuple[int, dict[str, Any]]:
    response = exception_handler(exc, CONTEXT)
    assert response is not None
    return response.status_code, response.data


def test_a_validation_error_with_fields_is_a_400_naming_each_field() -> None:
    error = ValidationError({"phone": ["号码无效"], "name": ["请填写姓名", "太长"]})

    status, body = handle(error)

    assert status == 400
    assert body == {
        "code": "invalid",
        "message": "号码无效",
        "fields": {"phone": ["号码无效"], "name": ["请填写姓名", "太长"]},
    }


def test_a_validation_error_without_fields_is_a_400_on_non_field_errors() -> None:
    status, body = handle(ValidationError("此记录与已有记录冲突"))

    assert status == 400
    assert body == {
        "code": "invalid",
        "message": "此记录与已有记录冲突",
        "fields": {"non_field_errors": ["此记录与已有记录冲突"]},
    }


def test_a_drf_validation_error_has_the_same_shape() -> None:
    status, body = handle(exceptions.ValidationError({"room": ["必填"]}))

    assert (status, body["code"], body["message"], body["fields"]) == (
        400, "invalid", "必填", {"room": ["必填"]},
    )


def test_not_found_is_a_404_with_code_not_found() -> None:
    status, body = handle(Http404("Person matching query does not exist"))

    assert status == 404
    assert body["code"] == "not_found"
    assert body["fields"] == {}
    # never echo what was looked for
    assert "Person" not in body["message"]


def test_a_conflict_is_a_409_with_the_current_version() -> None:
    status, body = handle(ConflictError("别人已修改此记录", current_version=7))

    assert status == 409
    assert body == {
        "code": "conflict", "message": "别人已修改此记录", "fields": {}, "current_version": 7,
    }


@pytest.mark.parametrize("error", [PermissionDeniedError("reveal"), PermissionDenied()])
def test_a_permission_error_is_a_403_with_code_permission_denied(error: Exception) -> None:
    status, body = handle(error)

    assert status == 403
    assert body["code"] == "permission_denied"
    assert body["message"]
    assert "reveal" not in body["message"]


def test_not_authenticated_is_a_401() -> None:
    status, body = handle(exceptions.NotAuthenticated())

    assert (status, body["code"]) == (401, "not_authenticated")


def test_a_throttled_request_says_when_to_retry() -> None:
    response = exception_handler(exceptions.Throttled(wait=30), CONTEXT)

    assert response is not None
    assert (response.status_code, response.data["code"], response["Retry-After"]) == (
        429, "throttled", "30",
    )


def test_an_unexpected_error_is_left_to_django() -> None:
    assert exception_handler(RuntimeError("boom"), CONTEXT) is None
