"""Filters of the supplies lists, the pages' and the API's alike."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from fangkong.core.filtersets import FilterSet, IdFilter, ScopedIdFilter
from fangkong.core.querysets import restrict
from fangkong.supplies.choices import (
    Category,
    DonorKind,
    MovementKind,
    RequestStatus,
    Veteran,
)
from fangkong.supplies.models import Donation, Item, Movement, Place, SupplyRequest


def _items(request: Any) -> Any:
    return restrict(Item.objects.all(), request.user if request else None, "view")


def _places(request: Any) -> Any:
    return restrict(Place.objects.all(), request.user if request else None, "view")


class ItemFilterSet(FilterSet):
    category = filters.ChoiceFilter(choices=Category.choices, label=_("category"))
    name = filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("name"))

    page_filters = ("category", "name")

    class Meta:
        model = Item
        fields = ["category", "name"]


class DonationFilterSet(FilterSet):
    donor_kind = filters.ChoiceFilter(choices=DonorKind.choices, label=_("donor kind"))
    veteran = filters.ChoiceFilter(choices=Veteran.choices, label=_("veteran"))
    date_from = filters.DateFilter(field_name="donated_on", lookup_expr="gte", label=_("from"))
    date_to = filters.DateFilter(field_name="donated_on", lookup_expr="lte", label=_("to"))

    page_filters = ("donor_kind", "veteran", "date_from", "date_to")

    class Meta:
        model = Donation
        fields = ["donor_kind", "veteran", "date_from", "date_to"]


class MovementFilterSet(FilterSet):
    kind = filters.ChoiceFilter(choices=MovementKind.choices, label=_("kind"))
    item = ScopedIdFilter(field_name="item_id", queryset=_items, label=_("item"))
    place = ScopedIdFilter(field_name="place_id", queryset=_places, label=_("place"))
    lot = IdFilter(field_name="lot_id", label=_("lot"))
    batch = IdFilter(field_name="batch", label=_("batch"))
    household = IdFilter(field_name="household_id", label=_("household"))
    date_from = filters.DateFilter(field_name="day", lookup_expr="gte", label=_("from"))
    date_to = filters.DateFilter(field_name="day", lookup_expr="lte", label=_("to"))

    page_filters = ("kind", "item", "place", "date_from", "date_to")

    class Meta:
        model = Movement
        fields = ["kind", "item", "place", "lot", "batch", "household", "date_from", "date_to"]


class SupplyRequestFilterSet(FilterSet):
    status = filters.ChoiceFilter(choices=RequestStatus.choices, label=_("status"))
    place = ScopedIdFilter(field_name="place_id", queryset=_places, label=_("place"))

    page_filters = ("status", "place")

    class Meta:
        model = SupplyRequest
        fields = ["status", "place"]
