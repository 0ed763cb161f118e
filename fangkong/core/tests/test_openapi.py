"""The OpenAPI schema at /api/v1/openapi.json and the docs page at /api/v1/docs/.

The schema must validate as OpenAPI 3 (drf-spectacular's own validator, the JSON Schema of
the specification), declare every status each operation can answer with the error body, and
list only paths that end with a slash. The docs page must load nothing from another origin.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from drf_spectacular.validation import validate_schema

from fangkong.accounts.models import ApiToken
from fangkong.core.api import hash_token

pytestmark = pytest.mark.django_db

SCHEMA_URL = "/api/v1/openapi.json"
WRITES = {"post", "put", "patch"}


@pytest.fixture
def schema(client: Client, officer_a: Any) -> dict[str, Any]:
    client.force_login(officer_a)
    response = client.get(SCHEMA_URL)
    assert response.status_code == 200, response.content[:500]
    return response.json()


def zh(message: str) -> str:
    with translation.override("zh-hans"):
        return translation.gettext(message)


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def test_the_schema_is_served_at_its_documented_url() -> None:
    assert reverse("api:schema") == SCHEMA_URL


def test_the_schema_is_valid_openapi_3(schema: dict[str, Any]) -> None:
    validate_schema(schema)  # raises on any violation of the OpenAPI 3 JSON Schema

    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/areas/",
        "/api/v1/buildings/",
        "/api/v1/households/",
        "/api/v1/people/",
        "/api/v1/people/{id}/reveal/",
    } <= set(schema["paths"])


def test_every_path_ends_with_a_slash(schema: dict[str, Any]) -> None:
    assert [path for path in schema["paths"] if not path.endswith("/")] == []


def test_every_operation_declares_the_statuses_it_can_answer(schema: dict[str, Any]) -> None:
    missing = []
    for path, method, operation in _operations(schema):
        expected = {"401", "403"}
        if "{" in path or method == "get":
            expected.add("404")
        if method in WRITES or (method == "get" and "{" not in path):
            expected.add("400")
        if method in {"put", "patch"} or path.endswith("/deactivate/"):
            expected.add("409")
        declared = set(operation["responses"])
        # A POST to a collection creates (201), except where it answers a decision about an
        # existing thing, as a gate scan does (200, the same answer when replayed).
        if not declared & ({"201", "200"} if method == "post" and "{" not in path else {"200"}):
            missing.append((method.upper(), path, ["2xx"]))
        if lacking := expected - declared:
            missing.append((method.upper(), path, sorted(lacking)))
    assert missing == []


def test_every_operation_may_answer_a_busy_database_and_every_write_a_body_too_large(
    schema: dict[str, Any],
) -> None:
    for path, method, operation in _operations(schema):
        assert "503" in operation["responses"], (method, path)
        assert ("413" in operation["responses"]) == (method in WRITES), (method, path)


def test_every_error_answer_has_the_error_body(schema: dict[str, Any]) -> None:
    error = schema["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "message", "fields"}
    assert "current_version" in schema["components"]["schemas"]["ConflictError"]["properties"]
    for _path, _method, operation in _operations(schema):
        for code, response in operation["responses"].items():
            if code.startswith(("4", "5")):
                ref = response["content"]["application/json"]["schema"]["$ref"]
                expected = "ConflictError" if code == "409" else "Error"
                assert ref == f"#/components/schemas/{expected}"


def test_people_are_documented_masked_and_without_birth_date(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    person = components["Person"]["properties"]

    assert "birth_date" not in person
    assert "birth_date" in components["PersonRequest"]["properties"]
    assert person["id_number"]["description"] == zh(
        "Masked when read; send the full number to change it. A resident ID number also sets "
        "birth date and sex."
    )
    assert set(components["Revealed"]["properties"]) == {"id_number", "phone"}


def test_bearer_tokens_and_sessions_are_the_documented_security(schema: dict[str, Any]) -> None:
    schemes = schema["components"]["securitySchemes"]

    assert schemes["bearerAuth"] == {**schemes["bearerAuth"], "type": "http", "scheme": "bearer"}
    assert "cookieAuth" in schemes


def test_the_schema_answers_anonymous_callers_401_and_token_holders_200(
    client: Client, officer_a: Any
) -> None:
    key = "schema-reading-token-0123456789abcdef"
    ApiToken.objects.create(user=officer_a, key_hash=hash_token(key), prefix=key[:8])

    assert client.get(SCHEMA_URL).status_code == 401
    assert client.get(SCHEMA_URL, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


# --- The docs page --------------------------------------------------------------------------


def test_the_docs_page_loads_only_the_apps_own_files(client: Client, officer_a: Any) -> None:
    client.force_login(officer_a)

    page = client.get(reverse("api:docs"))

    assert page.status_code == 200
    html = page.content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources, html
    assert [s for s in sources if not s.startswith("/")] == []
    # No inline script: the site's Content-Security-Policy allows scripts from 'self' only.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert "script-src 'self'" in page["Content-Security-Policy"]
    for source in sources:
        path, _, query = source.partition("?")
        response = client.get(path, dict(p.split("=", 1) for p in query.split("&") if p))
        assert response.status_code == 200, source
        if path == reverse("api:docs"):
            assert SCHEMA_URL in response.content.decode()


def test_the_docs_page_sends_anonymous_visitors_to_log_in(client: Client) -> None:
    response = client.get(reverse("api:docs"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- The schema says what the answers hold (issue 11, item 9) -------------------------------


def test_times_of_day_are_documented_as_sent_without_a_utc_offset(schema: dict[str, Any]) -> None:
    opens = schema["components"]["schemas"]["Checkpoint"]["properties"]["opens"]

    assert "format" not in opens  # "format: time" would demand 07:00:00Z
    assert re.fullmatch(opens["pattern"], "07:00:00")
    assert re.fullmatch(opens["pattern"], "21:30")
    assert not re.fullmatch(opens["pattern"], "25:00")


def _allowed(schema: dict[str, Any], prop: dict[str, Any]) -> set[Any]:
    """The values an enum property allows, through its $refs and oneOf."""
    if "$ref" in prop:
        return _allowed(schema, schema["components"]["schemas"][prop["$ref"].rsplit("/", 1)[1]])
    values = set(prop.get("enum", []))
    for option in prop.get("oneOf", []) + prop.get("allOf", []):
        values |= _allowed(schema, option)
    if prop.get("nullable"):
        values.add(None)
    return values


@pytest.mark.parametrize(
    ("component", "field"),
    [
        ("HealthCase", "outcome"),
        ("HealthQuarantine", "end_reason"),
        ("ScreeningRecord", "alert_level"),
        ("TaskComment", "status"),
    ],
)
def test_a_choice_that_can_be_empty_documents_the_empty_value(
    schema: dict[str, Any], component: str, field: str
) -> None:
    prop = schema["components"]["schemas"][component]["properties"][field]

    assert "" in _allowed(schema, prop)


def test_an_id_that_can_be_missing_is_documented_nullable(schema: dict[str, Any]) -> None:
    patrol = schema["components"]["schemas"]["Patrol"]["properties"]

    assert patrol["follow_up_task"]["nullable"] is True


def test_the_gate_scan_documents_its_404_for_a_gate_out_of_reach(schema: dict[str, Any]) -> None:
    assert "404" in schema["paths"]["/api/v1/gate/scans/"]["post"]["responses"]
