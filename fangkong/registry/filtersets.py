"""Search and filters of the people list.

One search box understands what a worker types: a name (汉字, full pinyin or initials), a room
or household number, the last four digits of a phone, a whole phone, or an ID number. Phones
and ID numbers are matched through their blind indexes, never by decrypting rows.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.filtersets import FilterSet
from fangkong.core.sensitive_text import holds_id_number_or_phone, id_number_or_phone
from fangkong.registry.choices import PersonStatus, PersonTag, Residency
from fangkong.registry.models import Building, Person
from fangkong.registry.search import search_people, validate_search_text
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


class PersonFilterSet(FilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("Search"), validators=[validate_search_text]
    )
    building = django_filters.ModelChoiceFilter(
        field_name="household__building", queryset=_buildings, label=_("building")
    )
    grid = django_filters.ModelChoiceFilter(
        field_name="household__building__grid", queryset=_grids, label=_("grid")
    )
    residency = django_filters.ChoiceFilter(choices=Residency.choices, label=_("residency"))
    tag = django_filters.ChoiceFilter(
        choices=PersonTag.choices, method="filter_tag", label=_("tag")
    )
    status = django_filters.ChoiceFilter(
        choices=[*PersonStatus.choices, (ALL_STATUSES, _("Any status"))],
        empty_label=None,
        method="filter_status",
        label=_("status"),
    )

    class Meta:
        model = Person
        fields = ["q", "building", "grid", "residency", "tag", "status"]

    def filter_queryset(self, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        if "q" in self.form.errors:
            # A refused search (one letter, 10,000 characters) finds nobody: the page shows
            # why, and an export of it is empty rather than the whole scope.
            return queryset.none()
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = queryset.filter(status=PersonStatus.ACTIVE)
        return queryset

    def filter_status(
        self, queryset: models.QuerySet[Any], name: str, value: str
    ) -> models.QuerySet[Any]:
        return queryset if value == ALL_STATUSES else queryset.filter(status=value)

    def filter_tag(
        self, queryset: models.QuerySet[Any], name: str, value: str
    ) -> models.QuerySet[Any]:
        return queryset.filter(tags__contains=f"|{value}|")

    def search(self, queryset: models.QuerySet[Any], name: str, value: str) -> models.QuerySet[Any]:
        text = value.strip()
        if sensitive := id_number_or_phone(text):
            # Through the service: a search by ID number or phone is an access event.
            kind, number = sensitive
            user = self.request.user if self.request is not None else None
            find = find_people_by_id_number if kind == "id_number" else find_people_by_phone
            return find(queryset, number, by=user)
        # Names, pinyin, last four digits, rooms and addresses, each through an index.
        return search_people(queryset, text)
