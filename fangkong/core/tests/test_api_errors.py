"""Every API error is {"code", "message", "fields"} (DESIGN.md): what REST framework's views
raise, through ``exception_handler``, and what Django answers itself (unknown URLs, bodies too
large, bugs), through the handlers in ``core/error_views.py``. Pages get Chinese pages."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from rest_framework import exceptions

from fangkong.core.api import Pagination, exception_handler
from fangkong.core.exceptions import ConflictError, PermissionDeniedError

CJK = re.compile(r"[\u4e00-\u9fff]")
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
        400,
        "invalid",
        "必填",
        {"room": ["必填"]},
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
        "code": "conflict",
        "message": "别人已修改此记录",
        "fields": {},
        "current_version": 7,
    }


@pytest.mark.parametrize("error", [PermissionDeniedError("reveal"), PermissionDenied()])
def test_a_permission_error_is_a_403_with_code_permission_denied(error: Exception) -> None:
    status, body = handle(error)

    assert status == 403
    assert body["code"] == "permission_denied"
    assert body["message"]
    assert "reveal" not in body["message"]


def test_a_refusal_with_a_reason_gives_the_reason_as_the_message() -> None:
    status, body = handle(PermissionDeniedError("change", "只有卫生专干可以改健康状态。"))

    assert status == 403
    assert body["code"] == "permission_denied"
    assert body["message"] == "只有卫生专干可以改健康状态。"


def test_a_refusal_keeps_its_action_and_reason_apart() -> None:
    error = PermissionDeniedError("reveal", "理由")
    bare = PermissionDeniedError("reveal")

    assert (error.action, error.reason, error.message) == ("reveal", "理由", "理由")
    assert bare.reason == ""
    assert bare.message != "reveal"
    assert isinstance(error, PermissionDenied)  # a view that lets it through answers 403


def test_not_authenticated_is_a_401() -> None:
    status, body = handle(exceptions.NotAuthenticated())

    assert (status, body["code"]) == (401, "not_authenticated")


def test_a_throttled_request_says_when_to_retry() -> None:
    response = exception_handler(exceptions.Throttled(wait=30), CONTEXT)

    assert response is not None
    assert (response.status_code, response.data["code"], response["Retry-After"]) == (
        429,
        "throttled",
        "30",
    )


def test_an_unexpected_error_is_left_to_django() -> None:
    assert exception_handler(RuntimeError("boom"), CONTEXT) is None


# --- Errors REST framework never sees -------------------------------------------------------
# Django answers these itself: an unknown URL, a body too large for it, a bug. Under /api/ the
# answer is JSON in the same shape; pages get a Chinese page.

HUGE_ID = "99999999999999999999999"


def _error_body(response: Any) -> dict[str, Any]:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = json.loads(response.content)
    assert set(body) >= {"code", "message", "fields"}
    assert CJK.search(body["message"]), body["message"]
    return body


@pytest.fixture
def officer(client: Any, officer_a: Any) -> Any:
    client.force_login(officer_a)
    client.raise_request_exception = False  # answer a 500 as a server would
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/nope/", "/api/v2/people/", "/api/v1/people/1/nope/"])
def test_an_unknown_api_url_is_a_404_in_the_error_shape(officer: Any, path: str) -> None:
    response = officer.get(path)

    assert response.status_code == 404
    assert _error_body(response)["code"] == "not_found"


@pytest.mark.django_db
def test_an_unknown_page_is_a_chinese_404_page(officer: Any) -> None:
    response = officer.get("/registry/nope/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert "未找到" in response.content.decode()


@pytest.mark.django_db
def test_a_bug_under_the_api_is_a_500_in_the_error_shape_with_the_request_id_and_no_traceback(
    officer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def bug(*args: Any, **kwargs: Any) -> None:
        raise ZeroDivisionError("division by zero in fangkong/registry/api.py")

    monkeypatch.setattr("fangkong.registry.api.PersonViewSet.list", bug)

    response = officer.get(reverse("api:person-list"))

    assert response.status_code == 500
    body = _error_body(response)
    assert body["code"] == "server_error"
    assert body["request_id"] == response["X-Request-Id"]
    assert body["request_id"] in body["message"]
    assert "ZeroDivisionError" not in response.content.decode()
    assert "registry/api.py" not in response.content.decode()


@pytest.mark.django_db
def test_a_bug_on_a_page_is_a_chinese_500_page_with_the_request_id(
    officer: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def bug(*args: Any, **kwargs: Any) -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("fangkong.registry.views.PersonListView.get_queryset", bug)

    response = officer.get(reverse("registry:person_list"))

    assert response.status_code == 500
    page = response.content.decode()
    assert "服务器出错" in page
    assert response["X-Request-Id"] in page
    assert "ZeroDivisionError" not in page


@pytest.mark.django_db
def test_json_nested_5000_deep_is_a_400_in_the_error_shape(officer: Any) -> None:
    response = officer.post(
        reverse("api:person-list"), "[" * 5000 + "]" * 5000, content_type="application/json"
    )

    assert response.status_code == 400
    assert _error_body(response)["code"] == "invalid"


@pytest.mark.django_db
def test_json_nested_a_little_past_the_limit_is_a_400_too(officer: Any) -> None:
    body = {"name": "赵丽", "notes": json.loads("[" * 40 + "]" * 40)}
    response = officer.post(reverse("api:person-list"), body, content_type="application/json")

    assert response.status_code == 400
    assert "嵌套" in _error_body(response)["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["{", '{"name": NaN}', b'{"name": "\xff"}'])
def test_a_body_that_is_not_json_is_a_400_in_the_error_shape(officer: Any, body: Any) -> None:
    response = officer.post(reverse("api:person-list"), body, content_type="application/json")

    assert response.status_code == 400
    assert _error_body(response)["code"] == "invalid"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content_type",
    [
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=BoUnDaRy",
    ],
)
def test_a_body_past_the_upload_limit_is_a_413_in_the_error_shape(
    officer: Any, content_type: str
) -> None:
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    payload = {
        "application/json": json.dumps({"name": "赵丽", "notes": big}),
        "application/x-www-form-urlencoded": f"name=%E8%B5%B5&notes={big}",
        "multipart/form-data; boundary=BoUnDaRy": (
            '--BoUnDaRy\r\nContent-Disposition: form-data; name="notes"\r\n\r\n'
            f"{big}\r\n--BoUnDaRy--\r\n"
        ),
    }[content_type]

    response = officer.post(reverse("api:person-list"), payload, content_type=content_type)

    assert response.status_code == 413
    assert _error_body(response)["code"] == "too_large"


@pytest.mark.django_db
def test_a_form_past_the_upload_limit_on_a_page_is_a_chinese_413_page(officer: Any) -> None:
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)

    response = officer.post(reverse("registry:person_list"), {"q": big})

    assert response.status_code == 413
    assert "内容太大" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/people/{HUGE_ID}/",
        f"/api/v1/people/{HUGE_ID}/reveal/",
        f"/staff/teams/{HUGE_ID}/members/1/remove/",
        f"/registry/people/{HUGE_ID}/",
    ],
)
def test_an_id_past_64_bits_in_the_path_is_a_404(officer: Any, path: str) -> None:
    response = (
        officer.post(path, {"reason": "核实身份"})
        if "remove" in path or "reveal" in (path)
        else officer.get(path)
    )

    assert response.status_code == 404
    if path.startswith("/api/"):
        assert _error_body(response)["code"] == "not_found"


def test_the_schema_says_what_page_and_page_size_accept() -> None:
    parameters = {p["name"]: p for p in Pagination().get_schema_operation_parameters(None)}

    assert parameters["page"]["schema"] == {
        "type": "integer",
        "format": "int64",
        "minimum": 1,
        "maximum": 2**63 - 1,
    }
    assert parameters["page_size"]["schema"] == {"type": "integer", "minimum": 1}
    assert "500" in parameters["page_size"]["description"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"page": "01"}, 200),
        ({"page_size": "007"}, 200),
        ({"page_size": "9" * 30}, 200),
        ({"page": "2"}, 404),
        ({"page": "last"}, 400),
        ({"page": "1e3"}, 400),
        ({"page": str(2**63)}, 400),
        ({"page_size": "00"}, 400),
        ({"page_size": " 5"}, 400),
    ],
)
def test_page_parameters_are_whole_numbers_from_1(
    officer: Any, query: dict[str, str], status: int
) -> None:
    response = officer.get(reverse("api:person-list"), query)

    assert response.status_code == status
    if status == 400:
        assert list(_error_body(response)["fields"]) == list(query)
