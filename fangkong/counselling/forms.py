"""The counselling forms: they parse input; the services check it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.accounts.models import User
from fangkong.core.forms import DATE_INPUT, LocalDateTimeField, ServiceForm, field_of
from fangkong.counselling.choices import RiskLevel, SessionMode
from fangkong.counselling.services import NOTES_MAX, REFERRAL_MAX
from fangkong.inquiries.pickers import COUNSELLOR_ROLES, offer_people, people_of, staff_of
from fangkong.registry.models import Person


def _counsellor_field() -> forms.ModelChoiceField[User]:
    return forms.ModelChoiceField(label=_("counsellor"), queryset=User.objects.none())


class CaseOpenForm(ServiceForm):
    person = forms.ModelChoiceField(
        label=_("person"), queryset=Person.objects.none(), widget=forms.RadioSelect
    )
    counsellor = _counsellor_field()
    risk_level = forms.ChoiceField(label=_("risk level"), choices=RiskLevel.choices)
    opened_on = forms.DateField(label=_("opened on"), widget=DATE_INPUT, required=False)

    def __init__(self, *args: Any, found: list[Person] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_people(self, "person", people_of(self.user, self.community), found or [])
        field_of(self, "counsellor", forms.ModelChoiceField).queryset = staff_of(
            self.community, COUNSELLOR_ROLES
        )


class CaseEditForm(ServiceForm):
    instance_fields = ("counsellor", "risk_level")

    counsellor = _counsellor_field()
    risk_level = forms.ChoiceField(label=_("risk level"), choices=RiskLevel.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "counsellor", forms.ModelChoiceField).queryset = staff_of(
            self.community, COUNSELLOR_ROLES
        )


class ReferForm(ServiceForm):
    referral_to = forms.CharField(label=_("referred to"), max_length=REFERRAL_MAX)
    referred_on = forms.DateField(label=_("referred on"), widget=DATE_INPUT, required=False)


class SessionForm(ServiceForm):
    mode = forms.ChoiceField(label=_("how"), choices=SessionMode.choices)
    held_at = LocalDateTimeField(label=_("held at"), required=False)
    notes = forms.CharField(
        label=_("notes"), max_length=NOTES_MAX, required=False, widget=forms.Textarea
    )
    follow_up_on = forms.DateField(label=_("follow up by"), widget=DATE_INPUT, required=False)
