"""Filters for the audit log."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.core.choices import ChangeAction
from fangkong.core.models import ObjectChange

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class ObjectChangeFilterSet(django_filters.FilterSet):
    person = django_filters.NumberFilter(field_name="person_id", label=_("Person (number)"))
    actor = django_filters.CharFilter(field_name="actor_name", lookup_expr="iexact",
                                      label=_("User"))
    action = django_filters.ChoiceFilter(choices=ChangeAction.choices, label=_("Action"))
    since = django_filters.DateFilter(
        field_name="time", lookup_expr="date__gte", label=_("From"), widget=DATE_INPUT
    )
    until = django_filters.DateFilter(
        field_name="time", lookup_expr="date__lte", label=_("To"), widget=DATE_INPUT
    )

    class Meta:
        model = ObjectChange
        fields = ["person", "actor", "action", "since", "until"]

    def __init__(self, *args, request=None, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, request=request, **kwargs)
