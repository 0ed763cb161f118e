"""Filters of the access lists: one filterset per model, for its page and its API route.

A name filters the same way on both. The API's extra filters (a household's id, a time
range, whether an event was ever flagged) stay out of the pages' forms (``page_filters``).
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

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
from fangkong.core.dates import BoundedIsoDateTimeFilter
from fangkong.core.db import MAX_DB_INT
from fangkong.core.filtersets import (
    BooleanFilter,
    FilterSet,
    IdFilter,
    LocalDayFilter,
    ScopedIdFilter,
)
from fangkong.registry.models import Building


def _buildings(request: Any) -> QuerySet[Building]:
    if request is None:
        return Building.objects.none()
    return Building.objects.restrict(request.user)


def _checkpoints(request: Any) -> Any:
    return checkpoints_for(request.user if request is not None else None)


@extend_schema_field({"type": "integer", "format": "int64", "minimum": 1, "maximum": MAX_DB_INT})
class RowIdFilter(IdFilter):
    """A filter on a row's id: a whole number that a 64-bit key can hold, or 400."""


class PassFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Serial or room"))
    building = ScopedIdFilter(
        field_name="household__building", queryset=_buildings, label=_("building")
    )
    status = django_filters.ChoiceFilter(choices=PassStatus.choices, label=_("status"))
    out = BooleanFilter(
        field_name="out_since", lookup_expr="isnull", exclude=True, label=_("out now")
    )
    household = RowIdFilter(field_name="household")
    serial = django_filters.CharFilter(field_name="serial")

    page_filters = ("q", "building", "status", "out")

    class Meta:
        model = Pass
        fields = ["q", "building", "status", "out", "household", "serial"]

    def search(self, queryset: QuerySet[Pass], name: str, value: str) -> QuerySet[Pass]:
        text = value.strip()
        if not text:
            return queryset
        serial = normalise_serial(text)
        match = Q(household__room=text) | Q(household__number=text)
        if serial:
            match |= Q(serial=serial)
        return queryset.filter(match)


class GateEventFilterSet(FilterSet):
    checkpoint = ScopedIdFilter(queryset=_checkpoints, label=_("checkpoint"))
    direction = django_filters.ChoiceFilter(choices=Direction.choices, label=_("direction"))
    decision = django_filters.ChoiceFilter(choices=Decision.choices, label=_("decision"))
    reason_code = django_filters.ChoiceFilter(choices=ReasonCode.choices, label=_("reason"))
    # A range of ``time``, so the gate log's index serves one day too.
    date = LocalDayFilter(field_name="time", label=_("day"))
    # Two questions, two names: "for review" (flagged and not reviewed yet: what the office
    # still has to look at, the page's question) and "flagged" (ever flagged, reviewed or
    # not: the API's, kept for its clients). The page's form asked the first as ``flagged``.
    for_review = BooleanFilter(method="filter_for_review", label=_("for review"))
    flagged = BooleanFilter(method="filter_flagged")
    household = RowIdFilter(field_name="household")
    since = BoundedIsoDateTimeFilter(field_name="time", lookup_expr="gte")
    until = BoundedIsoDateTimeFilter(field_name="time", lookup_expr="lt")

    page_filters = ("checkpoint", "direction", "decision", "reason_code", "date", "for_review")

    class Meta:
        model = GateEvent
        fields = [
            "checkpoint",
            "direction",
            "decision",
            "reason_code",
            "date",
            "for_review",
            "flagged",
            "household",
            "since",
            "until",
        ]

    def filter_for_review(
        self, queryset: QuerySet[GateEvent], name: str, value: bool
    ) -> QuerySet[GateEvent]:
        if value:
            return queryset.exclude(flag="").filter(reviewed_at__isnull=True)
        return queryset.filter(flag="")

    def filter_flagged(
        self, queryset: QuerySet[GateEvent], name: str, value: bool
    ) -> QuerySet[GateEvent]:
        return queryset.exclude(flag="") if value else queryset.filter(flag="")


class VisitorFilterSet(FilterSet):
    inside = BooleanFilter(field_name="time_out", lookup_expr="isnull", label=_("still inside"))
    status = django_filters.ChoiceFilter(choices=VisitorStatus.choices, label=_("status"))
    checkpoint = ScopedIdFilter(queryset=_checkpoints, label=_("checkpoint"))
    household = RowIdFilter(field_name="household")

    page_filters = ("inside", "status", "checkpoint")

    class Meta:
        model = Visitor
        fields = ["inside", "status", "checkpoint", "household"]


class ExemptionFilterSet(FilterSet):
    kind = django_filters.ChoiceFilter(choices=ExemptionKind.choices, label=_("kind"))
    current = django_filters.BooleanFilter(method="filter_current", label=_("in force"))

    class Meta:
        model = Exemption
        fields = ["kind", "current"]

    def filter_current(
        self, queryset: QuerySet[Exemption], name: str, value: bool
    ) -> QuerySet[Exemption]:
        from django.utils import timezone

        today = timezone.localdate()
        current = Q(revoked_at__isnull=True, starts_on__lte=today, ends_on__gte=today)
        return queryset.filter(current) if value else queryset.exclude(current)
