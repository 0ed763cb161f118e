"""The one filterset base, filters every list shares, and the filters of the audit log.

One filterset per model serves both the model's page and its API route (``FilterSet``
below): the same name filters the same way in both. A filter only the API needs (an id the
page's select already offers, a time range) stays out of the page's form through
``page_filters``; it still filters a page whose URL names it.

Numbers in a query string go to the database as they are typed; a column holds at most a
64-bit integer, and a bigger one made SQLite raise OverflowError (a 500) on a foreign key
(``?household=99999999999999999999999``). So every number filter of every filterset is held
to that range once, here: ``IdFilter`` for ids (1 up), ``bound_numbers()`` for any other
``NumberFilter``, which the API's filter backend and the pages' list view apply to whatever
filterset a route declares. Out of range is a 400 (a form error on pages) naming the filter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any, ClassVar

import django_filters
from django import forms
from django.db import models
from django.forms import BoundField
from django.utils import timezone
from django.utils.choices import BaseChoiceIterator
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django_filters.conf import settings as filter_settings
from django_filters.filters import BaseCSVFilter
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.rest_framework import FilterSet as RestFilterSet
from drf_spectacular.utils import extend_schema_field

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


class IdFilter(django_filters.NumberFilter):  # type: ignore[misc]  # django-filter has no types
    """A filter on a row's id (``?building=3``): a whole number the database can hold, or 400."""

    field_class = IdField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Filtering through a method typed ``value: int`` lets drf-spectacular document an
        # integer (a plain NumberFilter is "number") and keep the label as the description.
        kwargs.setdefault("method", self.filter_by_id)
        super().__init__(*args, **kwargs)

    def filter_by_id(
        self, queryset: models.QuerySet[Any], name: str, value: int
    ) -> models.QuerySet[Any]:
        return queryset.filter(**{name: value})


class FilterSet(RestFilterSet):  # type: ignore[misc]  # django-filter has no types
    """The base of every filterset, page or API.

    Labels begin with a capital (pages show them; the API's schema reads the class's own
    labels, untouched). ``page_filters`` names the filters a page's form shows, in order
    (all of them when None): the API may offer more than a page has room for.
    """

    page_filters: ClassVar[tuple[str, ...] | None] = None

    def __init__(self, *args: Any, page: bool = False, **kwargs: Any) -> None:
        # Whether a page (not the API) filters: a page's list may have a default the API's
        # has not (the people page shows active people unless asked; the API every status).
        self.page = page
        super().__init__(*args, **kwargs)
        for filter_ in self.filters.values():
            if filter_.label:
                filter_.label = capfirst(filter_.label)

    @property
    def page_form(self) -> list[BoundField]:
        """The fields of the form a page shows (templates loop over these)."""
        names = self.page_filters if self.page_filters is not None else list(self.form.fields)
        return [self.form[name] for name in names]


class YesNoSelect(forms.Select):
    """Yes, no or either, as a page's select shows it; reads what pages send (``true``,
    ``2``) and what API clients send (``true``, ``1``, ``False``) alike.

    The blank choice reads "all", as every filter's (``settings.FILTERS_EMPTY_CHOICE_LABEL``):
    Django's "unknown" made a filter such as "not ended" look
    like a question with three answers (unknown, yes, no)."""

    def __init__(self, attrs: Any = None) -> None:
        super().__init__(
            attrs,
            choices=[
                ("", filter_settings.EMPTY_CHOICE_LABEL),  # "全部", as in every other filter
                ("true", _("Yes")),
                ("false", _("No")),
            ],
        )

    def format_value(self, value: Any) -> list[str]:
        # A list, as every choice widget's: a string would mark "" (any) chosen as well, since
        # the widget asks ``"" in value``.
        if value in (True, "True", "true", "1", "2"):
            return ["true"]
        if value in (False, "False", "false", "0", "3"):
            return ["false"]
        return [""]

    VALUES: ClassVar[dict[str, bool]] = {
        "true": True,
        "1": True,
        "2": True,
        "false": False,
        "0": False,
        "3": False,
    }

    def value_from_datadict(self, data: Any, files: Any, name: str) -> bool | None:
        value = data.get(name)
        if isinstance(value, bool):
            return value
        return self.VALUES.get(value.lower()) if isinstance(value, str) else None


class BooleanFilter(django_filters.BooleanFilter):  # type: ignore[misc]  # django-filter has no types
    """A yes/no filter that reads a page's select and an API's ``true``/``false`` alike."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", YesNoSelect)
        super().__init__(*args, **kwargs)


class ScopedChoices(BaseChoiceIterator):
    """The choices of a page's select: the rows ``rows(request)`` gives, read only when the
    select is drawn (an API request never queries them)."""

    def __init__(self, rows: Callable[[Any], models.QuerySet[Any]], request: Any) -> None:
        self.rows, self.request = rows, request

    def __iter__(self) -> Iterator[tuple[Any, str]]:
        yield "", filter_settings.EMPTY_CHOICE_LABEL
        for row in self.rows(self.request):
            yield row.pk, str(row)


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_DB_INT})
class ScopedIdFilter(IdFilter):
    """A row's id (``?building=3``), which a page offers as a select of the rows the user
    sees (``queryset(request)``, as for django-filter's ModelChoiceFilter). An id outside
    them finds nothing, on a page as in the API (the list is restricted already)."""

    def __init__(
        self, *args: Any, queryset: Callable[[Any], models.QuerySet[Any]], **kwargs: Any
    ) -> None:
        self.rows = queryset
        super().__init__(*args, **kwargs)

    @property
    def field(self) -> forms.Field:
        if not hasattr(self, "_field"):
            request = getattr(getattr(self, "parent", None), "request", None)
            self.extra["widget"] = forms.Select(choices=ScopedChoices(self.rows, request))
        field: forms.Field = super().field
        return field


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


class FilterBackend(DjangoFilterBackend):  # type: ignore[misc]  # django-filter has no types
    """django-filter's backend for the API, with every number filter bounded (see above)."""

    def get_filterset(self, request: Any, queryset: models.QuerySet[Any], view: Any) -> Any:
        filterset = super().get_filterset(request, queryset, view)
        return bound_numbers(filterset) if filterset is not None else None


class LocalDayFilter(django_filters.DateFilter):  # type: ignore[misc]  # django-filter has no types
    """A day (in the current time zone) on a date-time column, filtered as a range of that
    column: ``time__date=day`` wraps the column in a function, which no index serves, so a
    community's log for one day walked all its rows. ``lookup_expr`` is ``exact`` (that
    day), ``gte`` (from that day) or ``lte`` (up to the end of that day)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("validators", [check_date_range])
        super().__init__(*args, **kwargs)

    def filter(self, qs: models.QuerySet[Any], value: dt.date | None) -> models.QuerySet[Any]:
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


class ObjectChangeFilterSet(FilterSet):
    person = IdFilter(field_name="person_id", label=_("Person (number)"))
    actor = django_filters.CharFilter(
        field_name="actor_name", lookup_expr="iexact", label=_("User")
    )
    action = django_filters.ChoiceFilter(choices=ChangeAction.choices, label=_("Action"))
    since = LocalDayFilter(field_name="time", lookup_expr="gte", label=_("From"), widget=DATE_INPUT)
    until = LocalDayFilter(field_name="time", lookup_expr="lte", label=_("To"), widget=DATE_INPUT)

    class Meta:
        model = ObjectChange
        fields = ["person", "actor", "action", "since", "until"]
