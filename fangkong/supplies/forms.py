"""The supplies pages' forms: they parse; the services check and save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.core.forms import DATE_INPUT, ServiceForm, field_of
from fangkong.registry.models import Household
from fangkong.staff.models import Checkpoint, Team
from fangkong.supplies.choices import (
    AdjustReason,
    Category,
    Condition,
    DonorKind,
    PlaceKind,
    Source,
    Unit,
    Veteran,
)
from fangkong.supplies.models import Item, Lot, Place
from fangkong.supplies.services import Line

#: How many lines the donation form offers (more are added as another donation).
DONATION_LINES = 3


def _restrict(form: ServiceForm, name: str, queryset: Any) -> None:
    field_of(form, name, forms.ModelChoiceField).queryset = queryset


def _items(form: ServiceForm) -> Any:
    return Item.objects.restrict(form.user).filter(community=form.community, is_active=True)


def _places(form: ServiceForm) -> Any:
    return Place.objects.restrict(form.user).filter(community=form.community)


def _quantity(required: bool = True) -> forms.IntegerField:
    return forms.IntegerField(label=_("quantity"), required=required)


def _unit(required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(label=_("unit"), choices=Unit.choices, required=required)


class ItemForm(ServiceForm):
    name = forms.CharField(label=_("name"), max_length=100)
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    base_unit = forms.ChoiceField(label=_("base unit"), choices=Unit.choices)
    pack_unit = forms.ChoiceField(
        label=_("pack"), choices=[("", "—"), *Unit.choices], required=False
    )
    pack_size = forms.IntegerField(
        label=_("base units per pack"),
        required=False,
        help_text=_("For example: a box of 30 bottles."),
    )
    notes = forms.CharField(label=_("notes"), widget=forms.Textarea, required=False)

    instance_fields = ("name", "category", "base_unit", "notes")
    not_for_service = ("version", "pack_unit", "pack_size")

    def packs(self) -> list[tuple[str, int]]:
        unit, size = self.cleaned_data.get("pack_unit"), self.cleaned_data.get("pack_size")
        if unit and size is not None:
            return [(unit, size)]
        return []

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("pack_unit")) != (data.get("pack_size") is not None):
            raise forms.ValidationError(_("Give the pack and its size together."))
        return data


class PlaceForm(ServiceForm):
    kind = forms.ChoiceField(label=_("kind"), choices=PlaceKind.choices)
    checkpoint = forms.ModelChoiceField(
        label=_("checkpoint"), queryset=Checkpoint.objects.none(), required=False
    )
    team = forms.ModelChoiceField(label=_("team"), queryset=Team.objects.none(), required=False)
    name = forms.CharField(
        label=_("name"),
        max_length=100,
        required=False,
        help_text=_("Left blank: the checkpoint's or the team's name."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _restrict(
            self,
            "checkpoint",
            Checkpoint.objects.restrict(self.user).filter(community=self.community),
        )
        _restrict(self, "team", Team.objects.restrict(self.user).filter(community=self.community))


def _add_lines(form: ServiceForm) -> None:
    """The item lines of a donation or a receipt: the first required."""
    for n in range(1, DONATION_LINES + 1):
        required = n == 1
        form.fields[f"item_{n}"] = forms.ModelChoiceField(
            label=_("item %(n)s") % {"n": n}, queryset=_items(form), required=required
        )
        form.fields[f"quantity_{n}"] = _quantity(required=required)
        form.fields[f"unit_{n}"] = _unit(required=required)
        form.fields[f"condition_{n}"] = forms.ChoiceField(
            label=_("condition"), choices=Condition.choices, required=False
        )
        form.fields[f"expiry_{n}"] = forms.DateField(
            label=_("expiry"), widget=DATE_INPUT, required=False
        )


def _lines(form: ServiceForm) -> list[Line]:
    found = []
    for n in range(1, DONATION_LINES + 1):
        item = form.cleaned_data.get(f"item_{n}")
        if item is None:
            continue
        found.append(
            Line(
                item=item,
                quantity=form.cleaned_data.get(f"quantity_{n}") or 0,
                unit=form.cleaned_data.get(f"unit_{n}") or item.base_unit,
                condition=form.cleaned_data.get(f"condition_{n}") or Condition.NEW,
                expiry=form.cleaned_data.get(f"expiry_{n}"),
            )
        )
    return found


class DonationForm(ServiceForm):
    donor_kind = forms.ChoiceField(label=_("donor kind"), choices=DonorKind.choices)
    donor_name = forms.CharField(label=_("donor"), max_length=100)
    veteran = forms.ChoiceField(label=_("veteran"), choices=Veteran.choices)
    donated_on = forms.DateField(label=_("date"), widget=DATE_INPUT)
    place = forms.ModelChoiceField(label=_("received into"), queryset=Place.objects.none())
    received_by_name = forms.CharField(label=_("received by"), max_length=100, required=False)
    notes = forms.CharField(label=_("notes"), widget=forms.Textarea, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _restrict(self, "place", _places(self))
        _add_lines(self)

    def lines(self) -> list[Line]:
        return _lines(self)

    def header(self) -> dict[str, Any]:
        names = ("donor_kind", "donor_name", "veteran", "donated_on", "received_by_name", "notes")
        return {name: self.cleaned_data.get(name) for name in names}


class _MoveForm(ServiceForm):
    item = forms.ModelChoiceField(label=_("item"), queryset=Item.objects.none())
    quantity = _quantity()
    unit = _unit()
    day = forms.DateField(label=_("date"), widget=DATE_INPUT)
    signed_by = forms.CharField(label=_("signed by"), max_length=100)
    note = forms.CharField(label=_("note"), max_length=200, required=False)
    confirm_expired = forms.BooleanField(
        label=_("Issue expired stock (I have checked it)"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _restrict(self, "item", _items(self))
        for name in ("place", "source", "target"):
            if name in self.fields:
                _restrict(self, name, _places(self))


class IssueForm(_MoveForm):
    place = forms.ModelChoiceField(label=_("from place"), queryset=Place.objects.none())
    recipient = forms.ChoiceField(
        label=_("to"), choices=[("household", _("A household")), ("person", _("A person"))]
    )
    household = forms.ModelChoiceField(
        label=_("household"), queryset=Household.objects.none(), required=False
    )

    field_order = ["place", "item", "quantity", "unit", "recipient", "household", "signed_by"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _restrict(
            self,
            "household",
            Household.objects.restrict(self.user).filter(community=self.community),
        )


class TransferForm(_MoveForm):
    source = forms.ModelChoiceField(label=_("from place"), queryset=Place.objects.none())
    target = forms.ModelChoiceField(label=_("to place"), queryset=Place.objects.none())

    field_order = ["source", "target", "item", "quantity", "unit", "day", "signed_by"]


class MinimumForm(ServiceForm):
    place = forms.ModelChoiceField(label=_("place"), queryset=Place.objects.none())
    minimum = forms.IntegerField(label=_("minimum level (base units)"), min_value=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _restrict(self, "place", _places(self))


class RequestForm(ServiceForm):
    place = forms.ModelChoiceField(label=_("requested by"), queryset=Place.objects.none())
    item = forms.ModelChoiceField(label=_("item"), queryset=Item.objects.none(), required=False)
    quantity = _quantity(required=False)
    unit = _unit(required=False)
    note = forms.CharField(
        label=_("what is needed"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _restrict(self, "item", _items(self))
        _restrict(self, "place", _places(self).exclude(kind=PlaceKind.OFFICE))


class IssueRequestForm(_MoveForm):
    source = forms.ModelChoiceField(label=_("from place"), queryset=Place.objects.none())

    field_order = ["source", "item", "quantity", "unit", "day", "signed_by"]


class RefuseForm(ServiceForm):
    reason = forms.CharField(label=_("reason for refusing"), max_length=200)


class ReceiveForm(ServiceForm):
    """Stock allocated from above or purchased, received into a place."""

    source = forms.ChoiceField(
        label=_("source"),
        choices=[
            (Source.ALLOCATION, Source.ALLOCATION.label),
            (Source.PURCHASE, Source.PURCHASE.label),
        ],
    )
    place = forms.ModelChoiceField(label=_("received into"), queryset=Place.objects.none())
    day = forms.DateField(label=_("date"), widget=DATE_INPUT)
    supplier = forms.CharField(
        label=_("from"),
        max_length=100,
        required=False,
        help_text=_("The office that allocated it, or the shop."),
    )
    signed_by = forms.CharField(label=_("signed by"), max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _restrict(self, "place", _places(self))
        _add_lines(self)

    def lines(self) -> list[Line]:
        return _lines(self)

    def header(self) -> dict[str, Any]:
        names = ("source", "place", "day", "supplier", "signed_by")
        return {name: self.cleaned_data.get(name) for name in names}


class LotChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]  # generic in the stubs
    """A lot named by its item, where it came from, when and its expiry."""

    def label_from_instance(self, obj: Any) -> str:
        lot: Lot = obj
        text = f"{lot.item.name} · {lot.get_source_display()} · {lot.received_on.isoformat()}"
        if lot.supplier:
            text += f" · {lot.supplier}"
        if lot.expiry:
            text += " · " + str(_("expires %(day)s") % {"day": lot.expiry.isoformat()})
        return text


class AdjustForm(ServiceForm):
    """A correction of one lot's stock in one place, with the reason and what was found."""

    place = forms.ModelChoiceField(label=_("place"), queryset=Place.objects.none())
    lot = LotChoiceField(label=_("lot"), queryset=Lot.objects.none())
    reason = forms.ChoiceField(label=_("reason"), choices=AdjustReason.choices)
    quantity = forms.IntegerField(
        label=_("change (base units)"),
        help_text=_("Negative for fewer: -3 when 3 bottles are missing or spoilt."),
    )
    day = forms.DateField(label=_("date"), widget=DATE_INPUT)
    note = forms.CharField(label=_("what was found"), max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _restrict(self, "place", _places(self))
        _restrict(
            self,
            "lot",
            Lot.objects.restrict(self.user)
            .filter(community=self.community)
            .select_related("item")
            .order_by("item__name", "received_on", "id"),
        )
