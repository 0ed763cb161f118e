"""Forms of the health pages. They parse input; the services check and save.

Status changes share one block of fields — the reason (offered from the closed list that
fits the action), the kind of evidence and its reference, and a note — so every page that
changes a status asks the same three questions the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, pgettext_lazy

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.forms import DATE_INPUT, DATETIME_INPUT, ServiceForm
from fangkong.core.input_bounds import BoundedForm
from fangkong.core.widgets import id_number_input, phone_input
from fangkong.health.choices import (
    REASONS_FOR,
    ChangeAction,
    ChangeReason,
    Classification,
    ContactKind,
    Disinfectant,
    EvidenceKind,
    Outcome,
    PlaceKind,
    QuarantineKind,
    Symptom,
    TakenTo,
)
from fangkong.health.models import HealthPolicy
from fangkong.health.services.common import EvidenceFields
from fangkong.registry.choices import PersonStatus
from fangkong.registry.models import Building, Person

if TYPE_CHECKING:
    from fangkong.staff.models import Checkpoint


def _blank(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [("", "---------"), *choices]


class EvidenceForm(ServiceForm):
    """The reason, the evidence and a note: what every status change carries."""

    action: str = ""

    reason = forms.ChoiceField(label=gettext_lazy("reason"), choices=())
    evidence_kind = forms.ChoiceField(
        label=gettext_lazy("kind of evidence"), choices=_blank(EvidenceKind.choices)
    )
    evidence_ref = forms.CharField(
        label=gettext_lazy("evidence reference"),
        max_length=200,
        help_text=gettext_lazy(
            "The test report number, the contact link or the official "
            "notice number this change rests on."
        ),
    )
    note = forms.CharField(label=gettext_lazy("note"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(ChangeReason.choices)
        reason_field = self.fields["reason"]
        assert isinstance(reason_field, forms.ChoiceField)  # declared above
        reason_field.choices = _blank(
            [(code, labels[code]) for code in REASONS_FOR.get(self.action, ())]
        )

    def evidence(self) -> EvidenceFields:
        data = self.cleaned_data
        return {
            "reason": data["reason"],
            "evidence_kind": data["evidence_kind"],
            "evidence_ref": data["evidence_ref"],
            "note": data.get("note") or "",
        }


# --- Cases ----------------------------------------------------------------------------------


class CaseDetailsForm(ServiceForm):
    """Dates, where the case was taken, and notes (what changes without evidence)."""

    onset_date = forms.DateField(
        label=gettext_lazy("onset date"), required=False, widget=DATE_INPUT
    )
    report_date = forms.DateField(
        label=gettext_lazy("report date"), widget=DATE_INPUT, initial=timezone.localdate
    )
    confirmation_date = forms.DateField(
        label=gettext_lazy("confirmation date"), required=False, widget=DATE_INPUT
    )
    isolated_on = forms.DateField(
        label=gettext_lazy("isolated or admitted on"),
        required=False,
        widget=DATE_INPUT,
        help_text=gettext_lazy("Contacts' last exposure cannot be later than this day."),
    )
    taken_to = forms.ChoiceField(
        label=gettext_lazy("taken to"), required=False, choices=_blank(TakenTo.choices)
    )
    taken_to_name = forms.CharField(
        label=gettext_lazy("hospital or site"), max_length=100, required=False
    )
    notes = forms.CharField(label=gettext_lazy("notes"), widget=forms.Textarea, required=False)

    instance_fields = (
        "onset_date",
        "report_date",
        "confirmation_date",
        "isolated_on",
        "taken_to",
        "taken_to_name",
        "notes",
    )

    def details(self) -> dict[str, Any]:
        return {k: self.cleaned_data.get(k) for k in self.instance_fields}


class CaseOpenForm(EvidenceForm, CaseDetailsForm):
    action = ChangeAction.CASE_OPEN

    classification = forms.ChoiceField(
        label=gettext_lazy("classification"),
        choices=[c for c in Classification.choices if c[0] != Classification.EXCLUDED],
    )
    field_order = [
        "classification",
        "onset_date",
        "report_date",
        "confirmation_date",
        "isolated_on",
        "taken_to",
        "taken_to_name",
        "reason",
        "evidence_kind",
        "evidence_ref",
        "note",
        "notes",
    ]


class ClassifyForm(EvidenceForm):
    action = ChangeAction.CASE_CLASSIFY

    classification = forms.ChoiceField(
        label=gettext_lazy("classification"), choices=Classification.choices
    )
    confirmation_date = forms.DateField(
        label=gettext_lazy("confirmation date"), required=False, widget=DATE_INPUT
    )
    field_order = [
        "classification",
        "confirmation_date",
        "reason",
        "evidence_kind",
        "evidence_ref",
        "note",
    ]


class OutcomeForm(EvidenceForm):
    action = ChangeAction.CASE_OUTCOME

    outcome = forms.ChoiceField(label=pgettext_lazy("case", "outcome"), choices=Outcome.choices)
    outcome_date = forms.DateField(
        label=gettext_lazy("outcome date"), widget=DATE_INPUT, initial=timezone.localdate
    )
    field_order = ["outcome", "outcome_date", "reason", "evidence_kind", "evidence_ref", "note"]


#: People offered by one search of the contact picker; a longer list asks for more letters.
PICK_LIMIT = 20


def pick_label(person: Person) -> str:
    """How the picker names a person: name, age, room, and the ID number masked (the health
    officer never sees it whole, so it tells namesakes apart without revealing it)."""
    parts = [person.name]
    if person.age is not None:
        parts.append(gettext("%(age)s years") % {"age": person.age})
    if person.household is not None:
        parts.append(person.household.label)
    if person.id_number_mask:
        parts.append(person.id_number_mask)
    return " · ".join(str(p) for p in parts)


def contact_candidates(user: Any, case: Any) -> Any:
    """Whom a case's contact may be picked from: active people of the case's community in
    the user's scope, the case's person excepted."""
    return (
        Person.objects.restrict(user)
        .filter(community_id=case.community_id, status=PersonStatus.ACTIVE)
        .exclude(pk=case.person_id)
    )


class ContactForm(ServiceForm):
    """Someone picked by name, pinyin or room, a member of the case's household, someone of
    this community found by ID number, or someone of another community to hand over."""

    person = forms.ModelChoiceField(
        label=gettext_lazy("contact found"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.RadioSelect,
        empty_label=None,
    )
    kind = forms.ChoiceField(label=gettext_lazy("kind of contact"), choices=ContactKind.choices)
    last_exposure = forms.DateField(label=gettext_lazy("last exposure"), widget=DATE_INPUT)
    how = forms.CharField(label=gettext_lazy("how it happened"), max_length=300, required=False)
    member = forms.ModelChoiceField(
        label=gettext_lazy("member of the case's household"),
        queryset=Person.objects.none(),
        required=False,
    )
    id_number = forms.CharField(
        label=gettext_lazy("ID number"),
        max_length=40,
        required=False,
        widget=id_number_input(),
        help_text=gettext_lazy(
            "Finds the person in this community, or in the other community chosen below."
        ),
    )
    other_community = forms.ModelChoiceField(
        label=gettext_lazy("lives in another community"),
        queryset=Area.objects.none(),
        required=False,
        help_text=gettext_lazy("The contact is handed over to that community's officer."),
    )
    name = forms.CharField(
        label=gettext_lazy("name"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("For a contact of another community."),
    )
    phone = forms.CharField(
        label=gettext_lazy("phone"),
        max_length=20,
        required=False,
        widget=phone_input(),
    )

    def __init__(
        self, *args: Any, case: Any = None, found: list[Person] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if self.user is None:
            raise TypeError("ContactForm needs the user: its members are those they may see")
        member_field, other_field = self.fields["member"], self.fields["other_community"]
        assert isinstance(member_field, forms.ModelChoiceField)  # declared above
        assert isinstance(other_field, forms.ModelChoiceField)
        if found and case is not None:
            # Offered: this search's results; accepted: anyone the picker could have found
            # (a result of the search typed before the page was reloaded is still valid).
            field = self.fields["person"]
            assert isinstance(field, forms.ModelChoiceField)  # declared above
            field.queryset = contact_candidates(self.user, case)
            field.widget.choices = [(p.pk, pick_label(p)) for p in found]
            self.order_fields(["person"])
        else:
            del self.fields["person"]
        if case is not None and case.household_id:
            member_field.queryset = (
                Person.objects.restrict(self.user)
                .filter(
                    household_id=case.household_id,
                    status=PersonStatus.ACTIVE,
                )
                .exclude(pk=case.person_id)
            )
        if case is not None:
            # The communities of the same city, the case's own excepted.
            city = Area.objects.get(pk=case.community.ancestor_ids()[0])
            other_field.queryset = (
                city.descendants()
                .filter(
                    level=AreaLevel.COMMUNITY,
                )
                .exclude(pk=case.community_id)
                .order_by("path")
            )
            self.fields["last_exposure"].initial = case.isolated_on or case.report_date

    def clean(self) -> dict[str, Any]:
        # Form.clean returns cleaned_data (the stubs allow None, for subclasses that do).
        super().clean()
        data = self.cleaned_data
        chosen = [
            bool(data.get("person")),
            bool(data.get("member")),
            bool(data.get("other_community")),
            bool(data.get("id_number")) and not data.get("other_community"),
        ]
        if not any(chosen):
            raise forms.ValidationError(
                gettext_lazy(
                    "Find the contact by name, pinyin or room and choose them, choose a member "
                    "of the household, give an ID number, or choose the other community the "
                    "contact lives in."
                )
            )
        return data


# --- Quarantines ----------------------------------------------------------------------------


class QuarantineStartForm(EvidenceForm):
    action = ChangeAction.QUARANTINE_START

    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=QuarantineKind.choices)
    site = forms.CharField(
        label=gettext_lazy("quarantine site"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("For a centralised quarantine."),
    )
    start_date = forms.DateField(
        label=gettext_lazy("start"), widget=DATE_INPUT, initial=timezone.localdate
    )
    last_exposure = forms.DateField(
        label=gettext_lazy("last exposure"),
        required=False,
        widget=DATE_INPUT,
        help_text=gettext_lazy("The planned end counts from here; left blank, from the start."),
    )
    period_days = forms.IntegerField(
        label=gettext_lazy("period (days)"),
        min_value=1,
        max_value=60,
        required=False,
        help_text=gettext_lazy("Left blank: the community's period."),
    )
    field_order = [
        "kind",
        "site",
        "start_date",
        "last_exposure",
        "period_days",
        "reason",
        "evidence_kind",
        "evidence_ref",
        "note",
    ]

    def __init__(self, *args: Any, policy: HealthPolicy | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if policy is not None:
            self.fields["period_days"].help_text = gettext_lazy(
                "Left blank: %(q)s days for a quarantine, %(m)s for monitoring."
            ) % {"q": policy.quarantine_days, "m": policy.monitoring_days}


class EndDateForm(EvidenceForm):
    """Extend or shorten: the reasons offered are those of both; the service decides which
    the new date makes it and checks the reason fits."""

    action = ChangeAction.QUARANTINE_EXTEND

    new_end = forms.DateField(label=gettext_lazy("new planned end"), widget=DATE_INPUT)
    field_order = ["new_end", "reason", "evidence_kind", "evidence_ref", "note"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(ChangeReason.choices)
        codes = dict.fromkeys(
            [
                *REASONS_FOR[ChangeAction.QUARANTINE_EXTEND],
                *REASONS_FOR[ChangeAction.QUARANTINE_REDUCE],
            ]
        )
        reason_field = self.fields["reason"]
        assert isinstance(reason_field, forms.ChoiceField)  # declared on EvidenceForm
        reason_field.choices = _blank([(c, labels[c]) for c in codes])


class EndForm(EvidenceForm):
    action = ChangeAction.QUARANTINE_END

    ended_on = forms.DateField(
        label=gettext_lazy("ended on"), widget=DATE_INPUT, initial=timezone.localdate
    )
    field_order = ["ended_on", "reason", "evidence_kind", "evidence_ref", "note"]


# --- Reports --------------------------------------------------------------------------------


class ReportForm(ServiceForm):
    temperature = forms.CharField(
        label=gettext_lazy("temperature (°C)"),
        max_length=5,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "placeholder": "36.5"}
        ),
    )
    symptoms = forms.MultipleChoiceField(
        label=gettext_lazy("symptoms"),
        choices=Symptom.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    taken_at = forms.DateTimeField(
        label=gettext_lazy("taken at"),
        required=False,
        widget=DATETIME_INPUT,
        help_text=gettext_lazy("Left blank: now."),
    )
    notes = forms.CharField(label=gettext_lazy("notes"), max_length=300, required=False)


# --- Disinfection ---------------------------------------------------------------------------


class DisinfectionForm(ServiceForm):
    place_kind = forms.ChoiceField(label=gettext_lazy("place"), choices=PlaceKind.choices)
    building = forms.ModelChoiceField(
        label=gettext_lazy("building"), queryset=Building.objects.none(), required=False
    )
    unit = forms.IntegerField(label=gettext_lazy("unit"), min_value=1, required=False)
    # Its queryset is set in __init__, where staff's Checkpoint is imported (health's
    # modules do not import staff's when they load).
    checkpoint: forms.ModelChoiceField[Checkpoint] = forms.ModelChoiceField(
        label=gettext_lazy("gate"), queryset=None, required=False
    )
    place_name = forms.CharField(
        label=gettext_lazy("place name"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("For a public area or a shop."),
    )
    done_at = forms.DateTimeField(
        label=gettext_lazy("done at"),
        required=False,
        widget=DATETIME_INPUT,
        help_text=gettext_lazy("Left blank: now."),
    )
    agent = forms.ChoiceField(label=gettext_lazy("disinfectant"), choices=Disinfectant.choices)
    concentration = forms.CharField(
        label=gettext_lazy("concentration"),
        max_length=50,
        required=False,
        help_text=gettext_lazy("For example 500 mg/L."),
    )
    operator = forms.CharField(label=gettext_lazy("done by"), max_length=100)
    notes = forms.CharField(label=gettext_lazy("notes"), max_length=300, required=False)

    def __init__(self, *args: Any, community: Area | None = None, **kwargs: Any) -> None:
        from fangkong.staff.models import Checkpoint

        super().__init__(*args, **kwargs)
        if self.user is None:
            raise TypeError("DisinfectionForm needs the user: its buildings are those they may see")
        buildings = Building.objects.restrict(self.user)
        gates = Checkpoint.objects.none()
        if community is not None:
            buildings = buildings.filter(community=community)
            gates = Checkpoint.objects.filter(community=community)
        building_field, gate_field = self.fields["building"], self.fields["checkpoint"]
        assert isinstance(building_field, forms.ModelChoiceField)  # declared above
        assert isinstance(gate_field, forms.ModelChoiceField)
        building_field.queryset = buildings
        gate_field.queryset = gates


class PolicyForm(ServiceForm):
    quarantine_days = forms.IntegerField(
        label=gettext_lazy("quarantine period (days)"), min_value=1, max_value=60
    )
    monitoring_days = forms.IntegerField(
        label=gettext_lazy("health monitoring period (days)"), min_value=1, max_value=60
    )
    reports_per_day = forms.IntegerField(
        label=gettext_lazy("temperature reports a day"), min_value=1, max_value=4
    )
    disinfection_days = forms.IntegerField(
        label=gettext_lazy("disinfection interval (days)"), min_value=1, max_value=30
    )


class DecisionForm(BoundedForm):
    note = forms.CharField(label=gettext_lazy("Note"), max_length=300, required=False)
