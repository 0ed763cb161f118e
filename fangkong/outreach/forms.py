"""Forms of the outreach pages. They parse input; the services check and save it."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.forms import DATE_INPUT, LocalDateTimeField, ServiceForm, field_of
from fangkong.core.validators import DOCUMENT_MAX_LENGTH
from fangkong.outreach.choices import SCRIPT_FIELDS
from fangkong.outreach.models import BroadcastScript
from fangkong.registry.models import Building

if TYPE_CHECKING:
    _AreaChoices = forms.ModelMultipleChoiceField[Area]
else:
    _AreaChoices = forms.ModelMultipleChoiceField


class GridChoiceField(_AreaChoices):
    def label_from_instance(self, obj: Area) -> str:
        return obj.name


def _text(label: Any, **kwargs: Any) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=DOCUMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
        **kwargs,
    )


def _buildings_of(area: Area) -> Any:
    if area.level == AreaLevel.GRID:
        return Building.objects.filter(grid=area)
    if area.level == AreaLevel.COMMUNITY:
        return Building.objects.filter(community=area)
    return Building.objects.none()


class AnnouncementForm(ServiceForm):
    instance_fields = (
        "title",
        "body",
        "quarantined_only",
        "on_poster",
        "on_household_page",
        "on_phone",
        "valid_from",
        "valid_until",
    )

    title = forms.CharField(label=_("title"), max_length=100)
    body = _text(_("text"))
    valid_from = forms.DateField(label=_("valid from"), widget=DATE_INPUT)
    valid_until = forms.DateField(label=_("valid until"), widget=DATE_INPUT)
    buildings = forms.ModelMultipleChoiceField(
        label=_("only these buildings"),
        queryset=Building.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for the whole area."),
    )
    quarantined_only = forms.BooleanField(
        label=_("only households under quarantine"), required=False
    )
    on_poster = forms.BooleanField(label=_("notice board poster"), required=False, initial=True)
    on_household_page = forms.BooleanField(label=_("residents' page"), required=False, initial=True)
    on_phone = forms.BooleanField(label=_("read out on the phone"), required=False)

    def __init__(self, *args: Any, area: Area, **kwargs: Any) -> None:
        instance = kwargs.get("instance")
        if instance is None:
            today = area.local_today()
            kwargs["initial"] = {
                "valid_from": today,
                "valid_until": today + dt.timedelta(days=7),
                **(kwargs.get("initial") or {}),
            }
        else:
            kwargs["initial"] = {
                "buildings": list(instance.buildings.all()),
                **(kwargs.get("initial") or {}),
            }
        super().__init__(*args, **kwargs)
        buildings = field_of(self, "buildings", forms.ModelMultipleChoiceField)
        buildings.queryset = _buildings_of(area)
        if area.level not in (AreaLevel.COMMUNITY, AreaLevel.GRID):
            del self.fields["buildings"]


class BroadcastScriptForm(ServiceForm):
    instance_fields = ("title", "text", "is_active")

    title = forms.CharField(label=_("title"), max_length=100)
    text = _text(
        _("text"), help_text=_("What the loudspeaker says; the audio is made from this text.")
    )
    is_active = forms.BooleanField(label=_("in use"), required=False, initial=True)


class RoundForm(ServiceForm):
    script = forms.ModelChoiceField(
        label=_("broadcast script"), queryset=BroadcastScript.objects.none()
    )
    at = LocalDateTimeField(label=_("time"))
    staff = forms.CharField(
        label=_("staff"), max_length=200, help_text=_("Who drove and who spoke.")
    )
    buildings = forms.ModelMultipleChoiceField(
        label=_("buildings"),
        queryset=Building.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    grids = GridChoiceField(
        label=_("grids"),
        queryset=Area.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A grid covers all its buildings."),
    )
    note = forms.CharField(label=_("note"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["initial"] = {"at": timezone.now(), **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        community: Area = self.community
        field_of(self, "script", forms.ModelChoiceField).queryset = BroadcastScript.objects.filter(
            community=community, is_active=True
        )
        field_of(
            self, "buildings", forms.ModelMultipleChoiceField
        ).queryset = Building.objects.filter(community=community)
        field_of(self, "grids", GridChoiceField).queryset = community.descendants().filter(
            level=AreaLevel.GRID
        )


def _fields_help() -> str:
    return str(_("Fields: %(fields)s.")) % {
        "fields": "、".join(f"{{{name}}} {label}" for name, label in SCRIPT_FIELDS.items())
    }


class ScriptForm(ServiceForm):
    not_for_service = ("version",)

    title = forms.CharField(label=_("title"), max_length=100)
    text = forms.CharField(
        label=_("text"),
        max_length=DOCUMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    note = forms.CharField(label=_("what changed"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        instance = kwargs.get("instance")
        if instance is not None:
            kwargs["initial"] = {
                "title": instance.title,
                "text": instance.current_version.text,
                **(kwargs.get("initial") or {}),
            }
        super().__init__(*args, **kwargs)
        self.fields["text"].help_text = _fields_help()


class RunForm(ServiceForm):
    """A notification run: the script version read, the households called (all of the
    area, or some grids or buildings) and its dates; screening does the rest."""

    name = forms.CharField(label=_("name"), max_length=200)
    starts_on = forms.DateField(label=_("starts on"), widget=DATE_INPUT)
    ends_on = forms.DateField(label=_("ends on"), widget=DATE_INPUT)
    grids = GridChoiceField(
        label=_("only these grids"),
        queryset=Area.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Leave empty for every household of the community."),
    )
    buildings = forms.ModelMultipleChoiceField(
        label=_("only these buildings"),
        queryset=Building.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, area: Area, **kwargs: Any) -> None:
        today = area.local_today()
        kwargs["initial"] = {
            "starts_on": today,
            "ends_on": today + dt.timedelta(days=2),
            **(kwargs.get("initial") or {}),
        }
        super().__init__(*args, **kwargs)
        field_of(self, "grids", GridChoiceField).queryset = area.descendants().filter(
            level=AreaLevel.GRID
        )
        field_of(self, "buildings", forms.ModelMultipleChoiceField).queryset = _buildings_of(area)


class GuidanceForm(ServiceForm):
    instance_fields = ("title", "body", "position", "on_household_page")

    title = forms.CharField(label=_("title"), max_length=100)
    body = _text(_("text"))
    position = forms.IntegerField(label=_("order"), min_value=0, max_value=999, initial=10)
    on_household_page = forms.BooleanField(label=_("residents' page"), required=False, initial=True)
