"""The OpenAPI schema: every error status declared, the error body, bearer tokens.

REST framework's DEFAULT_SCHEMA_CLASS names ``ApiSchema``; drf-spectacular resolves it while
``extend_schema`` decorators run at import time, so it lives apart from ``core.api``'s views
(importing those from here would be circular).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers


# drf-spectacular registers extensions in an unannotated __init_subclass__.
class BearerTokenScheme(OpenApiAuthenticationExtension):  # type: ignore[no-untyped-call]
    """Tells the OpenAPI schema (and Swagger UI's "Authorize" box) about bearer tokens."""

    target_class = "fangkong.core.api_plumbing.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: AutoSchema) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(
                gettext_lazy(
                    "A token from `python manage.py issue_api_token USERNAME`, sent as "
                    "`Authorization: Bearer TOKEN`."
                )
            ),
        }


class TimeOfDayExtension(OpenApiSerializerFieldExtension):  # type: ignore[no-untyped-call]
    """A time of day (a gate's opening hours) as the API sends it: ``07:00:00``.

    drf-spectacular documents REST framework's TimeField as ``format: time``, which JSON
    Schema reads as RFC 3339's full time with a UTC offset (``07:00:00Z``); the field sends
    and accepts a local time without one. The pattern says what it is.
    """

    target_class = "rest_framework.fields.TimeField"

    def map_serializer_field(self, auto_schema: AutoSchema, direction: str) -> dict[str, Any]:
        return {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
            "example": "07:00:00",
        }


class ErrorSerializer(serializers.Serializer[Any]):
    """The body of every error answer (DESIGN.md): a code, a message, per-field messages."""

    code = serializers.CharField(
        help_text=gettext_lazy(
            "Stable, for programs: invalid, "
            "not_authenticated, permission_denied, "
            "not_found, conflict, too_large, "
            "unavailable, server_error."
        )
    )
    message = serializers.CharField(help_text=gettext_lazy("For people, in their language."))
    # A declared field, which the serializer's metaclass takes out of the class: the
    # ``fields`` property the stubs see stays as it is.
    fields = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()),
        help_text=gettext_lazy("Messages per input field (non_field_errors for the whole)."),
    )

    class Meta:
        ref_name = "Error"


class ConflictErrorSerializer(ErrorSerializer):
    """A 409's body: the error, and the version the row has now."""

    current_version = serializers.IntegerField(allow_null=True)

    class Meta:
        ref_name = "ConflictError"


ERROR_DESCRIPTIONS: dict[int, Any] = {
    400: gettext_lazy("Invalid input: a field, a filter or the request body."),
    401: gettext_lazy("Not logged in, or the token is missing, invalid or expired."),
    403: gettext_lazy("The caller's role may not do this."),
    404: gettext_lazy(
        "No such row in the caller's area (whether it exists elsewhere is never "
        "said), or a page past the last."
    ),
    409: gettext_lazy(
        "Someone else changed the row since it was read: read it again and send "
        "its current version."
    ),
    413: gettext_lazy("The request body is larger than the server takes (2.5 MB)."),
    415: gettext_lazy(
        "The body is not JSON, a form or multipart: send Content-Type: application/json."
    ),
    503: gettext_lazy(
        "The database is busy or restarting: try again after the seconds in the Retry-After header."
    ),
}


class ApiSchema(AutoSchema):
    """drf-spectacular's schema, with every error status an operation can answer declared.

    Which statuses apply follows from the operation, the same rules for every endpoint:
    401, 403 and 503 (a busy database) always; 404 wherever a row is looked up (and on lists,
    for a page past the last, and where the view says a row named in the body can be out of
    reach: ``can_be_not_found``); 400 for lists (bad filters) and every write, 413 for a
    write's body too large and 415 for one in a type the API does not read; 409 where a
    version is compared.
    """

    def error_statuses(self) -> list[int]:
        method = self.method.upper()
        detail = "{" in self.path
        codes = [401, 403, 503]
        if detail or method == "GET" or getattr(self.view, "can_be_not_found", False):
            codes.append(404)
        if method in ("POST", "PUT", "PATCH") or (method == "GET" and not detail):
            codes.append(400)
        if method in ("POST", "PUT", "PATCH"):
            codes.append(413)
            codes.append(415)
        view_action = getattr(self.view, "action", None)
        if view_action in ("update", "partial_update") or getattr(self.view, "can_conflict", False):
            codes.append(409)
        return sorted(codes)

    def get_operation(
        self, path: str, path_regex: str, path_prefix: str, method: str, registry: Any
    ) -> dict[str, Any] | None:
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        responses = operation["responses"]
        for code in self.error_statuses():
            if str(code) in responses:
                continue
            serializer = ConflictErrorSerializer if code == 409 else ErrorSerializer
            component = self.resolve_serializer(serializer, "response")
            responses[str(code)] = {
                "description": str(ERROR_DESCRIPTIONS[code]),
                "content": {"application/json": {"schema": component.ref}},
            }
        return operation
