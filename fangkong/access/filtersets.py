"""Filters of the access lists (pages). The API's filtersets live in ``api.py``."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from fangkong.access.choices import (
    Decision,
    Direction,
    ExemptionKind,
    PassStatus,
    ReasonCode,
    VisitorStatus,
)
from fangkong.access.models import Exemption, GateEvent, Pass, Visitor
from fangkong.access.pass_tokens import normalise_serial
from fangkong.access.services import checkpoints_for
from fangkong.core.filtersets import LocalDayFilter
from fangkong.registry.models import Building


def _buildings(request: Any) -> QuerySet[Building]:
    if request is None:
        return Building.objects.none()
    return Building.objects.restrict(request.user)


def _checkpoints(request: Any) -> Any:
    return checkpoints_for(request.user if request is not None else None)


class AccessFilterSet(django_filters.FilterSet):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for filter_ in self.filters.values():
            filter_.label = capfirst(filter_.label)


class PassFilterSet(AccessFilterSet):
    q = django_filters.CharFilter(method="search", label=_("Serial or room"))
    building = django_filters.ModelChoiceFilter(
        field_name="household__building", queryset=_buildings, label=_("building")
    )
    status = django_filters.ChoiceFilter(choices=PassStatus.choices, label=_("status"))
    out = django_filters.BooleanFilter(field_name="out_since", lookup_expr="isnull",
                                       exclude=True, label=_("out now"))

    class Meta:
        model = Pass
        fields = ["q", "building", "status", "out"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        text = value.strip()
        if not text:
            return queryset
        serial = normalise_serial(text)
        match = Q(household__room=text) | Q(household__number=text)
        if serial:
            match |= Q(serial=serial)
        return queryset.filter(match)


class GateEventFilterSet(AccessFilterSet):
    checkpoint = django_filters.ModelChoiceFilter(queryset=_checkpoints, label=_("checkpoint"))
    direction = django_filters.ChoiceFilter(choices=Direction.choices, label=_("direction"))
    decision = django_filters.ChoiceFilter(choices=Decision.choices, label=_("decision"))
    reason_code = django_filters.ChoiceFilter(choices=ReasonCode.choices, label=_("reason"))
    # A range of ``time``, so the gate log's index serves one day too.
    date = LocalDayFilter(field_name="time", label=_("day"))
    flagged = django_filters.BooleanFilter(method="filter_flagged", label=_("for review"))

    class Meta:
        model = GateEvent
        fields = ["checkpoint", "direction", "decision", "reason_code", "date", "flagged"]

    def filter_flagged(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if value:
            return queryset.exclude(flag="").filter(reviewed_at__isnull=True)
        return queryset.filter(flag="")


class VisitorFilterSet(AccessFilterSet):
    inside = django_filters.BooleanFilter(field_name="time_out", lookup_expr="isnull",
                                          label=_("still inside"))
    status = django_filters.ChoiceFilter(choices=VisitorStatus.choices, label=_("status"))
    checkpoint = django_filters.ModelChoiceFilter(queryset=_checkpoints, label=_("checkpoint"))

    class Meta:
        model = Visitor
        fields = ["inside", "status", "checkpoint"]


class ExemptionFilterSet(AccessFilterSet):
    kind = django_filters.ChoiceFilter(choices=ExemptionKind.choices, label=_("kind"))
    current = django_filters.BooleanFilter(method="filter_current", label=_("in force"))

    class Meta:
        model = Exemption
        fields = ["kind", "current"]

    def filter_current(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        from django.utils import timezone

        today = timezone.localdate()
        current = Q(revoked_at__isnull=True, starts_on__lte=today, ends_on__gte=today)
        return queryset.filter(current) if value else queryset.exclude(current)
