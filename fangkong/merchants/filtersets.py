"""Filters of the merchants' lists, the pages' and the API's."""

from __future__ import annotations

from typing import Any

import django_filters
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from fangkong.core.filtersets import BooleanFilter, FilterSet, IdFilter
from fangkong.merchants.choices import ComplaintKind, MerchantKind, MerchantStatus
from fangkong.merchants.models import Complaint, Inspection, Merchant, Notice


class MerchantFilterSet(FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    kind = filters.ChoiceFilter(choices=MerchantKind.choices, label=_("kind"))
    status = filters.ChoiceFilter(choices=MerchantStatus.choices, label=_("status"))
    community = IdFilter(field_name="community_id", label=_("community id"))
    area = IdFilter(field_name="area_id", label=_("area id"))

    page_filters = ("q", "kind", "status")

    class Meta:
        model = Merchant
        fields = ["q", "kind", "status", "community", "area"]

    def search(self, queryset: models.QuerySet[Any], name: str, value: str) -> models.QuerySet[Any]:
        value = (value or "").strip()[:50]
        if not value:
            return queryset
        return queryset.filter(
            models.Q(name__icontains=value)
            | models.Q(address__icontains=value)
            | models.Q(licence_number__iexact=value)
        )


class InspectionFilterSet(FilterSet):
    merchant = IdFilter(field_name="merchant_id", label=_("shop id"))
    visited_from = filters.DateFilter(field_name="visited_on", lookup_expr="gte", label=_("from"))
    visited_to = filters.DateFilter(field_name="visited_on", lookup_expr="lte", label=_("to"))
    failed = BooleanFilter(method="with_failures", label=_("with failed items"))

    page_filters = ("visited_from", "visited_to", "failed")

    class Meta:
        model = Inspection
        fields = ["merchant", "visited_from", "visited_to", "failed"]

    def with_failures(
        self, queryset: models.QuerySet[Any], name: str, value: bool | None
    ) -> models.QuerySet[Any]:
        if value is None:
            return queryset
        return queryset.filter(failed_count__gt=0) if value else queryset.filter(failed_count=0)


class NoticeFilterSet(FilterSet):
    merchant = IdFilter(field_name="merchant_id", label=_("shop id"))
    delivered_from = filters.DateFilter(
        field_name="delivered_on", lookup_expr="gte", label=_("from")
    )
    delivered_to = filters.DateFilter(field_name="delivered_on", lookup_expr="lte", label=_("to"))

    page_filters = ("delivered_from", "delivered_to")

    class Meta:
        model = Notice
        fields = ["merchant", "delivered_from", "delivered_to"]


class ComplaintFilterSet(FilterSet):
    merchant = IdFilter(field_name="merchant_id", label=_("shop id"))
    kind = filters.ChoiceFilter(choices=ComplaintKind.choices, label=_("kind"))
    open = BooleanFilter(field_name="closed_at", lookup_expr="isnull", label=_("open only"))

    page_filters = ("kind", "open")

    class Meta:
        model = Complaint
        fields = ["merchant", "kind", "open"]
