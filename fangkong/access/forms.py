"""Forms of the access pages. They parse input; the services validate and save."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.access.choices import ExemptionKind, PassScope
from fangkong.access.services import checkpoints_for
from fangkong.core.dates import validate_date_range
from fangkong.core.forms import DATE_INPUT, DATETIME_INPUT, ServiceForm
from fangkong.core.widgets import id_number_input, phone_input
from fangkong.registry.models import Building, Household, Person
from fangkong.staff.models import Checkpoint

if TYPE_CHECKING:
    _PersonChoice = forms.ModelChoiceField[Person]
else:
    # Django's form fields take no type arguments at run time (only in the stubs).
    _PersonChoice = forms.ModelChoiceField


class PolicyForm(ServiceForm):
    instance_fields = (
        "outings",
        "window_days",
        "max_minutes",
        "visitors_allowed",
        "pass_scope",
        "version",
    )

    outings = forms.IntegerField(
        label=gettext_lazy("outings per period"), min_value=1, max_value=50
    )
    window_days = forms.IntegerField(
        label=gettext_lazy("period in calendar days"),
        min_value=1,
        max_value=31,
        help_text=gettext_lazy(
            "One outing in two days: out on Monday, next allowed from Wednesday 00:00."
        ),
    )
    max_minutes = forms.IntegerField(
        label=gettext_lazy("maximum time out (minutes)"),
        min_value=10,
        max_value=24 * 60,
        required=False,
        help_text=gettext_lazy("Leave empty for no limit."),
    )
    visitors_allowed = forms.BooleanField(label=gettext_lazy("visitors allowed"), required=False)
    pass_scope = forms.ChoiceField(label=gettext_lazy("passes"), choices=PassScope.choices)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class IssueForm(ServiceForm):
    building = forms.ModelChoiceField(
        label=gettext_lazy("building"),
        queryset=Building.objects.none(),
        required=False,
        empty_label=gettext_lazy("The whole community"),
        help_text=gettext_lazy("Households that already hold a working pass are skipped."),
    )

    def __init__(self, *args: Any, community: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # ``fields`` is typed as plain ``Field``s: this is the one declared above.
        buildings = cast("forms.ModelChoiceField[Building]", self.fields["building"])
        visible = (
            Building.objects.none() if self.user is None else Building.objects.restrict(self.user)
        )
        buildings.queryset = visible.filter(community=community)


class ReasonForm(ServiceForm):
    reason = forms.CharField(
        label=gettext_lazy("reason"),
        max_length=200,
        error_messages={"required": gettext_lazy("Give a reason.")},
    )


class SuspendForm(ServiceForm):
    reason = forms.CharField(
        label=gettext_lazy("reason"),
        max_length=300,
        help_text=gettext_lazy(
            'For the office only: the gate says just "suspended, please contact the community".'
        ),
    )
    until = forms.DateTimeField(
        label=gettext_lazy("until"),
        required=False,
        widget=DATETIME_INPUT,
        help_text=gettext_lazy("Leave empty to suspend until lifted."),
    )


class PersonChoiceField(_PersonChoice):
    def label_from_instance(self, obj: Person) -> str:
        return obj.name


class ExemptionForm(ServiceForm):
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=ExemptionKind.choices)
    person = PersonChoiceField(
        label=gettext_lazy("person"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=gettext_lazy("The whole household"),
    )
    document = forms.CharField(
        label=gettext_lazy("document"),
        max_length=200,
        help_text=gettext_lazy("What was shown: an employer's letter, a hospital's appointment..."),
    )
    starts_on = forms.DateField(label=gettext_lazy("from"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=gettext_lazy("until"), widget=DATE_INPUT)
    notes = forms.CharField(label=gettext_lazy("notes"), required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, household: Household | None = None, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "starts_on": timezone.localdate(),
                "ends_on": timezone.localdate() + dt.timedelta(days=14),
            },
        )
        super().__init__(*args, **kwargs)
        if household is not None:
            person = cast(PersonChoiceField, self.fields["person"])
            person.queryset = Person.objects.filter(household=household)


class VisitorForm(ServiceForm):
    """A visitor at the gate: the household visited is found by building, unit and room."""

    checkpoint = forms.ModelChoiceField(
        label=gettext_lazy("checkpoint"), queryset=checkpoints_for(None)
    )
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    phone = forms.CharField(
        label=gettext_lazy("phone"), max_length=20, required=False, widget=phone_input()
    )
    id_number = forms.CharField(
        label=gettext_lazy("ID number"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("Optional."),
        widget=id_number_input(),
    )
    building = forms.ModelChoiceField(
        label=gettext_lazy("building"), queryset=Building.objects.none()
    )
    unit = forms.IntegerField(label=gettext_lazy("unit"), min_value=1, initial=1)
    room = forms.CharField(label=gettext_lazy("room"), max_length=20)
    purpose = forms.CharField(label=gettext_lazy("purpose"), max_length=200)
    plate = forms.CharField(label=gettext_lazy("vehicle plate"), max_length=20, required=False)
    temperature = forms.DecimalField(
        label=gettext_lazy("temperature"),
        max_digits=3,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.1", "inputmode": "decimal"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        checkpoints = checkpoints_for(self.user)
        # ``fields`` is typed as plain ``Field``s: these are the ones declared above.
        cast("forms.ModelChoiceField[Checkpoint]", self.fields["checkpoint"]).queryset = checkpoints
        communities = checkpoints.values("community")
        buildings = cast("forms.ModelChoiceField[Building]", self.fields["building"])
        buildings.queryset = Building.objects.filter(community__in=communities)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        building, unit, room = data.get("building"), data.get("unit"), data.get("room")
        if building is not None and unit and room:
            household = Household.objects.filter(
                building=building, unit=unit, room=room.strip(), is_active=True
            ).first()
            if household is None:
                self.add_error("room", _("No occupied household in this room."))
            data["household"] = household
        return data


class ConfirmForm(ServiceForm):
    confirmed_by = forms.CharField(
        label=gettext_lazy("confirmed by"),
        max_length=100,
        error_messages={"required": gettext_lazy("Who in the household confirmed?")},
        help_text=gettext_lazy("Who in the household said yes on the phone."),
    )


class ReportForm(ServiceForm):
    since = forms.DateField(
        label=gettext_lazy("from"),
        widget=DATE_INPUT,
        required=False,
        validators=[validate_date_range],
    )
    until = forms.DateField(
        label=gettext_lazy("until"),
        widget=DATE_INPUT,
        required=False,
        validators=[validate_date_range],
    )
