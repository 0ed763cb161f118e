"""Filters of the accounts list: one filterset for its page and its API route
(``/api/v1/users/``), so a name filters the same way in both."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from fangkong.accounts.choices import Role
from fangkong.accounts.models import AuthenticatorDevice, User
from fangkong.areas.models import Area
from fangkong.core.filtersets import (
    DATE_INPUT,
    BooleanFilter,
    FilterSet,
    LocalDayFilter,
    ScopedIdFilter,
)


def _areas(request: Any) -> models.QuerySet[Area]:
    if request is None:
        return Area.objects.none()
    return Area.objects.restrict(request.user, "view")


class UserFilterSet(FilterSet):
    """By name or username, role, area (and below), active or not, two-step login on or
    off, and the last login's day."""

    q = django_filters.CharFilter(method="search", label=_("Name or username"))
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("role"))
    area = ScopedIdFilter(
        field_name="area_id", queryset=_areas, method="filter_area", label=_("area")
    )
    active = BooleanFilter(field_name="is_active", label=_("active"))
    two_factor = BooleanFilter(method="filter_two_factor", label=_("two-step login"))
    last_login_after = LocalDayFilter(
        field_name="last_login", lookup_expr="gte", label=_("last login from"), widget=DATE_INPUT
    )
    last_login_before = LocalDayFilter(
        field_name="last_login", lookup_expr="lte", label=_("last login up to"), widget=DATE_INPUT
    )
    never_logged_in = BooleanFilter(method="filter_never", label=_("never logged in"))

    class Meta:
        model = User
        fields = [
            "q",
            "role",
            "area",
            "active",
            "two_factor",
            "last_login_after",
            "last_login_before",
            "never_logged_in",
        ]

    def search(self, queryset: models.QuerySet[Any], name: str, value: str) -> models.QuerySet[Any]:
        text = value.strip()
        if not text:
            return queryset
        return queryset.filter(Q(full_name__icontains=text) | Q(username__icontains=text))

    def filter_area(
        self, queryset: models.QuerySet[Any], name: str, value: int
    ) -> models.QuerySet[Any]:
        # The area and everything below it (a community's list includes its grids' workers).
        # The list is restricted already: an area outside the user's scope adds no one.
        area = Area.objects.filter(pk=value).first()
        if area is None:
            return queryset.none()
        return queryset.filter(area__in=area.descendants(include_self=True))

    def filter_two_factor(
        self, queryset: models.QuerySet[Any], name: str, value: bool | None
    ) -> models.QuerySet[Any]:
        if value is None:
            return queryset
        enrolled = Exists(
            AuthenticatorDevice.objects.filter(user_id=OuterRef("pk"), confirmed=True)
        )
        return queryset.filter(enrolled if value else ~enrolled)

    def filter_never(
        self, queryset: models.QuerySet[Any], name: str, value: bool | None
    ) -> models.QuerySet[Any]:
        if value is None:
            return queryset
        return queryset.filter(last_login__isnull=value)
