"""Forms of the area pages: they parse; ``areas.services`` checks and saves."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fangkong.areas.choices import AreaLevel
from fangkong.areas.models import Area
from fangkong.core.forms import ServiceForm, field_of

#: The time zones offered first (the service accepts any IANA zone).
TIME_ZONES = [
    ("Asia/Shanghai", _("China Standard Time (Asia/Shanghai)")),
    ("Asia/Urumqi", _("Xinjiang Time (Asia/Urumqi)")),
    ("Asia/Hong_Kong", _("Hong Kong (Asia/Hong_Kong)")),
]


class AreaForm(ServiceForm):
    """Name and code of any area; a community's settings on top."""

    instance_fields = ("name", "code", "time_zone", "fever_threshold", "contact_phone")
    community_fields = ("fever_threshold", "contact_phone")

    name = forms.CharField(label=_("name"), max_length=100)
    code = forms.CharField(
        label=_("code"), max_length=32, help_text=_("Unique in the whole tree, e.g. 210102001001.")
    )
    time_zone = forms.ChoiceField(label=_("time zone"), choices=TIME_ZONES, initial="Asia/Shanghai")
    fever_threshold = forms.DecimalField(
        label=_("fever threshold (°C)"),
        max_digits=3,
        decimal_places=1,
        min_value=37,
        max_value=38.5,
        initial="37.3",
        help_text=_("Screening, gates and health reports raise an alert from this temperature."),
    )
    contact_phone = forms.CharField(
        label=_("contact phone"),
        max_length=20,
        required=False,
        help_text=_("The community office's phone, printed on its pass cards."),
    )

    def __init__(self, *args: Any, level: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if level != AreaLevel.COMMUNITY:
            for name in self.community_fields:
                del self.fields[name]
        if self.instance is not None and self.instance.time_zone not in dict(TIME_ZONES):
            field_of(self, "time_zone", forms.ChoiceField).choices = [
                (self.instance.time_zone, self.instance.time_zone),
                *TIME_ZONES,
            ]


class MoveAreaForm(ServiceForm):
    """The new parent: an open area of the level above, in the user's scope."""

    parent = forms.ModelChoiceField(label=_("move to"), queryset=Area.objects.none())

    def __init__(
        self, *args: Any, parent_level: str = "", exclude: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "parent", forms.ModelChoiceField).queryset = (
            Area.objects.restrict(self.user, "change")
            .filter(level=parent_level, closed_at__isnull=True)
            .exclude(pk=exclude)
            .order_by("path")
        )


class CloseAreaForm(ServiceForm):
    """Why the area closes and, for a grid, where what it holds goes."""

    reason = forms.CharField(label=_("reason"), max_length=200)
    move_to = forms.ModelChoiceField(
        label=_("move residents, passes and open tasks to"),
        queryset=Area.objects.none(),
        required=False,
    )

    def __init__(self, *args: Any, area: Area | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if area is None or area.level != AreaLevel.GRID:
            del self.fields["move_to"]
            return
        field_of(self, "move_to", forms.ModelChoiceField).queryset = (
            Area.objects.restrict(self.user, "change")
            .filter(parent_id=area.parent_id, level=AreaLevel.GRID, closed_at__isnull=True)
            .exclude(pk=area.pk)
            .order_by("path")
        )
