"""What the staff API shares: related-row fields, the refusal shape, the permission."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from rest_framework import serializers
from rest_framework.request import Request

from fangkong.accounts.models import User
from fangkong.areas.models import Area
from fangkong.core.api import (
    ActionPermission,
    RestrictedPrimaryKeyRelatedField,
)
from fangkong.staff.querysets import StaffScopedMixin

# --- Fields ---------------------------------------------------------------------------------


class AreaInCommunityField(serializers.PrimaryKeyRelatedField[Area]):
    """A community or a grid (which one of the row's community is the service's check)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", Area.objects.all())
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)


class ColleagueField(serializers.PrimaryKeyRelatedField[User]):
    """A login of the caller's own community (anyone else is "not found", not named)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", User.objects.filter(is_active=True))
        kwargs.setdefault("required", False)
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def get_queryset(self) -> models.QuerySet[User]:
        queryset = super().get_queryset()
        if queryset is None:  # __init__ always gives one
            raise ImproperlyConfigured("ColleagueField needs a queryset.")
        user = getattr(self.context.get("request"), "user", None)
        if user is None or not getattr(user, "is_authenticated", False):
            return queryset.none()
        if user.scope().everything:
            return queryset
        community = user.community if user.area_id else None
        if community is None:
            return queryset.none()
        return queryset.filter(area_id__in=community.scope_below().areas)


def related_field(model: type[StaffScopedMixin], **kwargs: Any) -> RestrictedPrimaryKeyRelatedField:
    """A reference to a staff row the caller may see (others are refused as unknown ids)."""
    return RestrictedPrimaryKeyRelatedField(queryset=model.objects.all(), **kwargs)


def valid_data(form: serializers.Serializer[Any]) -> dict[str, Any]:
    """The form's data, or a 400 naming each field that is wrong."""
    form.is_valid(raise_exception=True)
    data: dict[str, Any] = form.validated_data
    return data


class StaffActionPermission(ActionPermission):
    """As core's, but the right may be asked of another model (``permission_model``): a
    volunteer's check-in is a right on their shifts, not on assignment rows as such."""

    def _model(self, view: Any) -> type[models.Model]:
        model: type[models.Model] = getattr(view, "permission_model", None) or view.queryset.model
        return model

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if user is None or not user.is_authenticated:
            return False
        if (view.lookup_url_kwarg or view.lookup_field) in view.kwargs:
            return True
        return user.has_action(self._model(view), view.required_right())

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        user = request.user  # has_permission turned anonymous callers away first
        return user.is_authenticated and user.has_action(self._model(view), view.required_right())
