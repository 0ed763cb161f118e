"""The merchants pages' forms: they parse, the services check."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.forms import LocalDateTimeField, ServiceForm, field_of
from fangkong.core.input_bounds import BoundedForm
from fangkong.merchants.choices import (
    CheckItem,
    CheckResult,
    ComplaintKind,
    MerchantKind,
    MerchantStatus,
)
from fangkong.merchants.models import Merchant


class MerchantForm(ServiceForm):
    instance_fields = (
        "name",
        "kind",
        "address",
        "area",
        "licence_number",
        "contact_name",
        "takes_temperature",
        "notes",
    )

    name = forms.CharField(label=_("name"), max_length=100)
    kind = forms.ChoiceField(label=_("kind"), choices=MerchantKind.choices)
    address = forms.CharField(label=_("address"), max_length=200)
    area = forms.ModelChoiceField(
        label=_("community or grid"), queryset=Area.objects.none(), required=False
    )
    licence_number = forms.CharField(label=_("licence number"), max_length=40, required=False)
    contact_name = forms.CharField(label=_("contact person"), max_length=50, required=False)
    phone = forms.CharField(
        label=_("phone"),
        max_length=20,
        required=False,
        help_text=_("Left empty on an edit: the phone stays as it is."),
    )
    status = forms.ChoiceField(label=_("status"), choices=MerchantStatus.choices, required=False)
    takes_temperature = forms.BooleanField(
        label=_("takes temperatures at the door"), required=False
    )
    notes = forms.CharField(
        label=_("notes"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        areas = Area.objects.restrict(self.user).filter(
            level__in=[AreaLevel.COMMUNITY, AreaLevel.GRID]
        )
        field_of(self, "area", forms.ModelChoiceField).queryset = areas.order_by("path")
        if self.instance is not None:
            del self.fields["status"]

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        if self.instance is not None and not data.get("phone"):
            data.pop("phone", None)
        return data


class StatusForm(ServiceForm):
    status = forms.ChoiceField(label=_("new status"), choices=MerchantStatus.choices)
    on = forms.DateField(
        label=_("since"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class InspectionForm(ServiceForm):
    """The visit: the checklist as one choice per item (every item must be answered)."""

    visited_on = forms.DateField(
        label=_("visited on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    inspectors = forms.CharField(label=_("inspectors"), max_length=200, required=False)
    notice_delivered = forms.BooleanField(label=_("prevention notice delivered"), required=False)
    book_delivered = forms.BooleanField(label=_("registration book delivered"), required=False)
    signed_by = forms.CharField(label=_("signed for by"), max_length=50, required=False)
    notes = forms.CharField(
        label=_("notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    follow_up_days = forms.IntegerField(
        label=_("days to put failed items right"),
        min_value=1,
        max_value=60,
        initial=3,
        required=False,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in CheckItem:
            self.fields[f"check_{item.value}"] = forms.ChoiceField(
                label=item.label,
                choices=CheckResult.choices,
                widget=forms.RadioSelect,
                required=False,
            )
            self.fields[f"note_{item.value}"] = forms.CharField(
                label=_("note"), max_length=200, required=False
            )

    def check_fields(self) -> list[tuple[Any, Any]]:
        return [(self[f"check_{item.value}"], self[f"note_{item.value}"]) for item in CheckItem]

    def service_data(self) -> dict[str, Any]:
        data = {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in self.not_for_service and not k.startswith(("check_", "note_"))
        }
        checks: dict[str, Any] = {}
        for item in CheckItem:
            result = self.cleaned_data.get(f"check_{item.value}")
            if result:
                checks[item.value] = (result, self.cleaned_data.get(f"note_{item.value}", ""))
        data["checks"] = checks
        return data


class CloseForm(ServiceForm):
    note = forms.CharField(label=_("how it was put right"), max_length=200)


class NoticeTemplateForm(ServiceForm):
    instance_fields = ("title", "body", "contact")

    title = forms.CharField(label=_("title"), max_length=100)
    body = forms.CharField(
        label=_("text"),
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=4000,
    )
    contact = forms.CharField(label=_("community contact"), max_length=100, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from fangkong.merchants.services import PLACEHOLDERS

        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = (
            _("%(shop)s becomes the shop's name, %(date)s the date and %(contact)s the contact.")
            % PLACEHOLDERS
        )


class NoticeForm(ServiceForm):
    delivered_on = forms.DateField(
        label=_("delivered on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    signed_by = forms.CharField(label=_("signed for by"), max_length=50)
    with_book = forms.BooleanField(label=_("registration book delivered with it"), required=False)


class ComplaintForm(ServiceForm):
    kind = forms.ChoiceField(label=_("kind"), choices=ComplaintKind.choices)
    received_on = forms.DateField(
        label=_("received on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        label=_("description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ComplaintCloseForm(ServiceForm):
    outcome = forms.CharField(label=_("outcome"), max_length=200)


class SignInForm(BoundedForm):
    """The two fields a customer fills at the door (and the temperature where asked)."""

    name = forms.CharField(label=_("name"), max_length=50)
    phone = forms.CharField(
        label=_("phone"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    temperature = forms.CharField(
        label=_("temperature (°C)"),
        max_length=5,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )

    def __init__(self, *args: Any, merchant: Merchant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        if merchant.takes_temperature:
            self.fields["temperature"].required = True
        else:
            del self.fields["temperature"]


class RegisterSearchForm(ServiceForm):
    merchant = forms.ModelChoiceField(label=_("shop"), queryset=Merchant.objects.none())
    start = LocalDateTimeField(label=_("from"))
    end = LocalDateTimeField(label=_("until"))
    reason = forms.CharField(label=_("reason"), max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "merchant", forms.ModelChoiceField).queryset = Merchant.objects.restrict(
            self.user
        ).order_by("name")
