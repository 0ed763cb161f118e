"""Forms of the volunteers pages. They parse input; the services validate and save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from fangkong.areas.models import Area
from fangkong.core.forms import DATE_INPUT, LocalDateTimeField, ServiceForm, field_of
from fangkong.core.widgets import phone_input
from fangkong.staff.models import Checkpoint
from fangkong.volunteers.choices import Health, Skill, VolunteerGroup, Weekday, unpack_codes

TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


def community_areas(community: Area | None) -> QuerySet[Area]:
    """The community and its grids (where a volunteer serves, where help is wanted)."""
    if community is None:
        return Area.objects.none()
    return Area.objects.filter(pk__in=community.scope_below().areas).order_by("path")


def _checkboxes(choices: Any, label: Any, required: bool = False) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=label, choices=choices, required=required, widget=forms.CheckboxSelectMultiple
    )


class VolunteerForm(ServiceForm):
    """A volunteer from outside the community, or the details of a resident volunteer (whose
    name and phone stay in the registry)."""

    name = forms.CharField(
        label=gettext_lazy("name"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("For someone from outside the community."),
    )
    phone = forms.CharField(
        label=gettext_lazy("phone"), max_length=20, required=False, widget=phone_input()
    )
    groups = _checkboxes(VolunteerGroup.choices, gettext_lazy("groups"))
    skills = _checkboxes(Skill.choices, gettext_lazy("skills"))
    weekdays = _checkboxes(Weekday.choices, gettext_lazy("weekdays"), required=True)
    available_from = forms.TimeField(label=gettext_lazy("available from"), widget=TIME_INPUT)
    available_until = forms.TimeField(
        label=gettext_lazy("available until"),
        widget=TIME_INPUT,
        help_text=gettext_lazy("Earlier than the start: past midnight. 00:00 to 00:00: all day."),
    )
    area = forms.ModelChoiceField(
        label=gettext_lazy("area served"),
        queryset=Area.objects.none(),
        required=False,
        help_text=gettext_lazy("Left blank: the whole community."),
    )
    health = forms.ChoiceField(label=gettext_lazy("health"), choices=Health.choices)
    health_checked_on = forms.DateField(
        label=gettext_lazy("health checked on"), required=False, widget=DATE_INPUT
    )
    is_active = forms.BooleanField(label=gettext_lazy("active"), required=False, initial=True)
    notes = forms.CharField(
        label=gettext_lazy("notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    instance_fields = (
        "name",
        "available_from",
        "available_until",
        "area",
        "health",
        "health_checked_on",
        "is_active",
        "notes",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        instance = kwargs.get("instance")
        if instance is not None:
            kwargs["initial"] = {
                "groups": unpack_codes(instance.groups),
                "skills": unpack_codes(instance.skills),
                "weekdays": list(instance.weekdays),
                **(kwargs.get("initial") or {}),
            }
        else:
            kwargs["initial"] = {"weekdays": list(Weekday.values), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        field_of(self, "area", forms.ModelChoiceField).queryset = community_areas(self.community)
        if instance is not None and instance.person_id is not None:
            del self.fields["name"], self.fields["phone"]

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        if data.get("area") is None:
            data["area"] = self.community
        data["weekdays"] = "".join(data.get("weekdays") or ())
        if "phone" in data and self.instance is not None and not data["phone"]:
            data.pop("phone")  # left empty on an edit: keep the stored phone
        return data


class RequestForm(ServiceForm):
    checkpoint = forms.ModelChoiceField(
        label=gettext_lazy("checkpoint"), queryset=Checkpoint.objects.none(), required=False
    )
    place_name = forms.CharField(
        label=gettext_lazy("place"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("Where no checkpoint is chosen: the office, a building…"),
    )
    area = forms.ModelChoiceField(
        label=gettext_lazy("area"),
        queryset=Area.objects.none(),
        required=False,
        help_text=gettext_lazy("Left blank: the whole community."),
    )
    start = LocalDateTimeField(label=gettext_lazy("start"))
    end = LocalDateTimeField(label=gettext_lazy("end"))
    people_needed = forms.IntegerField(
        label=gettext_lazy("people needed"), min_value=1, max_value=500, initial=1
    )
    skills = _checkboxes(Skill.choices, gettext_lazy("skills wanted"))
    notes = forms.CharField(label=gettext_lazy("notes"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        community = self.community
        field_of(self, "area", forms.ModelChoiceField).queryset = community_areas(community)
        field_of(self, "checkpoint", forms.ModelChoiceField).queryset = (
            Checkpoint.objects.filter(community=community)
            if community is not None
            else Checkpoint.objects.none()
        )


class CountHoursForm(ServiceForm):
    """The button that closes a request and counts its volunteers' hours."""
