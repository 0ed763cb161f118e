"""Forms of the household page (posted without JavaScript) and of the staff pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.core.forms import ServiceForm
from fangkong.registry.choices import Sex
from fangkong.selfservice.choices import CorrectionKind


class ReportForm(ServiceForm):
    """One member's temperature (the member is a hidden field of the member's own form)."""

    person = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    temperature = forms.DecimalField(
        label=_("temperature (°C)"),
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )
    symptoms = forms.MultipleChoiceField(
        label=_("symptoms"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=(),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from fangkong.health.choices import Symptom

        super().__init__(*args, **kwargs)
        symptoms = self.fields["symptoms"]
        assert isinstance(symptoms, forms.MultipleChoiceField)
        symptoms.choices = Symptom.choices


class AskForm(ServiceForm):
    """A question for the community office; its answer shows on the household page."""

    question = forms.CharField(
        label=_("your question"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Write your question.")},
    )
    category = forms.ChoiceField(label=_("what it is about"), required=False, choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from fangkong.inquiries.choices import Category

        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        assert isinstance(category, forms.ChoiceField)
        category.choices = Category.choices


class CorrectionForm(ServiceForm):
    """What the household asks to change; the fields needed depend on ``kind``."""

    kind = forms.ChoiceField(
        label=_("what changed"), choices=CorrectionKind.choices, widget=forms.RadioSelect
    )
    person_id = forms.TypedChoiceField(
        label=_("member"), required=False, coerce=int, empty_value=None, choices=()
    )
    phone = forms.CharField(label=_("new phone number"), required=False, max_length=20)
    date = forms.DateField(
        label=_("moved out on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    building = forms.CharField(label=_("new building number"), required=False, max_length=20)
    unit = forms.IntegerField(label=_("unit"), required=False, min_value=1, max_value=99)
    room = forms.CharField(label=_("room"), required=False, max_length=20)
    name = forms.CharField(label=_("baby's name"), required=False, max_length=100)
    sex = forms.ChoiceField(
        label=_("sex"),
        required=False,
        choices=[("", "—"), (Sex.MALE, Sex.MALE.label), (Sex.FEMALE, Sex.FEMALE.label)],
    )
    birth_date = forms.DateField(
        label=_("birth date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    note = forms.CharField(label=_("note"), required=False, max_length=200)

    def __init__(
        self, *args: Any, members: list[tuple[int, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        person = self.fields["person_id"]
        assert isinstance(person, forms.TypedChoiceField)
        person.choices = [("", _("the household's phone")), *(members or [])]


class ReasonForm(ServiceForm):
    reason = forms.CharField(
        label=_("reason"),
        max_length=200,
        error_messages={"required": _("Give a reason the household will read.")},
    )


class RevokeForm(ServiceForm):
    reason = forms.CharField(label=_("reason"), max_length=200, required=False)


class PhoneForm(ServiceForm):
    phone = forms.CharField(
        label=_("the household's phone number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


class CodeForm(ServiceForm):
    code = forms.CharField(
        label=_("the code in the message"),
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
