"""The inquiry and FAQ forms: they parse input; the services check it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.accounts.models import User
from fangkong.core.forms import DATE_INPUT, LocalDateTimeField, ServiceForm, field_of
from fangkong.inquiries.choices import Category, Channel
from fangkong.inquiries.pickers import (
    HANDLER_ROLES,
    households_of,
    offer_people,
    people_of,
    staff_of,
)
from fangkong.inquiries.services import ANSWER_MAX, QUESTION_MAX
from fangkong.registry.models import Household, Person


def _long(label: Any, maximum: int, *, required: bool = True, rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=maximum,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class InquiryForm(ServiceForm):
    """A new inquiry: what was asked and how, who asked (optional), and the answer if it was
    given at once."""

    question = _long(_("question"), QUESTION_MAX)
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices[:3])
    answer = _long(_("answer (if given at once)"), ANSWER_MAX, required=False, rows=3)
    person = forms.ModelChoiceField(
        label=_("who asked"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.RadioSelect,
    )
    household = forms.ModelChoiceField(
        queryset=Household.objects.none(), required=False, widget=forms.HiddenInput
    )
    received_at = LocalDateTimeField(label=_("received at"), required=False)
    handler = forms.ModelChoiceField(
        label=_("handler"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, found: list[Person] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        community = self.community
        offer_people(self, "person", people_of(self.user, community), found or [])
        if not field_of(self, "person", forms.ModelChoiceField).widget.choices:
            self.fields["person"].widget = forms.HiddenInput()
        field_of(self, "household", forms.ModelChoiceField).queryset = households_of(
            self.user, community
        )
        field_of(self, "handler", forms.ModelChoiceField).queryset = staff_of(
            community, HANDLER_ROLES
        )


class InquiryEditForm(ServiceForm):
    instance_fields = ("question", "category", "channel", "handler")

    question = _long(_("question"), QUESTION_MAX)
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    channel = forms.ChoiceField(label=_("channel"), choices=Channel.choices)
    handler = forms.ModelChoiceField(
        label=_("handler"), queryset=User.objects.none(), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "handler", forms.ModelChoiceField).queryset = staff_of(
            self.community, HANDLER_ROLES
        )


class AnswerForm(ServiceForm):
    instance_fields = ("answer",)

    answer = _long(_("answer"), ANSWER_MAX)


class FollowUpForm(ServiceForm):
    follow_up_on = forms.DateField(label=_("call back by"), widget=DATE_INPUT)
    note = forms.CharField(label=_("what to do"), max_length=500, required=False)


class FaqForm(ServiceForm):
    instance_fields = ("question", "answer", "category", "published")

    question = _long(_("question"), QUESTION_MAX, rows=2)
    answer = _long(_("answer"), ANSWER_MAX)
    category = forms.ChoiceField(label=_("category"), choices=Category.choices)
    published = forms.BooleanField(label=_("published to residents"), required=False)


class AskForm(forms.Form):
    """A question typed on the household's own page (the self-service app shows it)."""

    question = _long(_("your question"), QUESTION_MAX, rows=3)
    category = forms.ChoiceField(label=_("about"), choices=Category.choices, required=False)
