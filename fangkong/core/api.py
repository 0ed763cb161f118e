"""The API's shared parts: token auth, paging, errors in DESIGN.md's shape, base viewsets.

An app's API is a few declarations on these classes (NetBox's pattern): a viewset names its
queryset, serializer and filterset, and the two service calls that create and change a row.
The base class does the rest the same way for every model:

* rows come from ``queryset.restrict(user, "view")``, so a row outside the caller's scope is
  404, never "exists but forbidden";
* each action needs a right (``view``/``add``/``change``, or what a custom action declares):
  403 without it, checked after the row is found on routes that name one (scope first);
* writes go through the app's ``do_*`` services (validation, audit, optimistic locking), never
  ``serializer.save()``; a service's ``ValidationError`` is 400 and ``ConflictError`` 409;
* every status an endpoint can answer is declared in the OpenAPI schema with the error body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework import mixins, serializers, viewsets
from rest_framework.fields import empty
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request

# What REST framework's settings name lives in api_plumbing and api_schema (see why there);
# apps import everything API from here.
from fangkong.core.api_plumbing import (
    ERROR_CODES,
    BearerTokenAuthentication,
    Pagination,
    exception_handler,
    hash_token,
)
from fangkong.core.api_schema import ApiSchema, ConflictErrorSerializer, ErrorSerializer
from fangkong.core.filtersets import IdFilter
from fangkong.core.input_bounds import bound_serializer_fields, nfc
from fangkong.core.querysets import may, restrict
from fangkong.core.requests import AuthenticatedApiRequest

if TYPE_CHECKING:
    from rest_framework.views import AsView, GenericView

__all__ = [
    "ERROR_CODES",
    "ActionPermission",
    "ApiSchema",
    "BearerTokenAuthentication",
    "ConflictErrorSerializer",
    "DocsView",
    "ErrorSerializer",
    "IdFilter",
    "ModelSerializer",
    "Pagination",
    "ProtectedValueField",
    "RestrictedPrimaryKeyRelatedField",
    "RestrictedReadOnlyViewSet",
    "RestrictedViewSet",
    "SchemaView",
    "Serializer",
    "ServiceModelSerializer",
    "exception_handler",
    "hash_token",
]


# --- Views ----------------------------------------------------------------------------------


class ActionPermission(BasePermission):
    """The caller's role may do the view's action to this kind of row (``user.has_action``).

    list/retrieve need ``view``, create ``add``, update ``change``; a custom action says what
    it needs with ``@action(..., required_action="reveal")``.

    On a route that names a row the right is checked once the row is found, as the pages do:
    a row outside the caller's scope is 404 whatever their role, one inside it 403.
    """

    message = gettext_lazy("You do not have permission to do this.")

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if user is None or not user.is_authenticated:
            return False
        if (view.lookup_url_kwarg or view.lookup_field) in view.kwargs:
            return True  # decided in has_object_permission, after the restricted lookup
        return user.has_action(view.queryset.model, view.required_right())

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        # Only reached after has_permission, so the caller is logged in.
        user = request.user
        # Per assignment: the right must come from an assignment whose areas hold the row.
        return user.is_authenticated and may(
            user, view.queryset.model, view.required_right(), obj, seen=True
        )


class RestrictedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField[Any]):
    """A reference to another row, accepted only if the caller may see that row.

    A row outside the scope is refused with the same message as one that does not exist.
    """

    def get_queryset(self) -> models.QuerySet[Any]:
        queryset = super().get_queryset()
        if queryset is None:  # DRF requires one of every field that takes input
            raise TypeError(f"{self.field_name}: no queryset to choose from")
        request = self.context.get("request")
        return restrict(queryset, getattr(request, "user", None), "view")


class ProtectedValueField(serializers.CharField):
    """An ID number or phone: answers with the stored mask, accepts the plaintext.

    The plaintext goes to the service, which validates, encrypts, indexes and masks it; no
    response ever carries it (the reveal route excepted). Sending back the mask a read gave
    keeps the stored value, so a read-modify-write round trip does not fail.
    """

    def __init__(self, *, mask_attr: str, **kwargs: Any) -> None:
        self.mask_attr = mask_attr
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)

    def get_attribute(self, instance: Any) -> str:
        return getattr(instance, self.mask_attr, "") or ""

    def run_validation(self, data: Any = empty) -> str | None:
        value: str | None = super().run_validation(data)
        if not value or "*" not in value:
            return value
        instance = getattr(self.parent, "instance", None)
        if isinstance(instance, models.Model) and value == self.get_attribute(instance):
            return None  # the mask read earlier, sent back unchanged: keep the stored value
        raise serializers.ValidationError(
            _("Enter the full number; a masked number cannot be saved.")
        )


class BoundedFieldsMixin:
    """Every input field bounded and its text NFC; read-only fields honest about emptiness
    (``fangkong.core.input_bounds``). Every serializer of the API inherits it."""

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()  # type: ignore[misc]
        meta = getattr(self, "Meta", None)
        return bound_serializer_fields(fields, getattr(meta, "model", None))

    def to_internal_value(self, data: Any) -> Any:
        validated = super().to_internal_value(data)  # type: ignore[misc]
        return {key: nfc(value) for key, value in validated.items()}


class Serializer(BoundedFieldsMixin, serializers.Serializer[Any]):
    """A request body or an answer that is not a model row."""


class ModelSerializer(BoundedFieldsMixin, serializers.ModelSerializer[Any]):
    """A model row, read (and, for ``ServiceModelSerializer``, written through a service)."""


class ServiceModelSerializer(ModelSerializer):
    """A model serializer that validates input shape only; services do the writing.

    ``version`` is read back and, on update, compared by the service (optimistic locking).
    Uniqueness is the service's (and the database's) to check, with the model's messages.
    """

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=gettext_lazy(
            "The version read; on update a different current version is a "
            "409 conflict. Leave out to overwrite unconditionally."
        ),
    )

    def create(self, validated_data: dict[str, Any]) -> Any:
        raise NotImplementedError("API writes go through the viewset's create_service")

    def update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        raise NotImplementedError("API writes go through the viewset's update_service")


class RestrictedReadOnlyViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[Any]
):
    """List and detail of the rows the caller may see; everything else 404 or 403."""

    request: AuthenticatedApiRequest
    permission_classes = [IsAuthenticated, ActionPermission]
    #: The right each standard action needs.
    action_rights: ClassVar[dict[str, str]] = {
        "list": "view",
        "retrieve": "view",
        "create": "add",
        "update": "change",
        "partial_update": "change",
    }
    #: Set per custom action through ``@action(required_action=...)``.
    required_action: str | None = None
    #: Set on custom actions that compare a version (documents 409 in the schema).
    can_conflict: bool = False

    def required_right(self) -> str:
        return self.required_action or self.action_rights.get(self.action or "", "view")

    def get_queryset(self) -> models.QuerySet[Any]:
        return restrict(super().get_queryset(), self.request.user, "view")


class RestrictedViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, RestrictedReadOnlyViewSet
):
    """List, detail, create and update (PUT/PATCH) through the app's services. No delete:
    rows are deactivated with a reason, never deleted (DESIGN.md).

    Subclasses implement ``create_service(data)`` and ``update_service(obj, data,
    expected_version)`` by calling a ``do_*`` service with ``by=self.request.user``.
    """

    def create_service(self, data: dict[str, Any]) -> models.Model:
        raise NotImplementedError

    def update_service(
        self, obj: Any, data: dict[str, Any], expected_version: int | None
    ) -> models.Model:
        raise NotImplementedError

    def reload(self, obj: models.Model) -> Any:
        """The saved row as a list or detail shows it (annotations, related rows)."""
        return self.get_queryset().filter(pk=obj.pk).first() or obj

    def perform_create(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        data.pop("version", None)
        serializer.instance = self.reload(self.create_service(data))

    def perform_update(self, serializer: serializers.BaseSerializer[Any]) -> None:
        data = dict(serializer.validated_data)
        expected_version = data.pop("version", None)
        obj = self.update_service(serializer.instance, data, expected_version)
        serializer.instance = self.reload(obj)


class SchemaView(SpectacularJSONAPIView):
    """The OpenAPI 3 schema as JSON, for callers with a token or a session.

    Like every DRF view it is exempt from LoginRequiredMiddleware (DRF marks its views so) and
    answers anonymous callers 401 itself.
    """

    permission_classes = [IsAuthenticated]


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI, served from the app's own static files (drf-spectacular-sidecar).

    The split view loads its start-up script from a second request to this URL instead of an
    inline ``<script>``, which the site's Content-Security-Policy forbids. A page for people:
    anonymous visitors are sent to log in by the middleware like any other page.
    """

    permission_classes = [IsAuthenticated]
    url_name = "api:schema"

    @classmethod
    def as_view(cls, **initkwargs: Any) -> AsView[GenericView]:
        view = super().as_view(**initkwargs)
        # DRF exempts its views from LoginRequiredMiddleware; this one is a page, and sends
        # anonymous visitors to the login page like every other page.
        view.login_required = True  # type: ignore[attr-defined]
        return view
