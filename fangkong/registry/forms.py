"""Forms of the registry pages. They parse input; the services validate and save.

Every form takes ``user`` and ``instance`` (ObjectEditView passes both), limits its choices of
grids, buildings and households to the user's scope, and carries the row's ``version`` in a
hidden field so a stale edit is refused instead of silently overwriting someone else's work.
ID numbers and phones are never put back into a form: the field shows the mask as help text
and a blank field keeps the stored value; after an error the input comes back empty with the
mask of what was typed (core.widgets).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.forms import DATE_INPUT, ServiceForm
from fangkong.core.input_bounds import BoundedForm
from fangkong.core.querysets import covers
from fangkong.core.widgets import id_number_input, phone_input
from fangkong.registry.choices import IdType, PersonStatus, PersonTag, Relation, Residency, Sex
from fangkong.registry.models import Building, Household, Person


# Not ModelChoiceField[Household]: Django's class is generic only in the stubs (no
# django_stubs_ext.monkeypatch), so the subscript would fail at import.
class HouseholdChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Household) -> str:
        return obj.label


# --- Buildings ------------------------------------------------------------------------------


class BuildingForm(ServiceForm):
    number = forms.CharField(label=gettext_lazy("building number"), max_length=20)
    name = forms.CharField(
        label=gettext_lazy("name"),
        max_length=100,
        required=False,
        help_text=gettext_lazy("What residents call it, if not just its number."),
    )
    section = forms.CharField(
        label=gettext_lazy("section"),
        max_length=50,
        required=False,
        help_text=gettext_lazy("Part of the community, e.g. north yard; groups the tiles."),
    )
    grid = forms.ModelChoiceField(
        label=gettext_lazy("grid"), queryset=Area.objects.none(), required=False
    )
    units = forms.IntegerField(label=gettext_lazy("units"), min_value=1, max_value=99, initial=1)
    floors = forms.IntegerField(label=gettext_lazy("floors"), min_value=1, max_value=200, initial=1)
    notes = forms.CharField(label=gettext_lazy("notes"), widget=forms.Textarea, required=False)

    instance_fields = ("number", "name", "section", "grid", "units", "floors", "notes")

    def __init__(self, *args: Any, community: Area | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.user is None:
            raise TypeError("BuildingForm needs the user: its grids are those they may see")
        community = community or (self.instance.community if self.instance else None)
        grids = Area.objects.restrict(self.user).filter(
            level=AreaLevel.GRID, closed_at__isnull=True
        )
        grid_field = self.fields["grid"]
        assert isinstance(grid_field, forms.ModelChoiceField)  # declared above
        if community is not None:
            grids = grids.filter(parent=community)
            # A grid worker's buildings must stay in their grid, or they would lose them.
            grid_field.required = not covers(self.user, community)
        grid_field.queryset = grids


# --- Households -----------------------------------------------------------------------------


def _keep_help(mask: str) -> str:
    return _("Current: %(mask)s; leave blank to keep.") % {"mask": mask}


class HouseholdForm(ServiceForm):
    building = forms.ModelChoiceField(
        label=gettext_lazy("building"), queryset=Building.objects.none()
    )
    unit = forms.IntegerField(label=gettext_lazy("unit"), min_value=1, initial=1)
    floor = forms.IntegerField(label=gettext_lazy("floor"), required=False)
    room = forms.CharField(label=gettext_lazy("room"), max_length=20)
    number = forms.CharField(
        label=gettext_lazy("household number"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("Left blank, it becomes building-unit-room."),
    )
    head = forms.ModelChoiceField(
        label=gettext_lazy("head of household"), queryset=Person.objects.none(), required=False
    )
    phone = forms.CharField(
        label=gettext_lazy("landline"),
        max_length=20,
        required=False,
        widget=phone_input(),
    )
    is_active = forms.BooleanField(label=gettext_lazy("occupied"), required=False, initial=True)
    notes = forms.CharField(label=gettext_lazy("notes"), widget=forms.Textarea, required=False)

    instance_fields = ("building", "unit", "floor", "room", "number", "head", "is_active", "notes")

    def __init__(self, *args: Any, building: Building | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance is None:
            # A new household's building is the one whose page the worker came from.
            del self.fields["building"], self.fields["head"]
        else:
            if self.user is None:
                raise TypeError("HouseholdForm needs the user: its choices are those they may see")
            building_field, head_field = self.fields["building"], self.fields["head"]
            assert isinstance(building_field, forms.ModelChoiceField)  # declared above
            assert isinstance(head_field, forms.ModelChoiceField)
            building_field.queryset = Building.objects.restrict(self.user).filter(
                community_id=self.instance.community_id
            )
            head_field.queryset = Person.objects.restrict(self.user).filter(
                household=self.instance, status=PersonStatus.ACTIVE
            )
            if self.instance.phone_mask:
                self.fields["phone"].help_text = _keep_help(self.instance.phone_mask)

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        if self.instance is not None and not data.get("phone"):
            data["phone"] = None  # blank keeps the stored number
        return data


# --- People ---------------------------------------------------------------------------------


class PersonForm(ServiceForm):
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    id_type = forms.ChoiceField(
        label=gettext_lazy("ID type"), choices=IdType.choices, initial=IdType.RESIDENT_ID
    )
    # Never rendered back, not even what was just typed (a failed save shows its mask).
    id_number = forms.CharField(
        label=gettext_lazy("ID number"),
        max_length=40,
        required=False,
        widget=id_number_input(),
        help_text=gettext_lazy("A resident ID number fills in birth date and sex."),
    )
    sex = forms.ChoiceField(label=gettext_lazy("sex"), choices=Sex.choices, initial=Sex.UNKNOWN)
    birth_date = forms.DateField(
        label=gettext_lazy("birth date"),
        required=False,
        widget=DATE_INPUT,
        help_text=gettext_lazy("Only needed without a resident ID number."),
    )
    phone = forms.CharField(
        label=gettext_lazy("phone"),
        max_length=20,
        required=False,
        widget=phone_input(),
    )
    household = HouseholdChoiceField(
        label=gettext_lazy("household"), queryset=Household.objects.none(), required=False
    )
    relation = forms.ChoiceField(
        label=gettext_lazy("relation to head"),
        required=False,
        choices=[("", "---------"), *Relation.choices],
    )
    residency = forms.ChoiceField(
        label=gettext_lazy("residency"), choices=Residency.choices, initial=Residency.PERMANENT
    )
    tags = forms.MultipleChoiceField(
        label=gettext_lazy("tags"),
        choices=PersonTag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = forms.CharField(label=gettext_lazy("notes"), widget=forms.Textarea, required=False)

    # Birth date is deliberately not copied: pages show age, never the birth date.
    instance_fields = ("name", "id_type", "sex", "household", "relation", "residency", "notes")

    def __init__(
        self,
        *args: Any,
        community: Area | None = None,
        household: Household | None = None,
        **kwargs: Any,
    ) -> None:
        if household is not None and kwargs.get("instance") is None:
            kwargs["initial"] = {"household": household, **(kwargs.get("initial") or {})}
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            community = self.instance.community
        elif household is not None:
            community = household.community
        if self.user is None:
            raise TypeError("PersonForm needs the user: its households are those they may see")
        households = Household.objects.restrict(self.user).select_related("building")
        household_field = self.fields["household"]
        assert isinstance(household_field, forms.ModelChoiceField)  # declared above
        if community is not None:
            households = households.filter(community=community)
            # Without the whole community in scope (a grid worker), a person needs a
            # household of one's own grids: people without one are the community's list.
            household_field.required = not covers(self.user, community)
        household_field.queryset = households
        if self.instance is not None:
            person = self.instance
            self.initial["tags"] = person.tag_list
            if person.id_number_mask:
                self.fields["id_number"].help_text = _keep_help(person.id_number_mask)
            if person.phone_mask:
                self.fields["phone"].help_text = _keep_help(person.phone_mask)
            if person.birth_date:
                self.fields["birth_date"].help_text = _(
                    "Current age: %(age)s; leave blank to keep."
                ) % {"age": person.age}

    def clean_id_number(self) -> str:
        return "".join(self.cleaned_data["id_number"].split()).upper()

    def service_data(self) -> dict[str, Any]:
        data = super().service_data()
        editing = self.instance is not None
        for secret in ("id_number", "phone"):
            if editing and not data[secret]:
                data[secret] = None  # blank keeps the stored value
        if editing and data["birth_date"] is None:
            del data["birth_date"]
        return data


class DeactivateForm(ServiceForm):
    status = forms.ChoiceField(
        label=gettext_lazy("What happened"),
        choices=[c for c in PersonStatus.choices if c[0] != PersonStatus.ACTIVE],
    )
    date = forms.DateField(label=gettext_lazy("date"), widget=DATE_INPUT)
    reason = forms.CharField(
        label=gettext_lazy("reason"),
        max_length=200,
        error_messages={"required": gettext_lazy("Give a reason.")},
        help_text=gettext_lazy("For example: sold the flat and moved to another city."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate

    def clean_date(self) -> dt.date:
        date: dt.date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return date


class ReactivateForm(ServiceForm):
    """Back into the registry: why (deactivated by mistake, moved back)."""

    reason = forms.CharField(
        label=gettext_lazy("reason"),
        max_length=200,
        error_messages={"required": gettext_lazy("Give a reason.")},
        help_text=gettext_lazy("For example: moved back in, or deactivated by mistake."),
    )


class RevealForm(BoundedForm):
    reason = forms.CharField(
        label=gettext_lazy("Why do you need the full numbers?"),
        max_length=300,
        min_length=2,
        error_messages={"required": gettext_lazy("Say why you need to see the full numbers.")},
        help_text=gettext_lazy("Recorded in the access log with your name."),
    )


class AssignGridsForm(ServiceForm):
    """Ticked buildings of a community and the grid they go to (the building tiles' form).

    The buildings are the community's whatever the user's registry rights: laying out grids
    is area work (an administrator's), and the tiles show numbers and names only."""

    buildings = forms.ModelMultipleChoiceField(
        label=gettext_lazy("buildings"),
        queryset=Building.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    grid = forms.ModelChoiceField(label=gettext_lazy("grid"), queryset=Area.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        community = self.community
        buildings = self.fields["buildings"]
        grid = self.fields["grid"]
        assert isinstance(buildings, forms.ModelMultipleChoiceField)
        assert isinstance(grid, forms.ModelChoiceField)
        buildings.queryset = Building.objects.filter(community=community).select_related("grid")
        grid.queryset = Area.objects.filter(
            parent=community, level=AreaLevel.GRID, closed_at__isnull=True
        ).order_by("path")
