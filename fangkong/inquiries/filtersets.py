"""Filters of the inquiry and FAQ lists, the pages' and the API's."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from fangkong.core.filtersets import BooleanFilter, FilterSet, IdFilter, LocalDayFilter
from fangkong.inquiries.choices import Category, Channel, InquiryStatus
from fangkong.inquiries.models import FaqEntry, Inquiry

TEXT_MAX = 50


class InquiryFilterSet(FilterSet):
    q = filters.CharFilter(method="search", label=_("words in the question"), max_length=TEXT_MAX)
    status = filters.ChoiceFilter(choices=InquiryStatus.choices, label=_("status"))
    category = filters.ChoiceFilter(choices=Category.choices, label=_("category"))
    channel = filters.ChoiceFilter(choices=Channel.choices, label=_("channel"))
    handler = IdFilter(field_name="handler_id", label=_("handler id"))
    household = IdFilter(field_name="household_id", label=_("household id"))
    person = IdFilter(field_name="person_id", label=_("person id"))
    received_from = LocalDayFilter(field_name="received_at", lookup_expr="gte", label=_("from"))
    received_to = LocalDayFilter(field_name="received_at", lookup_expr="lte", label=_("to"))

    page_filters = ("q", "status", "category", "channel")

    class Meta:
        model = Inquiry
        fields = [
            "q",
            "status",
            "category",
            "channel",
            "handler",
            "household",
            "person",
            "received_from",
            "received_to",
        ]

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        value = (value or "").strip()
        return queryset.filter(question__icontains=value) if value else queryset


class FaqFilterSet(FilterSet):
    q = filters.CharFilter(method="search", label=_("search the FAQ"), max_length=TEXT_MAX)
    category = filters.ChoiceFilter(choices=Category.choices, label=_("category"))
    published = BooleanFilter(field_name="published", label=_("published to residents"))
    area = IdFilter(field_name="area_id", label=_("area id"))

    page_filters = ("q", "category", "published")

    class Meta:
        model = FaqEntry
        fields = ["q", "category", "published", "area"]

    def search(self, queryset: QuerySet[Any], name: str, value: str) -> QuerySet[Any]:
        """Every word typed in the question or the answer (a caller's words rarely match an
        entry's whole sentence)."""
        for word in (value or "").split()[:5]:
            queryset = queryset.filter(Q(question__icontains=word) | Q(answer__icontains=word))
        return queryset
