"""The gate API answers what its OpenAPI schema says: each access route's real JSON (and the
checkpoints the scanner reads) is validated against the schema served at
/api/v1/openapi.json, formats included (``date-time`` and ``time`` as RFC 3339 defines them,
which is what schema-driven clients check)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from typing import Any

import pytest
from django.utils import timezone
from jsonschema import Draft202012Validator, FormatChecker

from fangkong.access import services
from fangkong.access.tests.factories import (
    CheckpointFactory,
    VisitorFactory,
    household_with_pass,
    scan,
)
from fangkong.staff.services.rosters import do_update_checkpoint

pytestmark = pytest.mark.django_db

FORMATS = FormatChecker(formats=())
_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
_TIME = re.compile(r"^\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


@FORMATS.checks("date-time")
def _date_time(value: object) -> bool:
    return not isinstance(value, str) or bool(_DATE_TIME.match(value))


@FORMATS.checks("time")
def _time(value: object) -> bool:
    return not isinstance(value, str) or bool(_TIME.match(value))


@FORMATS.checks("uuid", raises=ValueError)
def _uuid(value: object) -> bool:
    return not isinstance(value, str) or bool(uuid.UUID(value))


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0's schema objects as JSON Schema: ``nullable`` becomes a null type."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _json_schema(value) for key, value in node.items()}
    if converted.pop("nullable", False) is True:
        if "type" in converted and not {"oneOf", "anyOf", "allOf", "$ref", "enum"} & set(converted):
            converted["type"] = [converted["type"], "null"]
        else:
            converted = {"anyOf": [converted, {"type": "null"}]}
    return converted


@pytest.fixture
def schema(client: Any, officer_a: Any) -> dict[str, Any]:
    client.force_login(officer_a)
    served = client.get("/api/v1/openapi.json").json()
    client.logout()
    return served


def violations(schema: dict[str, Any], method: str, path: str, response: Any) -> list[str]:
    """How the response breaks its operation's schema for its status (none: it agrees)."""
    answers = schema["paths"][path][method]["responses"]
    assert str(response.status_code) in answers, (path, response.status_code)
    media = answers[str(response.status_code)]["content"]["application/json"]["schema"]
    root = {**_json_schema(media), "components": _json_schema(schema["components"])}
    validator = Draft202012Validator(root, format_checker=FORMATS)
    return [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in validator.iter_errors(response.json())
    ]


def test_the_scan_s_answers_agree_with_the_schema(
    client: Any, schema: dict[str, Any], checkpoint_a: Any, gate_a: Any, gate_b: Any, home_a: Any
) -> None:
    client.force_login(checkpoint_a)
    url = path = "/api/v1/gate/scans/"
    _, item = home_a

    def post(**data: Any) -> Any:
        body = {
            "pass_code": item.token,
            "checkpoint": gate_a.pk,
            "direction": "out",
            "temperature": 36.5,
            "client_event_id": str(uuid.uuid4()),
            **data,
        }
        return client.post(url, body, content_type="application/json")

    allowed = post()
    refused = post()  # the outing is used
    unknown = post(pass_code="000000")
    invalid = post(temperature=50)
    foreign_gate = post(checkpoint=gate_b.pk)
    event_id = str(uuid.uuid4())
    entry = post(client_event_id=event_id, direction="in")
    replay = post(client_event_id=event_id, direction="in")

    answers = (allowed, refused, unknown, invalid, foreign_gate, entry, replay)
    assert [r.status_code for r in answers] == [200, 200, 200, 400, 404, 200, 200]
    assert refused.json()["reason_code"] == "quota_used"
    for response in answers:
        assert violations(schema, "post", path, response) == []


def test_a_conflicting_event_id_is_answered_as_the_schema_says(
    client: Any,
    schema: dict[str, Any],
    checkpoint_a: Any,
    gate_a: Any,
    home_a: Any,
    community_a: Any,
) -> None:
    east = CheckpointFactory(community=community_a, name="East gate")
    event_id = uuid.uuid4()
    scan(gate_a, home_a[1].token, event_id=event_id)
    client.force_login(checkpoint_a)
    response = client.post(
        "/api/v1/gate/scans/",
        {
            "pass_code": home_a[1].token,
            "checkpoint": east.pk,
            "direction": "out",
            "client_event_id": str(event_id),
        },
        content_type="application/json",
    )
    assert response.status_code == 409
    assert violations(schema, "post", "/api/v1/gate/scans/", response) == []


def test_the_gate_log_passes_visitors_and_checkpoints_agree_with_the_schema(
    client: Any,
    schema: dict[str, Any],
    officer_a: Any,
    gate_a: Any,
    home_a: Any,
    community_a: Any,
    grid_a1: Any,
) -> None:
    household, item = home_a
    scan(gate_a, item.token, "out")  # allowed: the pass is out, with its exit
    scan(gate_a, item.token, "out")  # refused: quota used
    other, other_pass = household_with_pass(community_a, grid_a1)
    scan(gate_a, other_pass.token, "in")  # an entry without an exit: flagged
    scan(gate_a, "000000", "out")  # unknown pass: no pass, no household
    services.do_suspend_household_passes(
        other, source="office", reason="x", until=timezone.now() + dt.timedelta(days=1), by=None
    )
    VisitorFactory(checkpoint=gate_a, household=household)
    VisitorFactory(checkpoint=gate_a, household=household, phone="", temperature="36.9")
    # Opening hours only once the scans are made: at night they would be refused as closed.
    do_update_checkpoint(gate_a, by=None, opens=dt.time(7), closes=dt.time(21, 30))
    client.force_login(officer_a)

    checked = 0
    for base, detail_id in [
        ("/api/v1/gate/events/", None),
        ("/api/v1/passes/", item.pk),
        ("/api/v1/visitors/", None),
        ("/api/v1/checkpoints/", gate_a.pk),
    ]:
        listing = client.get(base)
        assert listing.status_code == 200
        assert listing.json()["count"] >= 1
        assert violations(schema, "get", base, listing) == []
        rows = listing.json()["results"]
        for pk in [detail_id] if detail_id else [row["id"] for row in rows]:
            detail = client.get(f"{base}{pk}/")
            assert violations(schema, "get", base + "{id}/", detail) == []
            checked += 1
    flags = {row["flag"] for row in client.get("/api/v1/gate/events/").json()["results"]}
    assert "entry_without_exit" in flags
    assert len(flags) > 1  # unflagged rows too
    assert checked >= 6
