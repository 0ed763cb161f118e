"""Filters of the registry's lists: one filterset per model, for its page and its API route.

One search box understands what a worker types: a name (汉字, full pinyin or initials), a room
or household number, the last four digits of a phone, a whole phone, or an ID number. Phones
and ID numbers are matched through their blind indexes, never by decrypting rows. The page
names it ``q``, the API ``search`` (its clients' name): one method answers both.
"""

from __future__ import annotations

import re
from typing import Any

import django_filters
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.filtersets import FilterSet, IdFilter, ScopedIdFilter
from fangkong.core.querysets import scope_filter
from fangkong.core.sensitive_text import holds_id_number_or_phone, id_number_or_phone
from fangkong.registry.choices import PersonStatus, PersonTag, Residency
from fangkong.registry.models import Building, Household, Person
from fangkong.registry.search import (
    MAX_LENGTH,
    normalise,
    parse_address,
    search_people,
    validate_search_text,
)
from fangkong.registry.services import find_people_by_id_number, find_people_by_phone


def is_sensitive_query(value: str) -> bool:
    """Whether a search text holds a whole ID number or phone: never echoed, never in a URL
    (the middleware refuses such a URL: ``core.sensitive_text`` decides for both)."""
    return holds_id_number_or_phone(value)


#: Status choice meaning "any status"; an empty status means active people only.
ALL_STATUSES = "all"


def _buildings(request: Any) -> models.QuerySet[Building]:
    if request is None:
        return Building.objects.none()
    return Building.objects.restrict(request.user)


def _grids(request: Any) -> models.QuerySet[Area]:
    if request is None:
        return Area.objects.none()
    return Area.objects.restrict(request.user).filter(level=AreaLevel.GRID)


class RegistryFilterSet(FilterSet):
    """Filters every registry list has: ``?area=ID`` (a subtree of the tree)."""

    area = IdFilter(
        method="filter_area",
        label=_("area id: rows whose community or grid lies in this area"),
    )

    def filter_area(
        self, queryset: models.QuerySet[Any], name: str, value: int
    ) -> models.QuerySet[Any]:
        area = Area.objects.filter(pk=value).first()
        # The rows the area's own user would cover: its communities, or its grid's rows.
        return scope_filter(queryset, area.scope_below()) if area else queryset.none()


class TagsFilter(filters.BaseInFilter, filters.ChoiceFilter):  # type: ignore[misc]  # untyped
    """Comma-separated tag codes, each checked against the list of tags (400 if unknown)."""


class BuildingFilterSet(RegistryFilterSet):
    grid = IdFilter(field_name="grid", label=_("grid id"))
    section = filters.CharFilter(label=_("section"))
    search = filters.CharFilter(
        method="filter_search",
        max_length=MAX_LENGTH,
        label=_("building number (1, 01, 1号楼) or name"),
    )

    class Meta:
        model = Building
        fields = ["area", "grid", "section", "search"]

    def filter_search(
        self, queryset: models.QuerySet[Any], name: str, value: str
    ) -> models.QuerySet[Any]:
        text = value.strip()
        if not text:
            return queryset
        # A community has a few dozen buildings: their names may be searched by part.
        match = Q(number__iexact=text) | Q(name__icontains=text)
        # What residents write for building 1: 1, 01, 1号楼, 1栋, 1号 (equality on number).
        if found := re.fullmatch(r"0*(\d{1,9})\s*(?:号楼|号|栋|幢)?", text):
            digits = found[1]
            match |= Q(number__in={digits, digits.zfill(2), digits.zfill(3)})
        return queryset.filter(match)


class HouseholdFilterSet(RegistryFilterSet):
    building = IdFilter(field_name="building", label=_("building id"))
    grid = IdFilter(field_name="grid", label=_("grid id"))
    active = filters.BooleanFilter(field_name="is_active", label=_("occupied"))
    search = filters.CharFilter(
        method="filter_search",
        max_length=MAX_LENGTH,
        label=_("household number, room or address (1-2-301, 1号楼2单元301)"),
    )

    class Meta:
        model = Household
        fields = ["area", "building", "grid", "active", "search"]

    def filter_search(
        self, queryset: models.QuerySet[Any], name: str, value: str
    ) -> models.QuerySet[Any]:
        text = normalise(value)
        if not text:
            return queryset
        # Equality on indexed columns: a household number, a room, or an address parsed
        # into building, unit and room (东园1号楼2单元301室, 1-2-301); never a substring,
        # which made 1-2-301 find 11-2-301 too.
        match = Q(number=text) | Q(room=text)
        if (address := parse_address(text)) is not None:
            match |= Q(pk__in=address.households())
        return queryset.filter(match)


class PersonFilterSet(RegistryFilterSet):
    """The people list's filters, on the page and in the API.

    The page shows active people unless another status (or "any status") is chosen; the API
    answers every status unless ``status`` or ``active`` narrows it (its clients' contract).
    """

    q = django_filters.CharFilter(
        method="filter_search", label=_("Search"), validators=[validate_search_text]
    )
    search = filters.CharFilter(
        method="filter_search",
        validators=[validate_search_text],
        label=_(
            "name, pinyin or initials, room, household number or address, a "
            "phone's last four digits; at least two characters or one Chinese "
            "character. A whole phone or ID number is refused here (a URL is "
            "logged): post it to /api/v1/people/search/"
        ),
    )
    building = ScopedIdFilter(
        field_name="household__building", queryset=_buildings, label=_("building")
    )
    grid = ScopedIdFilter(field_name="grid", queryset=_grids, label=_("grid"))
    residency = django_filters.ChoiceFilter(choices=Residency.choices, label=_("residency"))
    tag = django_filters.ChoiceFilter(
        choices=PersonTag.choices, method="filter_tags", label=_("tag")
    )
    tags = TagsFilter(
        choices=PersonTag.choices,
        method="filter_tags",
        label=_("tag codes, comma separated: people with all of them"),
    )
    active = filters.BooleanFilter(
        method="filter_active", label=_("true: active people; false: moved or died")
    )
    status = django_filters.ChoiceFilter(
        choices=[*PersonStatus.choices, (ALL_STATUSES, _("Any status"))],
        empty_label=None,
        method="filter_status",
        label=_("status"),
    )

    page_filters = ("q", "building", "grid", "residency", "tag", "status")

    class Meta:
        model = Person
        fields = [
            "q",
            "search",
            "area",
            "building",
            "grid",
            "residency",
            "tag",
            "tags",
            "active",
            "status",
        ]

    def filter_queryset(self, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        if "q" in self.form.errors or "search" in self.form.errors:
            # A refused search (one letter, 10,000 characters) finds nobody: the page shows
            # why, and an export of it is empty rather than the whole scope.
            return queryset.none()
        queryset = super().filter_queryset(queryset)
        if self.page and not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status=PersonStatus.ACTIVE)
        return queryset

    def filter_status(
        self, queryset: models.QuerySet[Any], name: str, value: str
    ) -> models.QuerySet[Any]:
        return queryset if value == ALL_STATUSES else queryset.filter(status=value)

    def filter_tags(
        self, queryset: models.QuerySet[Any], name: str, value: str | list[str]
    ) -> models.QuerySet[Any]:
        for code in [value] if isinstance(value, str) else value:
            queryset = queryset.filter(tags__contains=f"|{code}|")
        return queryset

    def filter_active(
        self, queryset: models.QuerySet[Any], name: str, value: bool
    ) -> models.QuerySet[Any]:
        active = Q(status=PersonStatus.ACTIVE)
        return queryset.filter(active if value else ~active)

    def filter_search(
        self, queryset: models.QuerySet[Any], name: str, value: str
    ) -> models.QuerySet[Any]:
        text = value.strip()
        if sensitive := id_number_or_phone(text):
            # Through the service: a search by ID number or phone is an access event. (The
            # API's ``search`` never gets one: the middleware refuses it in a URL.)
            if self.request is None:
                return queryset.none()  # a search by number is someone's access event
            kind, number = sensitive
            find = find_people_by_id_number if kind == "id_number" else find_people_by_phone
            found: models.QuerySet[Any] = find(queryset, number, by=self.request.user)
            return found
        # Names, pinyin, last four digits, rooms and addresses, each through an index.
        return search_people(queryset, text)
