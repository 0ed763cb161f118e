"""Filters of the health lists, shared by the pages and the API."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from fangkong.core.dates import check_date_range
from fangkong.core.filtersets import BooleanFilter, FilterSet, IdFilter, ScopedIdFilter
from fangkong.health.choices import (
    CASE_CLASSIFICATIONS,
    ChangeAction,
    ChangeStatus,
    Classification,
    ContactKind,
    Outcome,
    PlaceKind,
    QuarantineKind,
)
from fangkong.health.models import (
    Case,
    Contact,
    Disinfection,
    HealthReport,
    Quarantine,
    StatusChange,
)
from fangkong.registry.filtersets import is_sensitive_query
from fangkong.registry.models import Building, Person
from fangkong.registry.search import search_people, validate_search_text

DATE_INPUT = {"type": "date"}


class CaseFilterSet(FilterSet):
    classification = filters.ChoiceFilter(choices=Classification.choices, label=_("classification"))
    open = filters.BooleanFilter(
        method="filter_open", label=_("open (not excluded, recovered or died)")
    )
    person = IdFilter(field_name="person", label=_("person id"))
    building = IdFilter(field_name="building", label=_("building id"))

    class Meta:
        model = Case
        fields = ["classification", "open", "person", "building"]

    def filter_open(
        self, queryset: models.QuerySet[Any], name: str, value: bool
    ) -> models.QuerySet[Any]:
        is_open = Q(classification__in=CASE_CLASSIFICATIONS, outcome__in=["", Outcome.IN_HOSPITAL])
        return queryset.filter(is_open if value else ~is_open)


class ContactFilterSet(FilterSet):
    kind = filters.ChoiceFilter(choices=ContactKind.choices, label=_("kind of contact"))
    case = IdFilter(field_name="case", label=_("case id"))
    handed_over = filters.BooleanFilter(
        field_name="handed_over_to", lookup_expr="isnull", exclude=True, label=_("handed over")
    )

    class Meta:
        model = Contact
        fields = ["kind", "case", "handed_over"]


def _buildings(request: Any) -> models.QuerySet[Building]:
    if request is None:
        return Building.objects.none()
    return Building.objects.restrict(request.user).order_by("sort_key", "number", "pk")


class QuarantineFilterSet(FilterSet):
    """The page asks what the health officer knows (a name, a room, a building, whether the
    quarantine is still on); the ids of a person or household are for API clients."""

    q = filters.CharFilter(
        method="search",
        label=_("name, pinyin or room"),
        validators=[validate_search_text],
    )
    active = BooleanFilter(field_name="ended_on", lookup_expr="isnull", label=_("not ended"))
    kind = filters.ChoiceFilter(choices=QuarantineKind.choices, label=_("kind"))
    person = IdFilter(field_name="person", label=_("person id"))
    household = IdFilter(field_name="household", label=_("household id"))
    building = ScopedIdFilter(
        field_name="household__building", queryset=_buildings, label=_("building")
    )

    page_filters = ("q", "active", "kind", "building")

    class Meta:
        model = Quarantine
        fields = ["q", "active", "kind", "person", "household", "building"]

    def search(self, queryset: models.QuerySet[Any], name: str, value: str) -> models.QuerySet[Any]:
        """The registry's indexed search over the people of these quarantines. A whole ID
        number or phone is not searched here (it would sit in the page's URL)."""
        if not value or is_sensitive_query(value):
            return queryset
        people = search_people(Person.objects.filter(pk__in=queryset.values("person_id")), value)
        return queryset.filter(person__in=people.order_by().values("pk"))


class ReportFilterSet(FilterSet):
    day = filters.DateFilter(
        field_name="day",
        label=_("day"),
        validators=[check_date_range],
        widget=filters.DateFilter.field_class.widget(attrs=DATE_INPUT),
    )
    fever = filters.BooleanFilter(field_name="is_fever", label=_("fever"))
    person = IdFilter(field_name="person", label=_("person id"))

    class Meta:
        model = HealthReport
        fields = ["day", "fever", "person"]


class DisinfectionFilterSet(FilterSet):
    place_kind = filters.ChoiceFilter(choices=PlaceKind.choices, label=_("place"))
    building = IdFilter(field_name="building", label=_("building id"))
    since = filters.DateFilter(
        field_name="done_at",
        lookup_expr="date__gte",
        label=_("from"),
        validators=[check_date_range],
        widget=filters.DateFilter.field_class.widget(attrs=DATE_INPUT),
    )

    class Meta:
        model = Disinfection
        fields = ["place_kind", "building", "since"]


class ChangeFilterSet(FilterSet):
    status = filters.ChoiceFilter(choices=ChangeStatus.choices, label=_("status"))
    action = filters.ChoiceFilter(choices=ChangeAction.choices, label=_("change"))
    person = IdFilter(field_name="person", label=_("person id"))

    class Meta:
        model = StatusChange
        fields = ["status", "action", "person"]
