"""Filters every list shares, and the filters of the audit log.

Numbers in a query string go to the database as they are typed; a column holds at most a
64-bit integer, and a bigger one made SQLite raise OverflowError (a 500) on a foreign key
(``?household=99999999999999999999999``). So every number filter of every filterset is held
to that range once, here: ``IdFilter`` for ids (1 up), ``bound_numbers()`` for any other
``NumberFilter``, which the API's filter backend and the pages' list view apply to whatever
filterset a route declares. Out of range is a 400 (a form error on pages) naming the filter.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import django_filters
from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.filters import BaseCSVFilter
from django_filters.rest_framework import DjangoFilterBackend

from fangkong.core.choices import ChangeAction
from fangkong.core.dates import check_date_range
from fangkong.core.db import MAX_DB_INT
from fangkong.core.models import ObjectChange

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class IdField(forms.IntegerField):
    """A row's id: a whole number from 1 to the largest a bigint holds."""

    default_error_messages = {
        "invalid": _("Enter an id: a whole number from 1 to 9223372036854775807."),
        "min_value": _("Enter an id: a whole number from 1 to 9223372036854775807."),
        "max_value": _("Enter an id: a whole number from 1 to 9223372036854775807."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_DB_INT)
        super().__init__(*args, **kwargs)


class IdFilter(django_filters.NumberFilter):
    """A filter on a row's id (``?building=3``): a whole number the database can hold, or 400."""

    field_class = IdField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Filtering through a method typed ``value: int`` lets drf-spectacular document an
        # integer (a plain NumberFilter is "number") and keep the label as the description.
        kwargs.setdefault("method", self.filter_by_id)
        super().__init__(*args, **kwargs)

    def filter_by_id(self, queryset: models.QuerySet, name: str, value: int) -> models.QuerySet:
        return queryset.filter(**{name: value})


def bound_numbers(filterset: django_filters.FilterSet) -> django_filters.FilterSet:
    """Hold every number filter of this filterset (an instance: its filters are its own
    copies) to what a database integer can hold, unless the filter sets its own bounds."""
    for filter_ in filterset.filters.values():
        if isinstance(filter_, django_filters.NumberFilter) and not isinstance(
            filter_, BaseCSVFilter
        ):
            filter_.extra.setdefault("min_value", -MAX_DB_INT)
            filter_.extra.setdefault("max_value", MAX_DB_INT)
            filter_.__dict__.pop("_field", None)  # a form field built before the bounds
    return filterset


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend for the API, with every number filter bounded (see above)."""

    def get_filterset(self, request: Any, queryset: models.QuerySet, view: Any) -> Any:
        filterset = super().get_filterset(request, queryset, view)
        return bound_numbers(filterset) if filterset is not None else None


class LocalDayFilter(django_filters.DateFilter):
    """A day (in the current time zone) on a date-time column, filtered as a range of that
    column: ``time__date=day`` wraps the column in a function, which no index serves, so a
    community's log for one day walked all its rows. ``lookup_expr`` is ``exact`` (that
    day), ``gte`` (from that day) or ``lte`` (up to the end of that day)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("validators", [check_date_range])
        super().__init__(*args, **kwargs)

    def filter(self, qs: models.QuerySet, value: dt.date | None) -> models.QuerySet:
        if value is None:
            return qs
        start = timezone.make_aware(dt.datetime.combine(value, dt.time.min))
        end = timezone.make_aware(dt.datetime.combine(value + dt.timedelta(days=1), dt.time.min))
        name = self.field_name
        if self.lookup_expr == "gte":
            return qs.filter(**{f"{name}__gte": start})
        if self.lookup_expr == "lte":
            return qs.filter(**{f"{name}__lt": end})
        return qs.filter(**{f"{name}__gte": start, f"{name}__lt": end})


class ObjectChangeFilterSet(django_filters.FilterSet):
    person = IdFilter(field_name="person_id", label=_("Person (number)"))
    actor = django_filters.CharFilter(field_name="actor_name", lookup_expr="iexact",
                                      label=_("User"))
    action = django_filters.ChoiceFilter(choices=ChangeAction.choices, label=_("Action"))
    since = LocalDayFilter(field_name="time", lookup_expr="gte", label=_("From"),
                           widget=DATE_INPUT)
    until = LocalDayFilter(field_name="time", lookup_expr="lte", label=_("To"),
                           widget=DATE_INPUT)

    class Meta:
        model = ObjectChange
        fields = ["person", "actor", "action", "since", "until"]

    def __init__(self, *args, request=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, request=request, **kwargs)
