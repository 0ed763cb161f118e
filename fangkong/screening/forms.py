"""Forms of the screening pages. They parse input; the services validate and save.

The answer form is built from a questionnaire version's questions. Its fields only carry
what was typed (so it can be shown again after a refusal or a conflict): what an answer is
worth is decided by ``questionnaires.clean_answers`` inside the service, the same check the
API and the import go through.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypedDict, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.accounts.models import User
from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.forms import DATE_INPUT, ServiceForm
from fangkong.core.input_bounds import BoundedForm
from fangkong.outreach.models import NotificationScript, NotificationScriptVersion
from fangkong.registry.models import Building, Person
from fangkong.screening.choices import (
    CHOICE_KINDS,
    AlertKind,
    AlertLevel,
    AlertStatus,
    CampaignKind,
    CampaignUnit,
    QuestionKind,
)
from fangkong.screening.masking import mask_name
from fangkong.screening.models import CallAttempt, Campaign, Questionnaire
from fangkong.screening.questionnaires import QuestionSpec, parse_choice

if TYPE_CHECKING:
    from fangkong.accounts.models import User

    _AreaChoices = forms.ModelMultipleChoiceField[Area]
    _UserChoice = forms.ModelChoiceField[User]
    _VersionChoice = forms.ModelChoiceField[NotificationScriptVersion]
else:
    # Django's form fields take no type arguments at run time (only in the stubs).
    _AreaChoices = forms.ModelMultipleChoiceField
    _UserChoice = forms.ModelChoiceField
    _VersionChoice = forms.ModelChoiceField

SHIPPED = "shipped"


# --- Campaigns ------------------------------------------------------------------------------


class GridChoiceField(_AreaChoices):
    def label_from_instance(self, obj: Area) -> str:
        return obj.name


class ScriptVersionField(_VersionChoice):
    def label_from_instance(self, obj: NotificationScriptVersion) -> str:
        return _("%(title)s (version %(number)s, from %(area)s)") % {
            "title": obj.script.title,
            "number": obj.number,
            "area": obj.script.area.name,
        }


class CampaignForm(ServiceForm):
    name = forms.CharField(label=gettext_lazy("name"), max_length=200)
    questionnaire = forms.ModelChoiceField(
        label=gettext_lazy("questionnaire"), queryset=Questionnaire.objects.none()
    )
    unit = forms.ChoiceField(
        label=gettext_lazy("records"), choices=CampaignUnit.choices, initial=CampaignUnit.HOUSEHOLD
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("kind"),
        choices=CampaignKind.choices,
        initial=CampaignKind.SCREENING,
        required=False,  # a form that does not send it (a script, an old page) screens
    )
    script_version = ScriptVersionField(
        label=gettext_lazy("call script"),
        queryset=NotificationScriptVersion.objects.none(),
        required=False,
        help_text=gettext_lazy(
            "What the caller says, from the script library: shown on every household's call screen."
        ),
    )
    starts_on = forms.DateField(label=gettext_lazy("starts on"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=gettext_lazy("ends on"), widget=DATE_INPUT)
    retry_delay_minutes = forms.IntegerField(
        label=gettext_lazy("retry after (minutes)"),
        min_value=1,
        max_value=7 * 24 * 60,
        initial=120,
        help_text=gettext_lazy("A household not reached is offered again after this delay."),
    )
    max_attempts = forms.IntegerField(
        label=gettext_lazy("failed calls before a door visit"),
        min_value=1,
        max_value=10,
        initial=3,
    )
    grids = GridChoiceField(
        label=gettext_lazy("only these grids"),
        queryset=Area.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("Leave empty for the whole area."),
    )
    buildings = forms.ModelMultipleChoiceField(
        label=gettext_lazy("only these buildings"),
        queryset=Building.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    fields_when_running = (
        "name",
        "script_version",
        "ends_on",
        "retry_delay_minutes",
        "max_attempts",
        "version",
    )

    def __init__(
        self, *args: Any, user: User, area: Area, instance: Campaign | None = None, **kwargs: Any
    ) -> None:
        if instance is not None:
            initial = {
                name: getattr(instance, name)
                for name in (
                    "name",
                    "questionnaire",
                    "unit",
                    "kind",
                    "script_version",
                    "starts_on",
                    "ends_on",
                    "retry_delay_minutes",
                    "max_attempts",
                )
            }
            initial.update(
                version=instance.version,
                grids=list(instance.grids.all()),
                buildings=list(instance.buildings.all()),
            )
            kwargs["initial"] = {**initial, **(kwargs.get("initial") or {})}
        else:
            today = timezone.localdate()
            kwargs["initial"] = {
                "starts_on": today,
                "ends_on": today + dt.timedelta(days=14),
                **(kwargs.get("initial") or {}),
            }
        super().__init__(*args, **kwargs)
        self.instance = instance
        # ``fields`` is typed as plain ``Field``s: these are the ones declared above.
        questionnaire = cast("forms.ModelChoiceField[Questionnaire]", self.fields["questionnaire"])
        questionnaire.queryset = Questionnaire.objects.restrict(user).filter(
            area_id__in=area.ancestor_ids()
        )
        # The current version of every script used in the area (its own, its street's),
        # and the one the campaign reads already.
        scripts = NotificationScript.objects.restrict(user).filter(
            reach_id__in=area.ancestor_ids(), current__isnull=False
        )
        versions = Q(pk__in=scripts.values("current_id"))
        if instance is not None and instance.script_version_id is not None:
            versions |= Q(pk=instance.script_version_id)
        cast(
            ScriptVersionField, self.fields["script_version"]
        ).queryset = NotificationScriptVersion.objects.filter(versions).select_related(
            "script__area"
        )
        grids = area.descendants(include_self=True).filter(level=AreaLevel.GRID)
        cast(GridChoiceField, self.fields["grids"]).queryset = grids.order_by("path")
        buildings = cast("forms.ModelMultipleChoiceField[Building]", self.fields["buildings"])
        if area.level == AreaLevel.COMMUNITY:
            buildings.queryset = Building.objects.filter(community=area)
        elif area.level == AreaLevel.GRID:
            buildings.queryset = Building.objects.filter(grid=area)
        else:
            del self.fields["buildings"]  # a district picks grids or communities, not buildings
        if instance is not None and instance.status != "draft":
            for name in list(self.fields):
                if name not in self.fields_when_running:
                    del self.fields[name]

    def service_data(self) -> dict[str, Any]:
        data = {k: v for k, v in self.cleaned_data.items() if k != "version"}
        if "kind" in data and not data["kind"]:
            data["kind"] = CampaignKind.SCREENING
        return data


class UserChoiceField(_UserChoice):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj} ({obj.get_role_display()} · {obj.area})" if obj.area_id else str(obj)


def _caller_queryset(area: Area) -> Any:
    """Users who may make screening calls and work inside the area or above it."""
    qs = (
        User.objects.filter(is_active=True, area__isnull=False)
        .filter(Q(area_id__in=area.ancestor_ids()) | Q(area__in=area.descendants()))
        .select_related("area")
        .order_by("area__path", "username")
    )
    return qs.filter(pk__in=[u.pk for u in qs if u.has_action(CallAttempt, "add")])


class ReassignForm(BoundedForm):
    to = UserChoiceField(
        label=gettext_lazy("Move to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=gettext_lazy("Nobody (unassigned)"),
    )

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(UserChoiceField, self.fields["to"]).queryset = _caller_queryset(campaign.area)


class HelperForm(ServiceForm):
    grid = forms.ModelChoiceField(label=gettext_lazy("grid"), queryset=Area.objects.none())
    helper = UserChoiceField(label=gettext_lazy("helper"), queryset=User.objects.none())
    households = forms.IntegerField(
        label=gettext_lazy("households to take"), min_value=1, initial=50
    )

    def __init__(self, *args: Any, campaign: Campaign, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[Area]", self.fields["grid"]).queryset = (
            campaign.area.descendants(include_self=True)
            .filter(level=AreaLevel.GRID)
            .order_by("path")
        )
        cast(UserChoiceField, self.fields["helper"]).queryset = _caller_queryset(campaign.area)


# --- Questionnaires -------------------------------------------------------------------------


class QuestionnaireForm(ServiceForm):
    name = forms.CharField(label=gettext_lazy("name"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("description"), widget=forms.Textarea, required=False
    )
    start_from = forms.ChoiceField(label=gettext_lazy("start from"), required=False)

    def __init__(
        self, *args: Any, user: User, instance: Questionnaire | None = None, **kwargs: Any
    ) -> None:
        if instance is not None:
            kwargs["initial"] = {
                "name": instance.name,
                "description": instance.description,
                "version": instance.version,
                **(kwargs.get("initial") or {}),
            }
        super().__init__(*args, **kwargs)
        if instance is not None:
            del self.fields["start_from"]
        else:
            cast(forms.ChoiceField, self.fields["start_from"]).choices = [
                (SHIPPED, _("The shipped screening register")),
                *(
                    (str(q.pk), _("A copy of %(name)s") % {"name": q.name})
                    for q in Questionnaire.objects.restrict(user).order_by("name")
                ),
            ]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in re.split(r"[\r\n]+", text or "") if line.strip()]


class QuestionForm(ServiceForm):
    """One question. Choices are typed one per line; conditions and alerts are picked."""

    text = forms.CharField(label=gettext_lazy("question"), max_length=300)
    help_text = forms.CharField(label=gettext_lazy("hint"), max_length=300, required=False)
    kind = forms.ChoiceField(label=gettext_lazy("kind of answer"), choices=QuestionKind.choices)
    required = forms.BooleanField(label=gettext_lazy("required"), required=False)
    choices = forms.CharField(
        label=gettext_lazy("choices"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=gettext_lazy("For one or several choices: one choice per line."),
    )
    show_if = forms.MultipleChoiceField(
        label=gettext_lazy("shown only if"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy(
            "Ask this question only after one of these answers (all of "
            "one earlier question). None: always asked."
        ),
    )
    alert_level = forms.ChoiceField(
        label=gettext_lazy("alert level"),
        required=False,
        choices=[("", gettext_lazy("No alert")), *AlertLevel.choices],
    )
    alert_kind = forms.ChoiceField(
        label=gettext_lazy("alert kind"),
        required=False,
        choices=[("", "---------"), *AlertKind.choices],
    )
    alert_answers = forms.CharField(
        label=gettext_lazy("answers that raise the alert"),
        required=False,
        help_text=gettext_lazy(
            "Yes/no: yes or no. Choices: their text, separated by commas. "
            "A temperature raises it from the community's fever threshold."
        ),
    )
    min_value = forms.DecimalField(label=gettext_lazy("smallest number"), required=False)
    max_value = forms.DecimalField(label=gettext_lazy("largest number"), required=False)

    def __init__(
        self,
        *args: Any,
        specs: Sequence[QuestionSpec],
        editing: QuestionSpec | None,
        questionnaire: Questionnaire,
        **kwargs: Any,
    ) -> None:
        self.editing = editing
        self.specs = list(specs)
        initial: dict[str, Any] = {"version": questionnaire.version}
        if editing is not None:
            initial.update(
                text=editing.text,
                help_text=editing.help_text,
                kind=editing.kind,
                required=editing.required,
                choices="\n".join(c["label"] for c in editing.choices),
                show_if=[f"{editing.show_if_code}={v}" for v in editing.show_if_values],
                alert_level=editing.alert_level,
                alert_kind=editing.alert_kind,
                alert_answers="、".join(editing.label_of(v) for v in editing.alert_values),
                min_value=editing.min_value,
                max_value=editing.max_value,
            )
        kwargs["initial"] = {**initial, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        # Conditions point at earlier questions only (the service refuses anything else).
        earlier = self.specs
        if editing is not None:
            codes = [s.code for s in self.specs]
            earlier = self.specs[: codes.index(editing.code)] if editing.code in codes else []
        cast(forms.MultipleChoiceField, self.fields["show_if"]).choices = [
            (f"{spec.code}={value}", f"{spec.text} → {label}")
            for spec in earlier
            if spec.kind in CHOICE_KINDS
            for value, label in spec.choice_list()
        ]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        show_if = data.get("show_if") or []
        if len({pair.split("=", 1)[0] for pair in show_if}) > 1:
            self.add_error("show_if", _("Choose answers of one earlier question only."))
        return data

    def to_spec(self) -> QuestionSpec:
        """The question as typed; the service checks that it hangs together."""
        data = self.cleaned_data
        kind = data["kind"]
        old = {c["label"]: c["value"] for c in (self.editing.choices if self.editing else [])}
        choices: list[dict[str, str]] = []
        if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            used = set(old.values())
            for label in _lines(data.get("choices", "")):
                value = old.get(label)
                if value is None:
                    n = len(used) + 1
                    while f"c{n}" in used:
                        n += 1
                    value = f"c{n}"
                used.add(value)
                choices.append({"value": value, "label": label})
        show_if = data.get("show_if") or []
        spec = QuestionSpec(
            code=self.editing.code if self.editing else _next_code(self.specs),
            text=data["text"].strip(),
            kind=kind,
            required=bool(data.get("required")),
            help_text=(data.get("help_text") or "").strip(),
            choices=choices,
            show_if_code=show_if[0].split("=", 1)[0] if show_if else "",
            show_if_values=[pair.split("=", 1)[1] for pair in show_if],
            alert_level=data.get("alert_level") or "",
            alert_kind=data.get("alert_kind") or "",
            min_value=data.get("min_value") if kind == QuestionKind.NUMBER else None,
            max_value=data.get("max_value") if kind == QuestionKind.NUMBER else None,
        )
        if spec.alert_level and spec.kind in CHOICE_KINDS:
            values = []
            for item in re.split(r"[、,，;；\n]+", data.get("alert_answers") or ""):
                if item.strip():
                    try:
                        values.append(parse_choice(spec, item, lenient=True))
                    except ValidationError as exc:
                        raise ValidationError({"alert_answers": exc.messages}) from None
            spec.alert_values = values
        return spec


def _next_code(specs: Sequence[QuestionSpec]) -> str:
    used = {s.code for s in specs}
    n = len(specs) + 1
    while f"q{n}" in used:
        n += 1
    return f"q{n}"


# --- Answers --------------------------------------------------------------------------------


class AnswerForm(BoundedForm):
    """The questions of one version, for the household or one person (``prefix``)."""

    def __init__(self, specs: Sequence[QuestionSpec], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.specs = list(specs)
        for spec in self.specs:
            self.fields[spec.code] = _field_for(spec)

    def raw_answers(self) -> dict[str, Any]:
        """What was typed, by question code, before any checking."""
        data = self.data
        raw: dict[str, Any] = {}
        for spec in self.specs:
            name = self.add_prefix(spec.code)
            if spec.kind == QuestionKind.MULTIPLE:
                raw[spec.code] = (
                    data.getlist(name) if hasattr(data, "getlist") else data.get(name, [])
                )
            else:
                raw[spec.code] = data.get(name, "")
        return raw

    def questions(self) -> list[dict[str, Any]]:
        """What the template renders: each question with its bound field and condition."""
        return [
            {
                "spec": spec,
                "field": self[spec.code],
                "show_if": self.add_prefix(spec.show_if_code) if spec.show_if_code else "",
                "show_values": "|".join(spec.show_if_values),
                "condition": _condition_text(spec, self.specs),
            }
            for spec in self.specs
        ]


def _condition_text(spec: QuestionSpec, specs: Sequence[QuestionSpec]) -> str:
    if not spec.show_if_code:
        return ""
    parent = next((s for s in specs if s.code == spec.show_if_code), None)
    if parent is None:
        return ""
    answers = "、".join(parent.label_of(v) for v in spec.show_if_values)
    return _("Only if “%(question)s” is %(answers)s") % {
        "question": parent.text,
        "answers": answers,
    }


class _FieldOptions(TypedDict):
    label: str
    required: bool
    help_text: str


def _field_for(spec: QuestionSpec) -> forms.Field:
    common: _FieldOptions = {"label": spec.text, "required": False, "help_text": spec.help_text}
    if spec.kind in (QuestionKind.YES_NO, QuestionKind.SINGLE):
        return forms.ChoiceField(choices=spec.choice_list(), widget=forms.RadioSelect, **common)
    if spec.kind == QuestionKind.MULTIPLE:
        return forms.MultipleChoiceField(
            choices=spec.choice_list(), widget=forms.CheckboxSelectMultiple, **common
        )
    if spec.kind == QuestionKind.TEMPERATURE:
        return forms.CharField(
            widget=forms.TextInput(
                attrs={"inputmode": "decimal", "placeholder": "36.5", "autocomplete": "off"}
            ),
            **common,
        )
    if spec.kind == QuestionKind.NUMBER:
        return forms.CharField(
            widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}), **common
        )
    if spec.kind == QuestionKind.DATE:
        return forms.CharField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    return forms.CharField(widget=forms.TextInput(attrs={"autocomplete": "off"}), **common)


def answer_forms(
    specs: Sequence[QuestionSpec],
    members: Sequence[Person] | None,
    data: Any = None,
    initial: dict[str, Any] | None = None,
) -> list[tuple[Person | None, AnswerForm]]:
    """One form for the household, or one per member (prefixed with ``m<id>``)."""
    if members:
        return [
            (
                person,
                AnswerForm(
                    specs, data, prefix=f"m{person.pk}", initial=(initial or {}).get(str(person.pk))
                ),
            )
            for person in members
        ]
    return [(None, AnswerForm(specs, data, initial=initial))]


def apply_errors(
    forms_: Sequence[tuple[Person | None, AnswerForm]], errors: dict[str, list[str]]
) -> list[str]:
    """Put a service's errors (``code`` or ``<person id>.<code>``) on the right fields;
    return those that fit no field."""
    by_person = {str(p.pk) if p else "": f for p, f in forms_}
    left = []
    for key, messages in errors.items():
        person_key, _sep, code = key.rpartition(".")
        form = by_person.get(person_key)
        if form is not None and code in form.fields:
            for message in messages:
                form.add_error(code, message)
        else:
            left.extend(messages)
    return left


class AnswerForms:
    """A visit's answers — the household's form, or one per member — as the one form
    ``ServiceFormView`` drives. Only the service can check answers (whether a question is
    asked depends on the others), so ``is_valid()`` just collects them; the service's
    errors land on the questions they name (``apply_errors``), the rest on top."""

    def __init__(
        self, specs: Sequence[QuestionSpec], members: Sequence[Person], data: Any = None
    ) -> None:
        self.sections = answer_forms(specs, members, data=data)
        self.per_person = bool(members)
        self.is_bound = data is not None
        self.data = data if data is not None else {}
        self.top_errors: list[str] = []
        self.cleaned_data: dict[str, Any] = {}

    def is_valid(self) -> bool:
        raw = {str(p.pk) if p else "": f.raw_answers() for p, f in self.sections}
        version = self.data.get("version", "")
        self.cleaned_data = {
            "expected_version": int(version) if version.isdigit() else None,
            "answers": None if self.per_person else raw[""],
            "people_answers": raw if self.per_person else None,
            "note": self.data.get("note", ""),
        }
        return True

    def add_prefix(self, name: str) -> str:
        return name

    def add_error(self, field: str | None, error: Any) -> None:
        self.top_errors.extend(ValidationError(error).messages)

    def add_service_error(self, exc: ValidationError) -> None:
        errors = (
            apply_errors(self.sections, exc.message_dict)
            if hasattr(exc, "error_dict")
            else exc.messages
        )
        self.top_errors.extend(
            errors or [_("Some answers need another look; see the questions marked.")]
        )


class MovedForm(ServiceForm):
    people = forms.MultipleChoiceField(
        label=gettext_lazy("Who moved away"), required=False, widget=forms.CheckboxSelectMultiple
    )
    date = forms.DateField(label=gettext_lazy("moved on"), required=False, widget=DATE_INPUT)
    note = forms.CharField(
        label=gettext_lazy("what the household said"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("For example: sold the flat, moved to their daughter's."),
    )

    def __init__(self, *args: Any, members: Sequence[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        people = cast(forms.MultipleChoiceField, self.fields["people"])
        people.choices = [(str(p.pk), mask_name(p.name)) for p in members]
        self.fields["people"].initial = [str(p.pk) for p in members]


class ResolveAlertForm(ServiceForm):
    outcome = forms.ChoiceField(
        label=gettext_lazy("What was done"),
        widget=forms.RadioSelect,
        choices=[c for c in AlertStatus.choices if c[0] != AlertStatus.OPEN],
    )
    note = forms.CharField(
        label=gettext_lazy("note"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Needed when the alert is dismissed."),
    )


class ExportForm(ServiceForm):
    unmasked = forms.BooleanField(
        label=gettext_lazy("Full names and phone numbers"),
        required=False,
        help_text=gettext_lazy(
            "Only when the receiving office needs them; logged with your reason."
        ),
    )
    reason = forms.CharField(label=gettext_lazy("reason"), max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("unmasked") and len((data.get("reason") or "").strip()) < 2:
            self.add_error("reason", _("Say why the export needs full numbers."))
        return data


class ImportForm(ServiceForm):
    file = forms.FileField(label=gettext_lazy("Register file (.xlsx or .csv)"))


class ConfirmImportForm(ServiceForm):
    """ "Import the valid rows": the checked file's token (its check's job)."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=20)
